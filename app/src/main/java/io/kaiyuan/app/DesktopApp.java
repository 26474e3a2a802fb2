package io.kaiyuan.app;

import io.kaiyuan.app.paths.AppPaths;
import io.kaiyuan.app.wiring.EngineChatBackend;
import io.kaiyuan.engine.download.FileTransfer;
import io.kaiyuan.engine.download.ModelInstaller;
import io.kaiyuan.engine.model.Catalog;
import io.kaiyuan.engine.model.MemoryFit;
import io.kaiyuan.engine.model.ModelRegistry;
import io.kaiyuan.ui.models.ModelManagerViewModel;
import io.kaiyuan.ui.shell.MainWindow;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import javafx.application.Application;
import javafx.application.Platform;
import javafx.scene.Scene;
import javafx.stage.Stage;

/** The JavaFX application: the main window with its shell, wired to the engine. */
public final class DesktopApp extends Application {
    /** Model downloads running at once; more wait their turn. */
    private static final int PARALLEL_MODEL_DOWNLOADS = 2;

    private EngineChatBackend chat;
    private ExecutorService background;
    private ExecutorService downloads;

    private static ExecutorService daemons(int threads, String name) {
        return Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        });
    }

    @Override
    public void start(Stage stage) {
        background = daemons(2, "kaiyuan-io");
        downloads = daemons(PARALLEL_MODEL_DOWNLOADS, "kaiyuan-model-download");
        ModelRegistry registry = new ModelRegistry(AppPaths.fromEnvironment().models());
        chat = new EngineChatBackend(registry);
        MainWindow window = new MainWindow(Locale.getDefault(), chat, background,
                messages -> new ModelManagerViewModel(Catalog.bundled(), registry,
                        new ModelInstaller(registry.modelsDir(), FileTransfer.defaults()), System.getenv(),
                        MemoryFit.availableMemory(), Platform::runLater, background, downloads, messages),
                url -> getHostServices().showDocument(url));
        stage.setTitle(window.title());
        stage.setScene(new Scene(window.root(), 1100, 720));
        stage.show();
    }

    @Override
    public void stop() {
        if (chat != null) {
            chat.close();
        }
        if (background != null) {
            background.shutdownNow();
        }
        if (downloads != null) {
            downloads.shutdownNow();
        }
    }
}
