package io.kaiyuan.app;

import io.kaiyuan.app.paths.AppPaths;
import io.kaiyuan.app.wiring.EngineChatBackend;
import io.kaiyuan.engine.model.ModelRegistry;
import io.kaiyuan.ui.shell.MainWindow;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import javafx.application.Application;
import javafx.scene.Scene;
import javafx.stage.Stage;

/** The JavaFX application: the main window with its shell, wired to the engine. */
public final class DesktopApp extends Application {
    private EngineChatBackend chat;
    private ExecutorService background;

    @Override
    public void start(Stage stage) {
        background = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "kaiyuan-io");
            t.setDaemon(true);
            return t;
        });
        chat = new EngineChatBackend(new ModelRegistry(AppPaths.fromEnvironment().models()));
        MainWindow window = new MainWindow(Locale.getDefault(), chat, background);
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
    }
}
