package io.kaiyuan.app;

import io.kaiyuan.app.paths.AppPaths;
import io.kaiyuan.app.wiring.EngineChatBackend;
import io.kaiyuan.app.wiring.EngineCompareBackend;
import io.kaiyuan.app.wiring.LocalApiServer;
import io.kaiyuan.engine.host.ModelHost;
import io.kaiyuan.engine.api.ExecutionProvider;
import io.kaiyuan.engine.chat.ChatStore;
import io.kaiyuan.engine.compare.VoteStore;
import io.kaiyuan.engine.download.FileTransfer;
import io.kaiyuan.engine.download.ModelInstaller;
import io.kaiyuan.engine.model.Catalog;
import io.kaiyuan.engine.model.MemoryFit;
import io.kaiyuan.engine.model.ModelRegistry;
import io.kaiyuan.engine.ort.OrtRuntime;
import io.kaiyuan.engine.remote.RemoteEndpoints;
import io.kaiyuan.engine.remote.Secrets;
import io.kaiyuan.ui.models.DownloadJournal;
import io.kaiyuan.ui.models.EngineModelsBackend;
import io.kaiyuan.ui.settings.Appearance;
import io.kaiyuan.ui.settings.Settings;
import io.kaiyuan.ui.settings.SettingsStore;
import io.kaiyuan.ui.settings.SystemTheme;
import io.kaiyuan.ui.shell.MainWindow;
import io.kaiyuan.ui.shell.Pages;
import java.io.IOException;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import javafx.application.Application;
import javafx.application.Platform;
import javafx.geometry.Rectangle2D;
import javafx.scene.Scene;
import javafx.scene.image.Image;
import javafx.stage.Screen;
import javafx.stage.Stage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The JavaFX application: the main window with its shell, wired to the engine. */
public final class DesktopApp extends Application {
    private static final Logger LOG = LoggerFactory.getLogger(DesktopApp.class);
    /** Model downloads running at once; more wait their turn. */
    private static final int PARALLEL_MODEL_DOWNLOADS = 2;
    /** The window icon's sizes, rendered from icons/kaiyuan.svg by icons/generate.sh. */
    static final int[] ICON_SIZES = {16, 32, 48, 64, 128, 256, 512};

    private ModelHost host;
    private EngineChatBackend chat;
    private EngineCompareBackend compare;
    private LocalApiServer apiServer;
    private AppPaths paths;
    private ExecutorService background;
    private ExecutorService downloads;
    private ModelRegistry registry;
    private Catalog catalog;
    private long availableMemory;
    private ChatStore store;
    private VoteStore votes;
    private String storeError;
    private SettingsStore settingsStore;
    private DownloadJournal journal;
    private volatile Settings settings;
    private boolean systemDark;
    private List<String> providers;
    private RemoteEndpoints remotes;
    /** The MCP servers whose tools the chat offers (mcp.json); null when the file cannot be read. */
    private io.kaiyuan.engine.mcp.McpServers mcp;
    /** One key file object for everything that keeps keys, so their writes never interleave. */
    private Secrets secrets;
    private io.kaiyuan.app.wiring.KeyFileHubAccess hubAccess;
    private io.kaiyuan.engine.model.ModelFolderWatch modelsWatch;

    private static ExecutorService daemons(int threads, String name) {
        return Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        });
    }

    /** Disk work before the window: on the launcher thread, not the FX thread. */
    @Override
    public void init() {
        paths = AppPaths.fromEnvironment();
        registry = new ModelRegistry(paths.models());
        catalog = Catalog.bundled();
        availableMemory = MemoryFit.availableMemory();
        settingsStore = new SettingsStore(paths.settings());
        journal = new DownloadJournal(paths.downloadJournal());
        settings = settingsStore.load();
        systemDark = SystemTheme.isDark();
        providers = providers();
        LOG.info("Kaiyuan starts; execution providers found: {}", String.join(", ", providers));
        try {
            store = ChatStore.open(paths.chatDatabase());
        } catch (IOException e) {
            LOG.warn("chat history unavailable", e);
            storeError = e.getMessage();
        }
        try {
            votes = VoteStore.open(paths.votesDatabase(), paths.chatDatabase());
        } catch (IOException e) {
            LOG.warn("comparison votes unavailable", e);
            storeError = storeError == null ? e.getMessage() : storeError + "\n" + e.getMessage();
        }
        secrets = new Secrets(paths.keys());
        hubAccess = new io.kaiyuan.app.wiring.KeyFileHubAccess(secrets, System.getenv());
        try {
            hubAccess.load(); // before the window: a download it resumes uses the tokens and proxy set in Settings
        } catch (IOException e) {
            LOG.warn("download settings unavailable", e);
            storeError = storeError == null ? e.getMessage() : storeError + "\n" + e.getMessage();
        }
        try {
            remotes = new RemoteEndpoints(paths.endpoints(), secrets);
        } catch (IOException e) {
            LOG.warn("remote endpoints unavailable", e);
            storeError = storeError == null ? e.getMessage() : storeError + "\n" + e.getMessage();
        }
        try {
            mcp = new io.kaiyuan.engine.mcp.McpServers(paths.mcp());
        } catch (IOException e) {
            LOG.warn("MCP servers unavailable", e);
            storeError = storeError == null ? e.getMessage() : storeError + "\n" + e.getMessage();
        }
    }

    /** The process's one ONNX Runtime, made here; null when it did not start (the app says so in Settings). */
    private OrtRuntime runtime;

    private List<String> providers() {
        try {
            runtime = new OrtRuntime();
            return runtime.availableProviders().stream().map(ExecutionProvider::cliName).toList();
        } catch (RuntimeException | LinkageError e) {
            LOG.warn("ONNX Runtime did not start", e);
            return List.of("none: " + e.getMessage());
        }
    }

    @Override
    public void start(Stage stage) {
        Appearance.apply(Appearance.dark(settings.theme(), systemDark));
        background = daemons(2, "kaiyuan-io");
        downloads = daemons(PARALLEL_MODEL_DOWNLOADS, "kaiyuan-model-download");
        // one runtime and one host for every page: a model the chat, a comparison and the API server share loads once
        host = ModelHost.forThisMachine(runtime != null ? runtime : new OrtRuntime());
        chat = new EngineChatBackend(host, registry, remotes);
        chat.setThreads(settings.threads());
        chat.setMcpServers(mcp);
        compare = new EngineCompareBackend(host, () -> settings.threads(), registry, store, votes, remotes);
        apiServer = new LocalApiServer(host, registry, secrets, () -> settings.threads());
        MainWindow.Services services = MainWindow.Services.chat(chat, background)
                .withStore(store)
                .withModels(new EngineModelsBackend(catalog, registry,
                        new ModelInstaller(registry.modelsDir(), FileTransfer.defaults()), hubAccess::environment,
                        availableMemory, downloads, journal))
                .withHubAccess(hubAccess)
                .withSettings(settings, providers, this::settingsChanged)
                .withOpenLink(url -> getHostServices().showDocument(url))
                .withCompare(compare)
                .withServer(apiServer)
                .withRemotes(remotes)
                .withMcp(mcp == null ? null : new io.kaiyuan.app.mcp.McpSettings(mcp, chat::retainMcpServers));
        // the pages' view models: their work on the io pool, its outcome back on the FX thread
        Pages pages = new Pages(services, MainWindow.messages(Locale.getDefault(), settings), Platform::runLater);
        MainWindow window = new MainWindow(Locale.getDefault(), services, pages);
        stage.titleProperty().bind(window.titleProperty());
        for (int size : ICON_SIZES) {
            stage.getIcons().add(new Image(DesktopApp.class.getResource("icons/kaiyuan-" + size + ".png").toExternalForm()));
        }
        Rectangle2D bounds = WindowPlacement.bounds(settings.window(), Screen.getPrimary().getVisualBounds(),
                Screen.getScreens().stream().map(Screen::getVisualBounds).toList());
        stage.setScene(new Scene(window.root(), bounds.getWidth(), bounds.getHeight()));
        stage.setMinWidth(WindowPlacement.MIN_WIDTH);
        stage.setMinHeight(WindowPlacement.MIN_HEIGHT);
        // Some window managers (Openbox) map a window at their own default size unless it is asked for
        // explicitly, before and again after it is shown.
        placeStage(stage, bounds);
        stage.setOnCloseRequest(e -> remember(stage));
        stage.show();
        placeStage(stage, bounds);
        if (settings.window() != null && settings.window().maximized()) {
            stage.setMaximized(true);
        }
        Platform.runLater(() -> {
            if (!stage.isMaximized() && (Math.abs(stage.getWidth() - bounds.getWidth()) > 2
                    || Math.abs(stage.getHeight() - bounds.getHeight()) > 2)) {
                LOG.debug("the window manager placed the window at {}x{}; asking for {}x{} again", stage.getWidth(),
                        stage.getHeight(), bounds.getWidth(), bounds.getHeight());
                placeStage(stage, bounds);
            }
        });
        try {
            modelsWatch = io.kaiyuan.engine.model.ModelFolderWatch.start(registry.modelsDir(),
                    () -> Platform.runLater(window::installedModelsChanged));
        } catch (IOException e) {
            LOG.warn("the models folder is not watched: models installed elsewhere appear after a restart", e);
        }
        if (storeError != null) {
            window.warn(storeError);
        }
    }

    /** On the FX thread: applies a changed setting and saves the settings. */
    private void settingsChanged(Settings next) {
        Settings before = settings;
        settings = next;
        if (before.theme() != next.theme()) {
            Appearance.apply(Appearance.dark(next.theme(), systemDark));
        }
        chat.setThreads(next.threads());
        background.execute(() -> save(next));
    }

    private static void placeStage(Stage stage, Rectangle2D bounds) {
        stage.setX(bounds.getMinX());
        stage.setY(bounds.getMinY());
        stage.setWidth(bounds.getWidth());
        stage.setHeight(bounds.getHeight());
    }

    private void remember(Stage stage) {
        settings = settings.withWindow(new Settings.WindowState(stage.getX(), stage.getY(), stage.getWidth(),
                stage.getHeight(), stage.isMaximized()));
    }

    private void save(Settings s) {
        try {
            settingsStore.save(s);
        } catch (IOException e) {
            LOG.warn("settings not saved", e);
        }
    }

    @Override
    public void stop() {
        if (modelsWatch != null) {
            modelsWatch.close();
        }
        if (chat != null) {
            chat.close();
        }
        if (compare != null) {
            compare.close();
        }
        if (apiServer != null) {
            apiServer.close();
        }
        if (host != null) {
            host.close();
        }
        if (downloads != null) {
            downloads.shutdownNow(); // partial downloads stay staged and resume next time
        }
        if (background != null) {
            background.shutdown(); // let a turn being saved finish
            try {
                background.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (settingsStore != null && settings != null) {
            save(settings);
        }
        if (store != null) {
            store.close();
        }
        if (votes != null) {
            votes.close();
        }
    }
}
