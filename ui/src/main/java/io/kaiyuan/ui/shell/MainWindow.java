package io.kaiyuan.ui.shell;

import io.kaiyuan.engine.chat.ChatStore;
import io.kaiyuan.ui.chat.ChatBackend;
import io.kaiyuan.ui.chat.ChatView;
import io.kaiyuan.ui.chat.ChatViewModel;
import io.kaiyuan.ui.models.ModelManagerView;
import io.kaiyuan.ui.models.ModelManagerViewModel;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.ResourceBundle;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import javafx.application.Platform;
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
 * The application shell: a sidebar with Chat, Compare, Models and Settings and the page area; pages not
 * built yet show their title. Build and use on the FX thread.
 */
public final class MainWindow {
    /** Resource bundle with every visible string of the UI (English and Simplified Chinese). */
    public static final String BUNDLE = "io.kaiyuan.ui.messages";
    /** Style classes, kept as constants rather than strings scattered in code. */
    public static final String SIDEBAR_STYLE = "sidebar";
    public static final String PAGE_STYLE = "page";
    /** Kaiyuan's styles beside the theme. */
    static final String STYLESHEET = "/io/kaiyuan/ui/kaiyuan.css";

    private final ResourceBundle messages;
    private final BorderPane root = new BorderPane();
    private final Label pageTitle = new Label();
    private StackPane placeholder;

    private final Map<String, Parent> pageNodes = new HashMap<>();
    private final Map<String, ToggleButton> navButtons = new HashMap<>();

    /** What the model manager page needs, built by the app's wiring with the window's strings. */
    @FunctionalInterface
    public interface ModelsPage {
        ModelManagerViewModel create(ResourceBundle messages);
    }

    /**
     * What the pages run on, built by the app's wiring; any part may be null (that page shows its title).
     *
     * @param chat the engine behind the chat page
     * @param store the chat history; without it conversations live in memory only
     * @param background runs disk work (listing installed models, the history) off the FX thread
     * @param models builds the model manager's view model with the window's strings
     * @param openLink opens web addresses and folders in the system's browser or file manager
     */
    public record Services(ChatBackend chat, ChatStore store, Executor background, ModelsPage models,
            Consumer<String> openLink) {}

    /** The shell without an engine behind it (every page shows its title). */
    public MainWindow(Locale locale) {
        this(locale, new Services(null, null, Runnable::run, null, url -> { }));
    }

    /** The shell with its pages on {@code services}. With no model installed the window opens on the model manager. */
    public MainWindow(Locale locale, Services services) {
        this.messages = ResourceBundle.getBundle(BUNDLE, locale);
        build();
        ChatBackend chatBackend = services.chat();
        Executor background = services.background();
        ChatViewModel chat = null;
        if (chatBackend != null) {
            chat = new ChatViewModel(chatBackend, Platform::runLater, messages, services.store(), background);
            pageNodes.put("nav.chat", new ChatView(chat, messages).root());
            chat.refreshConversations();
        }
        ModelManagerViewModel models = null;
        if (services.models() != null) {
            models = services.models().create(messages);
            pageNodes.put("nav.models", new ModelManagerView(models, messages, services.openLink()).root());
            models.refresh();
        }
        ChatViewModel chatModel = chat;
        if (models != null && chat != null) {
            models.setOnInstalledChanged(() -> background.execute(() -> {
                List<String> ids = chatBackend.installedModels();
                Platform.runLater(() -> chatModel.setModels(ids));
            }));
        }
        show("nav.chat");
        if (chat != null) {
            background.execute(() -> {
                List<String> ids = chatBackend.installedModels();
                Platform.runLater(() -> {
                    chatModel.setModels(ids);
                    if (ids.isEmpty() && pageNodes.containsKey("nav.models")) {
                        show("nav.models");
                    }
                });
            });
        }
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
            button.setOnAction(e -> show(key));
            navButtons.put(key, button);
            sidebar.getChildren().add(button);
        }
        pageTitle.setId("page-title");
        pageTitle.setStyle("-fx-font-size: 20px;");
        Label hint = new Label(messages.getString("shell.empty"));
        VBox page = new VBox(8, pageTitle, hint);
        page.setAlignment(Pos.CENTER);
        placeholder = new StackPane(page);
        placeholder.getStyleClass().add(PAGE_STYLE);
        root.setLeft(sidebar);
        root.getStylesheets().add(MainWindow.class.getResource(STYLESHEET).toExternalForm());
    }

    /** Shows a page by its navigation key (nav.chat, nav.compare, nav.models, nav.settings). */
    public void show(String key) {
        navButtons.get(key).setSelected(true);
        pageTitle.setText(messages.getString(key));
        root.setCenter(pageNodes.getOrDefault(key, placeholder));
    }
}
