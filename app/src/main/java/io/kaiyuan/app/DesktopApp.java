package io.kaiyuan.app;

import io.kaiyuan.app.paths.AppPaths;
import io.kaiyuan.app.wiring.EngineChatBackend;
import io.kaiyuan.engine.chat.ChatStore;
import io.kaiyuan.engine.download.FileTransfer;
import io.kaiyuan.engine.download.ModelInstaller;
import io.kaiyuan.engine.model.Catalog;
import io.kaiyuan.engine.model.MemoryFit;
import io.kaiyuan.engine.model.ModelRegistry;
import io.kaiyuan.ui.models.ModelManagerViewModel;
import io.kaiyuan.ui.shell.MainWindow;
import java.io.IOException;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import javafx.application.Application;
import javafx.application.Platform;
import javafx.scene.Scene;
import javafx.scene.control.Alert;
import javafx.stage.Stage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The JavaFX application: the main window with its shell, wired to the engine. */
public final class DesktopApp extends Application {
    private static final Logger LOG = LoggerFactory.getLogger(DesktopApp.class);
    /** Model downloads running at once; more wait their turn. */
    private static final int PARALLEL_MODEL_DOWNLOADS = 2;

    private EngineChatBackend chat;
    private ExecutorService background;
    private ExecutorService downloads;
    private ModelRegistry registry;
    private Catalog catalog;
    private long availableMemory;
    private ChatStore store;
    private String storeError;

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
        AppPaths paths = AppPaths.fromEnvironment();
        registry = new ModelRegistry(paths.models());
        catalog = Catalog.bundled();
        availableMemory = MemoryFit.availableMemory();
        try {
            store = ChatStore.open(paths.chatDatabase());
        } catch (IOException e) {
            LOG.warn("chat history unavailable", e);
            storeError = e.getMessage();
        }
    }

    @Override
    public void start(Stage stage) {
        background = daemons(2, "kaiyuan-io");
        downloads = daemons(PARALLEL_MODEL_DOWNLOADS, "kaiyuan-model-download");
        chat = new EngineChatBackend(registry);
        MainWindow window = new MainWindow(Locale.getDefault(), new MainWindow.Services(chat, store, background,
                messages -> new ModelManagerViewModel(catalog, registry,
                        new ModelInstaller(registry.modelsDir(), FileTransfer.defaults()), System.getenv(),
                        availableMemory, Platform::runLater, background, downloads, messages),
                url -> getHostServices().showDocument(url)));
        stage.setTitle(window.title());
        stage.setScene(new Scene(window.root(), 1100, 720));
        stage.show();
        if (storeError != null) {
            Alert alert = new Alert(Alert.AlertType.WARNING, storeError);
            alert.setHeaderText(null);
            alert.initOwner(stage);
            alert.show();
        }
    }

    @Override
    public void stop() {
        if (chat != null) {
            chat.close();
        }
        if (downloads != null) {
            downloads.shutdownNow(); // partial downloads stay staged and resume next time
        }
        if (background != null) {
            background.shutdown(); // let a turn being saved finish
            try {
                background.awaitTermination(5, java.util.concurrent.TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (store != null) {
            store.close();
        }
    }
}
