package io.kaiyuan.ui.shell;

import io.kaiyuan.engine.chat.ChatStore;
import io.kaiyuan.ui.chat.ChatBackend;
import io.kaiyuan.ui.chat.ChatView;
import io.kaiyuan.ui.chat.ChatViewModel;
import io.kaiyuan.ui.compare.CompareBackend;
import io.kaiyuan.ui.compare.CompareView;
import io.kaiyuan.ui.compare.CompareViewModel;
import io.kaiyuan.ui.common.FileDialogs;
import io.kaiyuan.engine.remote.RemoteEndpoints;
import io.kaiyuan.ui.settings.ApiServerControl;
import io.kaiyuan.ui.models.ModelManagerView;
import io.kaiyuan.ui.models.ModelManagerViewModel;
import io.kaiyuan.ui.settings.Appearance;
import io.kaiyuan.ui.settings.Settings;
import io.kaiyuan.ui.settings.SettingsView;
import io.kaiyuan.ui.settings.SettingsViewModel;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.ResourceBundle;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import javafx.application.Platform;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.scene.Parent;
import javafx.scene.control.Label;
import javafx.scene.control.ToggleButton;
import javafx.scene.control.ToggleGroup;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.StackPane;
import javafx.scene.layout.VBox;

/**
 * The application shell: a sidebar with Chat, Compare, Models and Settings and the page area; pages not
 * built yet show their title. A language switch rebuilds the views in place, keeping their state. Build
 * and use on the FX thread.
 */
public final class MainWindow {
    /** Resource bundle with every visible string of the UI (English and Simplified Chinese). */
    public static final String BUNDLE = "io.kaiyuan.ui.messages";
    /** Style classes, kept as constants rather than strings scattered in code. */
    public static final String SIDEBAR_STYLE = "sidebar";
    public static final String PAGE_STYLE = "page";
    /** Kaiyuan's styles beside the theme. */
    static final String STYLESHEET = "/io/kaiyuan/ui/kaiyuan.css";
    static final List<String> PAGES = List.of("nav.chat", "nav.compare", "nav.models", "nav.settings");

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
     * @param settings the settings to start with; null for no Settings page
     * @param providers the execution providers found, for the Settings page
     * @param onSettings saves and applies changed settings (the theme, the threads); the window itself
     *     switches the language
     * @param compare the engine and the votes behind the Compare page
     * @param dialogs the file and folder choosers the pages open
     * @param server starts and stops the local API server from Settings; null for no switch
     * @param remotes the remote OpenAI-compatible endpoints edited in Settings; null for none
     */
    public record Services(ChatBackend chat, ChatStore store, Executor background, ModelsPage models,
            Consumer<String> openLink, Settings settings, List<String> providers, Consumer<Settings> onSettings,
            CompareBackend compare, FileDialogs dialogs, ApiServerControl server, RemoteEndpoints remotes) {

        /** With the system's file dialogs. */
        public Services(ChatBackend chat, ChatStore store, Executor background, ModelsPage models,
                Consumer<String> openLink, Settings settings, List<String> providers, Consumer<Settings> onSettings,
                CompareBackend compare) {
            this(chat, store, background, models, openLink, settings, providers, onSettings, compare, FileDialogs.SYSTEM, null, null);
        }

        /** Just a chat page on {@code chat}, without history or other pages. */
        public static Services chat(ChatBackend chat, Executor background) {
            return new Services(chat, null, background, null, url -> { }, null, List.of(), s -> { }, null);
        }

        public Services withStore(ChatStore s) {
            return new Services(chat, s, background, models, openLink, settings, providers, onSettings, compare, dialogs, server, remotes);
        }

        public Services withModels(ModelsPage m) {
            return new Services(chat, store, background, m, openLink, settings, providers, onSettings, compare, dialogs, server, remotes);
        }

        public Services withOpenLink(Consumer<String> o) {
            return new Services(chat, store, background, models, o, settings, providers, onSettings, compare, dialogs, server, remotes);
        }

        public Services withSettings(Settings s, List<String> p, Consumer<Settings> on) {
            return new Services(chat, store, background, models, openLink, s, p, on, compare, dialogs, server, remotes);
        }

        public Services withCompare(CompareBackend c) {
            return new Services(chat, store, background, models, openLink, settings, providers, onSettings, c, dialogs, server, remotes);
        }

        public Services withDialogs(FileDialogs d) {
            return new Services(chat, store, background, models, openLink, settings, providers, onSettings, compare, d, server, remotes);
        }

        public Services withServer(ApiServerControl s) {
            return new Services(chat, store, background, models, openLink, settings, providers, onSettings, compare, dialogs, s, remotes);
        }

        public Services withRemotes(RemoteEndpoints r) {
            return new Services(chat, store, background, models, openLink, settings, providers, onSettings, compare, dialogs, server, r);
        }
    }

    private final BorderPane root = new BorderPane();
    private final Label pageTitle = new Label();
    private final Map<String, Parent> pageNodes = new HashMap<>();
    private final Map<String, ToggleButton> navButtons = new HashMap<>();
    private final ReadOnlyStringWrapper title = new ReadOnlyStringWrapper();
    private final Services services;
    private final Locale systemLocale;
    private ResourceBundle messages;
    private StackPane placeholder;
    private String shown = "nav.chat";
    private ChatViewModel chat;
    private ModelManagerViewModel models;
    private SettingsViewModel settings;
    private CompareViewModel compare;

    /** The shell without an engine behind it (every page shows its title). */
    public MainWindow(Locale locale) {
        this(locale, new Services(null, null, Runnable::run, null, url -> { }, null, List.of(), s -> { }, null));
    }

    /**
     * The shell with its pages on {@code services}, in {@code locale} unless the settings choose a language.
     * With no model installed the window opens on the model manager.
     */
    public MainWindow(Locale locale, Services services) {
        this.services = services;
        this.systemLocale = locale;
        Locale shownLocale = services.settings() == null ? locale : services.settings().language().locale(locale);
        messages = ResourceBundle.getBundle(BUNDLE, shownLocale);
        if (javafx.application.Application.getUserAgentStylesheet() == null) {
            Appearance.apply(false); // kaiyuan.css uses the theme's colour tokens
        }
        root.getStylesheets().add(MainWindow.class.getResource(STYLESHEET).toExternalForm());
        ChatBackend chatBackend = services.chat();
        Executor background = services.background();
        if (chatBackend != null) {
            chat = new ChatViewModel(chatBackend, Platform::runLater, messages, services.store(), background);
            chat.refreshConversations();
        }
        if (services.models() != null) {
            models = services.models().create(messages);
            models.refresh();
            if (chat != null) {
                models.setOnInstalledChanged(() -> background.execute(() -> {
                    List<String> ids = chatBackend.installedModels();
                    Platform.runLater(() -> chat.setModels(ids));
                }));
            }
        }
        if (services.compare() != null) {
            compare = new CompareViewModel(services.compare(), Platform::runLater, background, messages, new java.util.Random());
            compare.refresh();
        }
        if (services.settings() != null) {
            settings = new SettingsViewModel(services.settings(), services.providers(), s -> {
                services.onSettings().accept(s);
            }, services.server(), Platform::runLater, background, messages);
            settings.loadServer();
            settings.setRemotes(services.remotes(), this::remoteModelsChanged);
            settings.languageProperty().addListener((o, a, b) -> Platform.runLater(() -> rebuild(b.locale(systemLocale))));
        }
        build();
        if (chat != null) {
            background.execute(() -> {
                List<String> ids = chatBackend.installedModels();
                Platform.runLater(() -> {
                    chat.setModels(ids);
                    if (ids.isEmpty() && models != null) {
                        show("nav.models");
                    }
                });
            });
        }
    }

    /** Shows every view again in {@code locale}; the pages keep their state. */
    private void rebuild(Locale locale) {
        messages = ResourceBundle.getBundle(BUNDLE, locale);
        if (chat != null) {
            chat.setMessages(messages);
        }
        if (models != null) {
            models.setMessages(messages);
        }
        if (compare != null) {
            compare.setMessages(messages);
        }
        if (settings != null) {
            settings.setMessages(messages);
        }
        build();
    }

    private void build() {
        title.set(messages.getString("app.title"));
        pageNodes.clear();
        if (chat != null) {
            pageNodes.put("nav.chat", new ChatView(chat, messages, services.dialogs()).root());
        }
        if (models != null) {
            pageNodes.put("nav.models", new ModelManagerView(models, messages, services.openLink(), services.dialogs()).root());
        }
        if (settings != null) {
            pageNodes.put("nav.settings", new SettingsView(settings, messages).root());
        }
        if (compare != null) {
            pageNodes.put("nav.compare", new CompareView(compare, messages, services.dialogs()).root());
        }
        ToggleGroup pages = new ToggleGroup();
        VBox sidebar = new VBox(4);
        sidebar.getStyleClass().add(SIDEBAR_STYLE);
        sidebar.setPadding(new Insets(12));
        sidebar.setPrefWidth(180);
        navButtons.clear();
        for (String key : PAGES) {
            ToggleButton button = new ToggleButton(messages.getString(key));
            button.setId(key.replace('.', '-'));
            button.setMaxWidth(Double.MAX_VALUE);
            button.setToggleGroup(pages);
            button.setOnAction(e -> show(key));
            if (messages.containsKey(key + ".tooltip")) {
                button.setTooltip(new Tooltip(messages.getString(key + ".tooltip")));
            }
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
        show(shown);
    }

    /** The execution providers found, the one the loaded model uses, and the CPU threads setting. */
    private String runtimeText() {
        String inUse = services.chat() == null ? "-" : services.chat().activeProvider()
                .orElse(messages.getString("models.runtime.none"));
        int threads = settings != null ? settings.current().threads() : 0;
        return java.text.MessageFormat.format(messages.getString("models.runtime"),
                services.providers().isEmpty() ? "cpu" : String.join(", ", services.providers()), inUse,
                threads == 0 ? messages.getString("models.runtime.auto") : String.valueOf(threads));
    }

    /** The window title, in the window's language. */
    public String title() {
        return title.get();
    }

    /** The window title; changes with the language. */
    public ReadOnlyStringProperty titleProperty() {
        return title.getReadOnlyProperty();
    }

    public Parent root() {
        return root;
    }

    /** Remote endpoints changed in Settings: the chat's model list and the Compare page read the models again. */
    private void remoteModelsChanged() {
        if (chat != null) {
            services.background().execute(() -> {
                List<String> ids = services.chat().installedModels();
                Platform.runLater(() -> chat.setModels(ids));
            });
        }
        if (compare != null) {
            compare.refresh();
        }
    }

    /** Shows a page by its navigation key (nav.chat, nav.compare, nav.models, nav.settings). */
    public void show(String key) {
        shown = key;
        if (key.equals("nav.models") && models != null) {
            models.runtimeProperty().set(runtimeText());
        }
        if (key.equals("nav.compare") && compare != null) {
            compare.refresh(); // models installed since
        }
        navButtons.get(key).setSelected(true);
        pageTitle.setText(messages.getString(key));
        root.setCenter(pageNodes.getOrDefault(key, placeholder));
    }
}
