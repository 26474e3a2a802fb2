package io.kaiyuan.ui.shell;

import java.util.List;
import java.util.Locale;
import java.util.ResourceBundle;
import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.scene.Parent;
import javafx.scene.control.Label;
import javafx.scene.control.ToggleButton;
import javafx.scene.control.ToggleGroup;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.StackPane;
import javafx.scene.layout.VBox;

/**
 * The application shell: a sidebar with Chat, Compare, Models and Settings and the page area. The pages
 * themselves come with their issues; for now each shows its title. Build and use on the FX thread.
 */
public final class MainWindow {
    /** Resource bundle with every visible string of the UI (English and Simplified Chinese). */
    public static final String BUNDLE = "io.kaiyuan.ui.messages";
    /** Style classes, kept as constants rather than strings scattered in code. */
    public static final String SIDEBAR_STYLE = "sidebar";
    public static final String PAGE_STYLE = "page";

    private final ResourceBundle messages;
    private final BorderPane root = new BorderPane();
    private final Label pageTitle = new Label();
    private StackPane placeholder;

    private final io.kaiyuan.ui.chat.ChatBackend chatBackend;
    private Parent chatPage;

    /** The shell without an engine behind it (every page shows its title). */
    public MainWindow(Locale locale) {
        this(locale, null, Runnable::run);
    }

    /**
     * The shell with the chat page on {@code chatBackend}; {@code background} runs disk work (listing
     * installed models) off the FX thread.
     */
    public MainWindow(Locale locale, io.kaiyuan.ui.chat.ChatBackend chatBackend, java.util.concurrent.Executor background) {
        this.messages = ResourceBundle.getBundle(BUNDLE, locale);
        this.chatBackend = chatBackend;
        if (chatBackend != null) {
            io.kaiyuan.ui.chat.ChatViewModel chat = new io.kaiyuan.ui.chat.ChatViewModel(chatBackend,
                    javafx.application.Platform::runLater, messages);
            chatPage = new io.kaiyuan.ui.chat.ChatView(chat, messages).root();
            background.execute(() -> {
                java.util.List<String> ids = chatBackend.installedModels();
                javafx.application.Platform.runLater(() -> chat.setModels(ids));
            });
        }
        build();
    }

    /** The window title. */
    public String title() {
        return messages.getString("app.title");
    }

    public Parent root() {
        return root;
    }

    private void build() {
        ToggleGroup pages = new ToggleGroup();
        VBox sidebar = new VBox(4);
        sidebar.getStyleClass().add(SIDEBAR_STYLE);
        sidebar.setPadding(new Insets(12));
        sidebar.setPrefWidth(180);
        for (String key : List.of("nav.chat", "nav.compare", "nav.models", "nav.settings")) {
            ToggleButton button = new ToggleButton(messages.getString(key));
            button.setId(key.replace('.', '-'));
            button.setMaxWidth(Double.MAX_VALUE);
            button.setToggleGroup(pages);
            button.setOnAction(e -> {
                button.setSelected(true);
                pageTitle.setText(messages.getString(key));
                root.setCenter(key.equals("nav.chat") && chatPage != null ? chatPage : placeholder);
            });
            sidebar.getChildren().add(button);
        }
        pages.getToggles().get(0).setSelected(true);
        pageTitle.setText(messages.getString("nav.chat"));
        pageTitle.setId("page-title");
        pageTitle.setStyle("-fx-font-size: 20px;");
        Label hint = new Label(messages.getString("shell.empty"));
        VBox page = new VBox(8, pageTitle, hint);
        page.setAlignment(Pos.CENTER);
        placeholder = new StackPane(page);
        placeholder.getStyleClass().add(PAGE_STYLE);
        root.setLeft(sidebar);
        root.setCenter(chatPage != null ? chatPage : placeholder);
    }
}
