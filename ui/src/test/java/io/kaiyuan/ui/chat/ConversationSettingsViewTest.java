package io.kaiyuan.ui.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kaiyuan.engine.api.SamplingOverrides;
import io.kaiyuan.ui.shell.MainWindow;
import java.nio.file.Files;
import java.util.Locale;
import java.util.ResourceBundle;
import javafx.scene.Scene;
import javafx.scene.control.TextField;
import javafx.scene.input.KeyCode;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/** The conversation settings panel in the real scene: typed values become the conversation's sampling. */
@ExtendWith(ApplicationExtension.class)
class ConversationSettingsViewTest {
    private TinyModelBackend backend;
    private ChatViewModel model;

    @Start
    void start(Stage stage) throws Exception {
        backend = new TinyModelBackend(Files.createTempDirectory("kaiyuan-settings"), Runnable::run, 4);
        ResourceBundle en = ResourceBundle.getBundle(MainWindow.BUNDLE, Locale.ENGLISH);
        model = new ChatViewModel(backend, Runnable::run, en);
        model.setModels(java.util.List.of("tiny/qwen"));
        stage.setScene(new Scene(new ChatView(model, en).root(), 1000, 700));
        stage.setWidth(1000);
        stage.setHeight(700);
        stage.show();
    }

    @AfterEach
    void stop() {
        backend.close();
    }

    @Test
    void typedValuesBecomeTheSamplingSettingsAndResetClearsThem(FxRobot robot) {
        robot.clickOn("#chat-settings");
        TextField temperature = robot.lookup("#chat-temperature").queryAs(TextField.class);
        assertTrue(temperature.getPromptText().startsWith("model: "), temperature.getPromptText());
        robot.clickOn(temperature).write("0.7").type(KeyCode.ENTER);
        robot.clickOn("#chat-seed").write("42").type(KeyCode.ENTER);
        robot.clickOn("#chat-top-k").write("abc").type(KeyCode.ENTER);
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals(new SamplingOverrides(0.7, null, null, null, null, 42L), model.samplingProperty().get());
        assertTrue(robot.lookup("#chat-top-k").queryAs(TextField.class).getStyleClass().contains("invalid"));

        robot.clickOn("#chat-system-prompt").write("Be brief.");
        robot.clickOn("#chat-input").write("hi").type(KeyCode.ENTER);
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals("Be brief.", backend.requests.get(backend.requests.size() - 1).get(0).content());
        assertEquals(new SamplingOverrides(0.7, null, null, null, null, 42L), backend.samplings.get(backend.samplings.size() - 1));

        javafx.scene.control.Button reset = robot.lookup("#chat-sampling-reset").queryButton();
        robot.interact(reset::fire); // below the fold of the panel's scroll pane on small screens
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals(SamplingOverrides.NONE, model.samplingProperty().get());
        assertEquals("", temperature.getText());
    }
}
