package io.kaiyuan.ui.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kaiyuan.engine.api.CancellationToken;
import io.kaiyuan.engine.api.ChatMessage;
import io.kaiyuan.engine.api.FinishReason;
import io.kaiyuan.engine.api.GenerationMetrics;
import io.kaiyuan.engine.api.GenerationResult;
import io.kaiyuan.engine.api.SamplingOverrides;
import io.kaiyuan.engine.api.TokenListener;
import io.kaiyuan.engine.api.ToolCall;
import io.kaiyuan.ui.shell.MainWindow;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.ResourceBundle;
import java.util.concurrent.CopyOnWriteArrayList;
import javafx.application.Platform;
import javafx.scene.Scene;
import javafx.scene.control.Label;
import javafx.scene.input.KeyCode;
import javafx.stage.Stage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/**
 * A turn whose model calls a tool: the page asks (the bar above the input), the answer goes back to the
 * backend, and the call is shown and kept in the answer between the model's words.
 */
@ExtendWith(ApplicationExtension.class)
class ToolApprovalViewTest {
    private ChatViewModel model;
    private final List<Boolean> answers = new CopyOnWriteArrayList<>();

    /** A backend whose "model" asks to run add, then answers with what came back. */
    private final ChatBackend backend = new ChatBackend() {
        @Override
        public List<String> installedModels() {
            return List.of("tools/demo");
        }

        @Override
        public void answer(String modelId, List<ChatMessage> conversation, Map<String, Object> templateVariables,
                SamplingOverrides sampling, TokenListener listener, CancellationToken cancel, Completion completion) {
            new Thread(() -> {
                listener.onText("Let me add them.");
                ToolCall call = new ToolCall("call_1", "add", "{\"a\":20,\"b\":22}");
                boolean allowed = completion.allowToolCall("echo", call);
                answers.add(allowed);
                completion.toolCalled("echo", call, allowed ? "42" : "The user did not allow this call.", !allowed, 12);
                String last = allowed ? "The sum is 42." : "I could not add them.";
                listener.onText(last);
                completion.finished(new GenerationResult(List.of(1), List.of(2), last, "", last, false, FinishReason.STOP,
                        new GenerationMetrics(1, 0, 1, 0, 0, 0, 0, 0)));
            }, "test-generation").start();
        }
    };

    @Start
    void start(Stage stage) {
        ResourceBundle en = ResourceBundle.getBundle(MainWindow.BUNDLE, Locale.ENGLISH);
        model = new ChatViewModel(backend, Platform::runLater, en);
        model.setModels(List.of("tools/demo"));
        stage.setScene(new Scene(new ChatView(model, en).root(), 1000, 700));
        stage.show();
    }

    private String lastAnswer() {
        return model.conversation().get(model.conversation().size() - 1).textProperty().get();
    }

    @Test
    void theCallWaitsForAllowAndIsShownInTheAnswerAndDenyIsToldToo(FxRobot robot) throws Exception {
        robot.clickOn("#chat-input").write("What is 20 + 22?").type(KeyCode.ENTER);
        WaitForAsyncUtils.waitFor(10, java.util.concurrent.TimeUnit.SECONDS, () -> model.toolApprovalProperty().get() != null);
        WaitForAsyncUtils.waitForFxEvents();
        Label ask = robot.lookup("#chat-tool-ask").queryAs(Label.class);
        javafx.scene.Node bar = ask.getParent().getParent();
        assertTrue(bar.isVisible() && ask.getText().contains("add") && ask.getText().contains("echo"), ask.getText());
        assertTrue(robot.lookup("#chat-tool-arguments").queryAs(Label.class).getText().contains("\"a\":20"));
        assertEquals(List.of(), answers, "nothing runs before the user answers");
        robot.clickOn("#chat-tool-allow");
        WaitForAsyncUtils.waitFor(10, java.util.concurrent.TimeUnit.SECONDS, () -> model.stateProperty().get()
                == ChatViewModel.State.IDLE && !answers.isEmpty());
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals(List.of(true), answers);
        String answer = lastAnswer();
        assertTrue(answer.startsWith("Let me add them.") && answer.contains("Called add on echo")
                && answer.contains("42") && answer.endsWith("The sum is 42."), answer);
        assertTrue(!bar.isVisible() && model.toolApprovalProperty().get() == null,
                "the bar goes once answered");

        robot.clickOn("#chat-input").write("Again?").type(KeyCode.ENTER);
        WaitForAsyncUtils.waitFor(10, java.util.concurrent.TimeUnit.SECONDS, () -> model.toolApprovalProperty().get() != null);
        robot.clickOn("#chat-tool-deny");
        WaitForAsyncUtils.waitFor(10, java.util.concurrent.TimeUnit.SECONDS, () -> answers.size() == 2
                && model.stateProperty().get() == ChatViewModel.State.IDLE);
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals(List.of(true, false), answers);
        assertTrue(lastAnswer().contains("did not allow"), lastAnswer());
    }
}
