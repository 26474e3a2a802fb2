package io.kaiyuan.app;

import io.kaiyuan.ui.shell.MainWindow;
import java.util.Locale;
import javafx.application.Application;
import javafx.scene.Scene;
import javafx.stage.Stage;

/** The JavaFX application: the main window with its shell. */
public final class DesktopApp extends Application {
    @Override
    public void start(Stage stage) {
        MainWindow window = new MainWindow(Locale.getDefault());
        stage.setTitle(window.title());
        stage.setScene(new Scene(window.root(), 1100, 720));
        stage.show();
    }
}
