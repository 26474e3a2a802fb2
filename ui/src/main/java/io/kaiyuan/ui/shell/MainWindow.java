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
import javafx.scene.control.Button;
import javafx.scene.input.KeyCombination;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import org.kordamp.ikonli.feather.Feather;
import org.kordamp.ikonli.javafx.FontIcon;

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
    static final List<Feather> ICONS = List.of(Feather.MESSAGE_SQUARE, Feather.COLUMNS, Feather.BOX, Feather.SETTINGS);

    /**
     * What the pages run on, built by the app's wiring; any part may be null (that page shows its title).
     *
     * @param chat the engine behind the chat page
     * @param store the chat history; without it conversations live in memory only
     * @param background runs disk work (listing installed models, the history) off the FX thread
     * @param models the catalog, the models folder, the hubs and the installer behind the Models page
     * @param openLink opens web addresses and folders in the system's browser or file manager
     * @param settings the settings to start with; null for no Settings page
     * @param providers the execution providers found, for the Settings page
     * @param onSettings saves and applies changed settings (the theme, the threads); the window itself
     *     switches the language
     * @param compare the engine and the votes behind the Compare page
     * @param dialogs the file and folder choosers the pages open
     * @param server starts and stops the local API server from Settings; null for no switch
     * @param remotes the remote OpenAI-compatible endpoints edited in Settings; null for none
     * @param hubAccess the download tokens and proxy edited in Settings; null for none
     */
    public record Services(ChatBackend chat, ChatStore store, Executor background, io.kaiyuan.ui.models.ModelsBackend models,
            Consumer<String> openLink, Settings settings, List<String> providers, Consumer<Settings> onSettings,
            CompareBackend compare, FileDialogs dialogs, ApiServerControl server, RemoteEndpoints remotes,
            io.kaiyuan.ui.settings.HubAccess hubAccess, io.kaiyuan.ui.settings.McpControl mcp) {

        /** With the system's file dialogs. */
        public Services(ChatBackend chat, ChatStore store, Executor background, io.kaiyuan.ui.models.ModelsBackend models,
                Consumer<String> openLink, Settings settings, List<String> providers, Consumer<Settings> onSettings,
                CompareBackend compare) {
            this(chat, store, background, models, openLink, settings, providers, onSettings, compare, FileDialogs.SYSTEM, null, null,
                    null, null);
        }

        /** Just a chat page on {@code chat}, without history or other pages. */
        public static Services chat(ChatBackend chat, Executor background) {
            return new Services(chat, null, background, null, url -> { }, null, List.of(), s -> { }, null);
        }

        /** With the MCP servers whose tools the chat offers, edited in Settings. */
        public Services withMcp(io.kaiyuan.ui.settings.McpControl m) {
            return new Services(chat, store, background, models, openLink, settings, providers, onSettings, compare, dialogs, server,
                    remotes, hubAccess, m);
        }

        public Services withStore(ChatStore s) {
            return new Services(chat, s, background, models, openLink, settings, providers, onSettings, compare, dialogs, server, remotes, hubAccess, mcp);
        }

        public Services withModels(io.kaiyuan.ui.models.ModelsBackend m) {
            return new Services(chat, store, background, m, openLink, settings, providers, onSettings, compare, dialogs, server, remotes, hubAccess, mcp);
        }

        public Services withOpenLink(Consumer<String> o) {
            return new Services(chat, store, background, models, o, settings, providers, onSettings, compare, dialogs, server, remotes, hubAccess, mcp);
        }

        public Services withSettings(Settings s, List<String> p, Consumer<Settings> on) {
            return new Services(chat, store, background, models, openLink, s, p, on, compare, dialogs, server, remotes, hubAccess, mcp);
        }

        public Services withCompare(CompareBackend c) {
            return new Services(chat, store, background, models, openLink, settings, providers, onSettings, c, dialogs, server, remotes, hubAccess, mcp);
        }

        public Services withDialogs(FileDialogs d) {
            return new Services(chat, store, background, models, openLink, settings, providers, onSettings, compare, d, server, remotes, hubAccess, mcp);
        }

        public Services withServer(ApiServerControl s) {
            return new Services(chat, store, background, models, openLink, settings, providers, onSettings, compare, dialogs, s, remotes, hubAccess, mcp);
        }

        public Services withHubAccess(io.kaiyuan.ui.settings.HubAccess h) {
            return new Services(chat, store, background, models, openLink, settings, providers, onSettings, compare, dialogs, server,
                    remotes, h, mcp);
        }

        public Services withRemotes(RemoteEndpoints r) {
            return new Services(chat, store, background, models, openLink, settings, providers, onSettings, compare, dialogs, server, r, hubAccess, mcp);
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
    private final Pages pages;
    private ChatViewModel chat;
    private ChatView chatView;
    private ModelManagerViewModel models;
    private SettingsViewModel settings;
    private CompareViewModel compare;
    private final javafx.beans.property.BooleanProperty sidebarCollapsed = new javafx.beans.property.SimpleBooleanProperty();
    private List<Shortcut> shortcuts = List.of();

    /** The shell without an engine behind it (every page shows its title). */
    public MainWindow(Locale locale) {
        this(locale, new Services(null, null, Runnable::run, null, url -> { }, null, List.of(), s -> { }, null));
    }

    /**
     * The shell with its pages on {@code services}, in {@code locale} unless the settings choose a language;
     * the view models are made here, their work handed to the FX thread through {@link Platform#runLater}.
     * With no model installed the window opens on the model manager.
     */
    public MainWindow(Locale locale, Services services) {
        this(locale, services, new Pages(services, messages(locale, services.settings()), Platform::runLater));
    }

    /** The pages' view models shown here. */
    public Pages pages() {
        return pages;
    }

    /** The strings of the language the settings choose, else of {@code system}. */
    public static ResourceBundle messages(Locale system, Settings settings) {
        return ResourceBundle.getBundle(BUNDLE, settings == null ? system : settings.language().locale(system));
    }

    /**
     * The shell showing {@code pages}, which the app's wiring made over {@code services} in the strings of
     * {@link #messages(Locale, Settings)}.
     */
    public MainWindow(Locale locale, Services services, Pages pages) {
        this.services = services;
        this.systemLocale = locale;
        this.pages = pages;
        messages = messages(locale, services.settings());
        if (javafx.application.Application.getUserAgentStylesheet() == null) {
            Appearance.apply(false); // kaiyuan.css uses the theme's colour tokens
        }
        root.getStylesheets().add(MainWindow.class.getResource(STYLESHEET).toExternalForm());
        chat = pages.chat();
        models = pages.models();
        compare = pages.compare();
        settings = pages.settings();
        if (settings != null) {
            settings.languageProperty().addListener((o, a, b) -> Platform.runLater(() -> rebuild(b.locale(systemLocale))));
            sidebarCollapsed.bindBidirectional(settings.sidebarCollapsedProperty());
        }
        root.addEventFilter(javafx.scene.input.KeyEvent.KEY_PRESSED, this::shortcut);
        build();
        pages.start();
    }

    /**
     * Models were installed, imported or removed by any means (the models folder changed): the pickers and
     * the Models page read them again. FX thread.
     */
    public void installedModelsChanged() {
        pages.installedModelsChanged();
    }

    /** Shows every view again in {@code locale}; the pages keep their state. */
    private void rebuild(Locale locale) {
        messages = ResourceBundle.getBundle(BUNDLE, locale);
        pages.setMessages(messages);
        build();
    }

    private void build() {
        title.set(messages.getString("app.title"));
        pageNodes.clear();
        chatView = null;
        if (chat != null) {
            chatView = new ChatView(chat, messages, services.dialogs(), services.openLink());
            chatView.setOnShowModels(() -> show("nav.models"));
            pageNodes.put("nav.chat", chatView.root());
        }
        if (models != null) {
            ModelManagerView view = new ModelManagerView(models, messages, services.openLink(), services.dialogs());
            modelsView = view;
            view.setOnChatWith(this::chatWith);
            view.setOnOpenSettings(() -> show(settings != null ? "nav.settings" : "nav.models"));
            pageNodes.put("nav.models", view.root());
        }
        if (settings != null) {
            pageNodes.put("nav.settings", new SettingsView(settings, messages).root());
        }
        if (compare != null) {
            pageNodes.put("nav.compare", new CompareView(compare, messages, services.dialogs()).root());
        }
        ToggleGroup pages = new ToggleGroup();
        VBox sidebar = new VBox(4);
        sidebar.setId("sidebar");
        sidebar.getStyleClass().add(SIDEBAR_STYLE);
        sidebar.setPadding(new Insets(12, 8, 12, 8));
        navButtons.clear();
        for (int i = 0; i < PAGES.size(); i++) {
            String key = PAGES.get(i);
            ToggleButton button = new ToggleButton(messages.getString(key), new FontIcon(ICONS.get(i)));
            button.setId(key.replace('.', '-'));
            button.getStyleClass().add("nav-button");
            button.setMaxWidth(Double.MAX_VALUE);
            button.setAlignment(Pos.CENTER_LEFT);
            button.setMnemonicParsing(false);
            button.setToggleGroup(pages);
            button.setOnAction(e -> show(key));
            String keys = KeyCombination.valueOf("Shortcut+" + (i + 1)).getDisplayText();
            button.setTooltip(new Tooltip(messages.containsKey(key + ".tooltip")
                    ? messages.getString(key + ".tooltip") + " (" + keys + ")" : messages.getString(key) + " (" + keys + ")"));
            button.contentDisplayProperty().bind(javafx.beans.binding.Bindings.when(sidebarCollapsed)
                    .then(javafx.scene.control.ContentDisplay.GRAPHIC_ONLY).otherwise(javafx.scene.control.ContentDisplay.LEFT));
            navButtons.put(key, button);
            sidebar.getChildren().add(button);
        }
        Region gap = new Region();
        VBox.setVgrow(gap, Priority.ALWAYS);
        Button shortcutsButton = new Button(messages.getString("shell.shortcuts"), new FontIcon(Feather.COMMAND));
        shortcutsButton.setId("shell-shortcuts");
        shortcutsButton.getStyleClass().addAll("nav-button", "flat");
        shortcutsButton.setMaxWidth(Double.MAX_VALUE);
        shortcutsButton.setAlignment(Pos.CENTER_LEFT);
        shortcutsButton.setTooltip(new Tooltip(messages.getString("shell.shortcuts") + " ("
                + KeyCombination.valueOf("Shortcut+Slash").getDisplayText() + ")"));
        shortcutsButton.setOnAction(e -> showShortcuts());
        shortcutsButton.contentDisplayProperty().bind(javafx.beans.binding.Bindings.when(sidebarCollapsed)
                .then(javafx.scene.control.ContentDisplay.GRAPHIC_ONLY).otherwise(javafx.scene.control.ContentDisplay.LEFT));
        Button collapse = new Button();
        collapse.setId("sidebar-collapse");
        collapse.getStyleClass().addAll("nav-button", "flat");
        collapse.setMaxWidth(Double.MAX_VALUE);
        collapse.setAlignment(Pos.CENTER_LEFT);
        Runnable collapseLabel = () -> {
            boolean collapsed = sidebarCollapsed.get();
            collapse.setText(messages.getString(collapsed ? "shell.sidebar.expand" : "shell.sidebar.collapse"));
            collapse.setGraphic(new FontIcon(collapsed ? Feather.CHEVRONS_RIGHT : Feather.CHEVRONS_LEFT));
            collapse.setTooltip(new Tooltip(collapse.getText() + " ("
                    + KeyCombination.valueOf("Shortcut+B").getDisplayText() + ")"));
            collapse.setContentDisplay(collapsed ? javafx.scene.control.ContentDisplay.GRAPHIC_ONLY
                    : javafx.scene.control.ContentDisplay.LEFT);
            sidebar.setMinWidth(Region.USE_PREF_SIZE);
        };
        sidebarCollapsed.addListener((o, a, b) -> collapseLabel.run());
        collapseLabel.run();
        collapse.setOnAction(e -> sidebarCollapsed.set(!sidebarCollapsed.get()));
        sidebar.getChildren().addAll(gap, shortcutsButton, collapse);
        pageTitle.setId("page-title");
        pageTitle.setStyle("-fx-font-size: 20px;");
        Label hint = new Label(messages.getString("shell.empty"));
        VBox page = new VBox(8, pageTitle, hint);
        page.setAlignment(Pos.CENTER);
        placeholder = new StackPane(page);
        placeholder.getStyleClass().add(PAGE_STYLE);
        root.setLeft(sidebar);
        shortcuts = shortcuts();
        show(shown);
    }

    /** The window's shortcuts: they work wherever the focus is, and Ctrl+/ lists them. */
    private List<Shortcut> shortcuts() {
        List<Shortcut> list = new java.util.ArrayList<>();
        if (chat != null) {
            list.add(Shortcut.of("Shortcut+N", "shortcut.newChat", () -> {
                show("nav.chat");
                chat.newChat();
                chatView.focusInput();
            }));
            list.add(Shortcut.of("Shortcut+K", "shortcut.pickModel", () -> {
                show("nav.chat");
                chatView.pickModel();
            }));
            list.add(Shortcut.of("Shortcut+F", "shortcut.search", () -> {
                if ("nav.models".equals(shown) && modelsView != null) {
                    modelsView.focusSearch(); // the page's own search: models, and the hub from there
                    return;
                }
                show("nav.chat");
                chatView.focusSearch();
            }));
            list.add(Shortcut.of("Shortcut+L", "shortcut.input", () -> {
                show("nav.chat");
                chatView.focusInput();
            }));
            list.add(Shortcut.of("Shortcut+R", "shortcut.regenerate", () -> {
                show("nav.chat");
                chat.regenerate();
            }));
            list.add(Shortcut.of("Enter", "shortcut.send", null));
            list.add(Shortcut.of("Shift+Enter", "shortcut.newLine", null));
            list.add(Shortcut.of("Esc", "shortcut.stop", null));
        }
        for (int i = 0; i < PAGES.size(); i++) {
            String key = PAGES.get(i);
            list.add(new Shortcut(List.of(KeyCombination.valueOf("Shortcut+" + (i + 1))), key, () -> show(key)));
        }
        list.add(Shortcut.of("Shortcut+B", "shortcut.sidebar", () -> sidebarCollapsed.set(!sidebarCollapsed.get())));
        list.add(new Shortcut(List.of(KeyCombination.valueOf("Shortcut+Slash"), KeyCombination.valueOf("F1")),
                "shortcut.list", this::showShortcuts));
        return list;
    }

    private void shortcut(javafx.scene.input.KeyEvent e) {
        if (e.getCode() == javafx.scene.input.KeyCode.ESCAPE && chat != null && shown.equals("nav.chat")) {
            chat.stop(); // not consumed: Esc also closes what has the focus (an edit, the picker)
            return;
        }
        for (Shortcut s : shortcuts) {
            if (s.action() != null && s.matches(e)) {
                e.consume();
                s.action().run();
                return;
            }
        }
    }

    /** Shows every shortcut in a dialog (Ctrl+/). */
    public void showShortcuts() {
        javafx.scene.layout.GridPane grid = new javafx.scene.layout.GridPane();
        grid.setId("shortcut-list");
        grid.setPadding(new Insets(8, 12, 8, 12));
        grid.setHgap(24);
        grid.setVgap(8);
        int row = 0;
        for (Shortcut s : shortcuts) {
            Label keys = new Label(s.display());
            keys.getStyleClass().add("shortcut-keys");
            keys.setMinWidth(Region.USE_PREF_SIZE);
            Label what = new Label(messages.getString(s.description()));
            what.setWrapText(true);
            grid.addRow(row++, keys, what);
        }
        javafx.scene.control.Dialog<Void> dialog = new javafx.scene.control.Dialog<>();
        dialog.setTitle(messages.getString("shell.shortcuts.title"));
        dialog.getDialogPane().setContent(grid);
        dialog.getDialogPane().getButtonTypes().add(io.kaiyuan.ui.common.Dialogs.close(messages));
        io.kaiyuan.ui.common.Dialogs.place(dialog, root);
        dialog.show();
    }

    /** Warns about something the app cannot do (e.g. open its history), in the UI's language. FX thread. */
    public void warn(String text) {
        io.kaiyuan.ui.common.Dialogs.inform(root, messages, javafx.scene.control.Alert.AlertType.WARNING, text);
    }

    /** The chat page as built now (null without a chat); it is built again when the language changes. */
    public ChatView chatView() {
        return chatView;
    }

    /** Opens a new chat with an installed model ("Chat with this model" on the Models page). */
    public void chatWith(String modelId) {
        if (chat != null) {
            show("nav.chat");
            chat.newChatWith(modelId);
            chatView.focusInput();
        }
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

    /** The Models page's view, for its search shortcut; null without one. */
    private ModelManagerView modelsView;

    /** Shows a page by its navigation key (nav.chat, nav.compare, nav.models, nav.settings). */
    public void show(String key) {
        shown = key;
        pages.shown(key);
        navButtons.get(key).setSelected(true);
        pageTitle.setText(messages.getString(key));
        root.setCenter(pageNodes.getOrDefault(key, placeholder));
    }
}
