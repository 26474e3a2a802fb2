package io.kaiyuan.ui.chat;

import io.kaiyuan.ui.FxWait;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kaiyuan.ui.shell.MainWindow;
import java.nio.file.Files;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import javafx.scene.Scene;
import javafx.scene.control.Button;
import javafx.scene.input.KeyCode;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/** The chat page in the real window, driven by keyboard, with a real tiny model on a generation thread. */
@ExtendWith(ApplicationExtension.class)
class ChatViewTest {
    private ExecutorService generation;
    private TinyModelBackend backend;

    @Start
    void start(Stage stage) throws Exception {
        generation = Executors.newSingleThreadExecutor();
        backend = new TinyModelBackend(Files.createTempDirectory("kaiyuan-ui-test"), generation, 400);
        MainWindow window = new MainWindow(Locale.ENGLISH, MainWindow.Services.chat(backend, Runnable::run));
        stage.setScene(new Scene(window.root(), 900, 600));
        stage.show();
    }

    @AfterEach
    void stop() throws Exception {
        generation.shutdownNow();
        generation.awaitTermination(60, TimeUnit.SECONDS);
        backend.close();
    }

    private static java.util.List<MessageItem> messages(FxRobot robot) {
        return ChatPage.items(robot);
    }

    private static void waitUntil(java.util.concurrent.Callable<Boolean> condition) throws Exception {
        FxWait.until(60, TimeUnit.SECONDS, condition);
        WaitForAsyncUtils.waitForFxEvents();
    }

    @Test
    void enterSendsAndTheAnswerStreamsIn(FxRobot robot) throws Exception {
        robot.clickOn("#chat-input").write("你好").type(KeyCode.ENTER);
        waitUntil(() -> messages(robot).size() == 2
                && !messages(robot).get(1).footerProperty().get().isEmpty());
        MessageItem answer = messages(robot).get(1);
        assertFalse(answer.textProperty().get().isEmpty());
        assertTrue(answer.footerProperty().get().contains("400 tokens"), answer.footerProperty().get());
        assertEquals("Send", robot.lookup("#chat-send").queryAs(Button.class).getText());
    }

    @Test
    void ctrlKFocusesTheModelPickerAndCtrlNStartsANewChat(FxRobot robot) throws Exception {
        robot.clickOn("#chat-input").write("hi").type(KeyCode.ENTER);
        waitUntil(() -> !messages(robot).isEmpty()
                && !messages(robot).get(messages(robot).size() - 1).footerProperty().get().isEmpty());
        robot.clickOn("#chat-input");
        robot.press(KeyCode.CONTROL).type(KeyCode.K).release(KeyCode.CONTROL);
        WaitForAsyncUtils.waitForFxEvents();
        assertTrue(robot.lookup("#chat-model-search").queryAs(javafx.scene.control.TextField.class).isFocused(),
                "Ctrl+K opens the model picker with its search focused");
        robot.type(KeyCode.ESCAPE);
        robot.clickOn("#chat-input");
        robot.press(KeyCode.CONTROL).type(KeyCode.N).release(KeyCode.CONTROL);
        WaitForAsyncUtils.waitForFxEvents();
        assertTrue(messages(robot).isEmpty(), "a new chat starts empty");
        assertTrue(robot.lookup("#chat-input").queryAs(javafx.scene.control.TextArea.class).isFocused());
    }

    @Test
    void shiftEnterAddsALineAndEscStops(FxRobot robot) throws Exception {
        robot.clickOn("#chat-input").write("line one");
        robot.press(KeyCode.SHIFT).type(KeyCode.ENTER).release(KeyCode.SHIFT);
        robot.write("line two");
        assertEquals("line one\nline two", robot.lookup("#chat-input").queryAs(javafx.scene.control.TextArea.class).getText());
        robot.type(KeyCode.ENTER);
        waitUntil(() -> messages(robot).size() == 2
                && !messages(robot).get(1).textProperty().get().isEmpty());
        assertEquals("line one\nline two", messages(robot).get(0).textProperty().get());
        robot.type(KeyCode.ESCAPE);
        waitUntil(() -> !messages(robot).get(1).footerProperty().get().isEmpty());
        assertTrue(messages(robot).get(1).footerProperty().get().contains("stopped"),
                messages(robot).get(1).footerProperty().get());
    }
}
