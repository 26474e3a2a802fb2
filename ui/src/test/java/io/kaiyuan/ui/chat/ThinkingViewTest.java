package io.kaiyuan.ui.chat;

import io.kaiyuan.ui.FxWait;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kaiyuan.ui.shell.MainWindow;
import java.nio.file.Files;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import javafx.scene.Scene;
import javafx.scene.control.ListView;
import javafx.scene.control.TitledPane;
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
    void stop() {
        generation.shutdownNow();
        backend.close();
    }

    @Test
    void reasoningStreamsIntoAThinkingBlockThatFoldsWhenTheAnswerStarts(FxRobot robot) throws Exception {
        @SuppressWarnings("unchecked")
        ListView<MessageItem> list = robot.lookup("#chat-messages").queryAs(ListView.class);
        robot.clickOn("#chat-input").write("Why is the sky blue?").type(KeyCode.ENTER);
        FxWait.until(60, TimeUnit.SECONDS, () -> list.getItems().size() == 2
                && !list.getItems().get(1).footerProperty().get().isEmpty());
        WaitForAsyncUtils.waitForFxEvents();
        MessageItem answer = list.getItems().get(1);
        assertFalse(answer.reasoningProperty().get().isEmpty(), "the output streamed as reasoning");
        assertTrue(answer.textProperty().get().isEmpty(), "the block never closed: no answer text");
        TitledPane thinking = robot.lookup(".thinking").match(n -> n.isVisible()).queryAs(TitledPane.class);
        assertTrue(thinking.isExpanded(), "open while there is no answer");
        assertTrue(thinking.getText().startsWith("Thought for ") && thinking.getText().endsWith(" s"), thinking.getText());

        robot.interact(() -> answer.textProperty().set("Rayleigh scattering."));
        WaitForAsyncUtils.waitForFxEvents();
        assertFalse(thinking.isExpanded(), "folded once the answer starts");
    }
}
