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
import javafx.scene.Node;
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

/**
 * The thinking block in the real window. The tiny model's template opens {@code <think>} the way
 * DeepSeek-R1 distills' templates do, so everything it writes streams as reasoning.
 */
@ExtendWith(ApplicationExtension.class)
class ThinkingViewTest {
    private static final String STARTS_THINKING = "{% for m in messages %}<|im_start|>{{ m.role }}\n{{ m.content }}<|im_end|>\n"
            + "{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant\n<think>\n{% endif %}";

    private ExecutorService generation;
    private TinyModelBackend backend;

    @Start
    void start(Stage stage) throws Exception {
        generation = Executors.newSingleThreadExecutor();
        backend = new TinyModelBackend(Files.createTempDirectory("kaiyuan-thinking"), generation, 40, STARTS_THINKING);
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

    @Test
    void reasoningStreamsIntoAThinkingBlockShownWholeThatFoldsWhenTheAnswerStarts(FxRobot robot) throws Exception {
        robot.clickOn("#chat-input").write("Why is the sky blue?").type(KeyCode.ENTER);
        FxWait.until(60, TimeUnit.SECONDS, () -> ChatPage.answered(robot, 2));
        WaitForAsyncUtils.waitForFxEvents();
        MessageItem answer = WaitForAsyncUtils.asyncFx(() -> ChatPage.items(robot).get(1)).get();
        assertFalse(answer.reasoningProperty().get().isEmpty(), "the output streamed as reasoning");
        assertTrue(answer.textProperty().get().isEmpty(), "the block never closed: no answer text");
        MessageView view = ChatPage.view(robot, 1);
        Node thinking = ChatPage.visible(robot, view, ChatView.THINKING_STYLE);
        Button toggle = robot.from(thinking).lookup(".thinking-toggle").queryButton();
        RichText reasoning = robot.from(thinking).lookup("." + ChatView.REASONING_STYLE).match(n -> n instanceof RichText)
                .query();
        assertTrue(reasoning.isVisible(), "open while there is no answer");
        assertTrue(toggle.getText().startsWith("Thought for ") && toggle.getText().endsWith(" s"), toggle.getText());

        String long_ = "The sky scatters short wavelengths more than long ones. ".repeat(30);
        robot.interact(() -> answer.reasoningProperty().set(long_));
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals(long_, reasoning.plainText());
        assertTrue(reasoning.getHeight() > 6 * 14, "every line of the thinking is shown, not one: " + reasoning.getHeight());

        robot.interact(() -> answer.textProperty().set("Rayleigh scattering."));
        WaitForAsyncUtils.waitForFxEvents();
        assertFalse(reasoning.isVisible(), "folded once the answer starts");
        robot.clickOn(toggle);
        assertTrue(reasoning.isVisible(), "and opens again on a click");
    }
}
