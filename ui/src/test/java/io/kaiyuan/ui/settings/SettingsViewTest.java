package io.kaiyuan.ui.settings;

import io.kaiyuan.ui.FxWait;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import atlantafx.base.theme.PrimerDark;
import atlantafx.base.theme.PrimerLight;
import io.kaiyuan.ui.shell.MainWindow;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import javafx.application.Application;
import javafx.scene.Scene;
import javafx.scene.control.ComboBox;
import javafx.scene.control.ToggleButton;
import javafx.stage.Stage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/** The Settings page in the real window: the language switch rebuilds the window, the theme changes. */
@ExtendWith(ApplicationExtension.class)
class SettingsViewTest {
    private final List<Settings> saved = new CopyOnWriteArrayList<>();
    private MainWindow window;

    @Start
    void start(Stage stage) {
        window = new MainWindow(Locale.ENGLISH, new MainWindow.Services(null, null, Runnable::run, null, url -> { },
                Settings.DEFAULTS.withTheme(Settings.Theme.LIGHT), List.of("cpu", "cuda"), saved::add, null));
        stage.titleProperty().bind(window.titleProperty());
        stage.setScene(new Scene(window.root(), 900, 600));
        stage.show();
    }

    @Test
    void switchingTheLanguageRedrawsTheWindowInChineseAndTheThemeGoesDark(FxRobot robot) throws Exception {
        robot.clickOn("#nav-settings");
        assertEquals("cpu, cuda", robot.lookup("#settings-providers").queryLabeled().getText());
        @SuppressWarnings("unchecked")
        ComboBox<Settings.Language> language = robot.lookup("#settings-language").queryAs(ComboBox.class);
        robot.interact(() -> {
            language.setValue(Settings.Language.SIMPLIFIED_CHINESE);
            language.getOnAction().handle(null);
        });
        FxWait.until(10, TimeUnit.SECONDS, () -> robot.lookup("#nav-chat").queryAs(ToggleButton.class).getText().equals("聊天"));
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals("设置", robot.lookup("#nav-settings").queryAs(ToggleButton.class).getText());
        assertTrue(robot.lookup("#nav-settings").queryAs(ToggleButton.class).isSelected(), "still on the Settings page");
        assertEquals("开源 Kaiyuan", window.title());
        assertEquals(Settings.Language.SIMPLIFIED_CHINESE, saved.get(saved.size() - 1).language());

        @SuppressWarnings("unchecked")
        ComboBox<Settings.Theme> theme = robot.lookup("#settings-theme").queryAs(ComboBox.class);
        Runnable darkWhenSaved = () -> {
            if (saved.get(saved.size() - 1).theme() == Settings.Theme.DARK) {
                Appearance.apply(true); // what the app's wiring does with a saved theme
            }
        };
        robot.interact(() -> theme.setValue(Settings.Theme.DARK));
        robot.interact(darkWhenSaved);
        assertEquals(Settings.Theme.DARK, saved.get(saved.size() - 1).theme());
        assertEquals(Settings.Language.SIMPLIFIED_CHINESE, saved.get(saved.size() - 1).language(), "earlier choices kept");
        assertEquals(new PrimerDark().getUserAgentStylesheet(), Application.getUserAgentStylesheet());
        robot.interact(() -> Appearance.apply(false));
        assertEquals(new PrimerLight().getUserAgentStylesheet(), Application.getUserAgentStylesheet());
    }
}
