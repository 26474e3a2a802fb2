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
import io.kaiyuan.engine.chat.ChatStore;
import io.kaiyuan.engine.chat.Conversation;
import io.kaiyuan.engine.chat.ToolRound;
import io.kaiyuan.ui.shell.MainWindow;
import java.nio.file.Files;
import java.nio.file.Path;
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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/**
 * A turn whose model calls a tool: the page asks (the bar above the input), the answer goes back to the
 * backend, and the call is shown in the answer between the model's words, kept in chats.db as the answer's
 * round of calls, and read back by the model on the next question as its {@code tool_calls} turn and the
 * {@code tool} result.
 */
@ExtendWith(ApplicationExtension.class)
class ToolApprovalViewTest {
    private ChatViewModel model;
    private ChatStore store;
    private Path dir;
    private final List<Boolean> answers = new CopyOnWriteArrayList<>();
    /** What the backend was given to answer, per question. */
    private final List<List<ChatMessage>> asked = new CopyOnWriteArrayList<>();

    /** A backend whose "model" asks to run add, then answers with what came back. */
    private final ChatBackend backend = new ChatBackend() {
        @Override
        public List<String> installedModels() {
            return List.of("tools/demo");
        }

        @Override
        public void answer(String modelId, List<ChatMessage> conversation, Map<String, Object> templateVariables,
                SamplingOverrides sampling, TokenListener listener, CancellationToken cancel, Completion completion) {
            asked.add(List.copyOf(conversation));
            new Thread(() -> {
                listener.onReasoning("They want a sum.");
                listener.onText("Let me add them.");
                ToolCall call = new ToolCall("call_" + asked.size(), "add", "{\"a\":20,\"b\":22}");
                boolean allowed = completion.allowToolCall("echo", call);
                answers.add(allowed);
                completion.toolCalled(0, "echo", call, allowed ? "42" : "The user did not allow this call.", !allowed, 12);
                String last = allowed ? "The sum is 42." : "I could not add them.";
                listener.onText(last);
                completion.finished(new GenerationResult(List.of(1), List.of(2), last, "", last, false, FinishReason.STOP,
                        new GenerationMetrics(1, 0, 1, 0, 0, 0, 0, 0)));
            }, "test-generation").start();
        }
    };

    @Start
    void start(Stage stage) throws Exception {
        dir = Files.createTempDirectory("kaiyuan-tools");
        store = ChatStore.open(dir.resolve("chats.db"));
        ResourceBundle en = ResourceBundle.getBundle(MainWindow.BUNDLE, Locale.ENGLISH);
        java.util.concurrent.ExecutorService io = java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "test-io");
            t.setDaemon(true);
            return t;
        });
        model = new ChatViewModel(backend, Platform::runLater, en, store, io);
        model.setModels(List.of("tools/demo"));
        stage.setScene(new Scene(new ChatView(model, en).root(), 1000, 700));
        stage.show();
    }

    @AfterEach
    void close() {
        store.close();
    }

    private MessageItem lastAnswer() {
        return model.conversation().get(model.conversation().size() - 1);
    }

    /** The words of the messages the page shows, in order (the text nodes' texts, joined). */
    private static String shown(FxRobot robot) {
        StringBuilder out = new StringBuilder();
        for (javafx.scene.Node n : robot.lookup(".message-text").queryAll()) {
            collect(n, out);
        }
        return out.toString();
    }

    private static void collect(javafx.scene.Node n, StringBuilder out) {
        if (n instanceof javafx.scene.text.Text t) {
            out.append(t.getText());
        } else if (n instanceof javafx.scene.Parent p) {
            p.getChildrenUnmodifiable().forEach(c -> collect(c, out));
        }
    }

    private static void assertInOrder(String text, String... parts) {
        int at = 0;
        for (String part : parts) {
            int found = text.indexOf(part, at);
            assertTrue(found >= 0, "'" + part + "' after " + at + " in: " + text);
            at = found + part.length();
        }
    }

    @Test
    void theCallWaitsForAllowIsShownKeptAndReadBackAndDenyIsToldToo(FxRobot robot) throws Exception {
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
        ToolRound.Call added = new ToolRound.Call("call_1", "add", "{\"a\":20,\"b\":22}", "echo", "42", false, 12);
        MessageItem.Version answer = lastAnswer().chosen();
        assertEquals("The sum is 42.", answer.textProperty().get(), "the text after the call is the answer's text");
        assertEquals(List.of(new ToolRound("Let me add them.", "They want a sum.", List.of(added))), answer.toolRounds());
        assertInOrder(shown(robot), "What is 20 + 22?", "Let me add them.", "Called add on echo (12 ms)", "42",
                "The sum is 42.");
        StringBuilder thought = new StringBuilder();
        robot.lookup("." + ChatView.REASONING_STYLE).queryAll().forEach(n -> collect(n, thought));
        assertTrue(thought.toString().contains("They want a sum."), "the round's thinking stays in the Thinking block: " + thought);
        assertTrue(!bar.isVisible() && model.toolApprovalProperty().get() == null,
                "the bar goes once answered");

        robot.clickOn("#chat-input").write("Again?").type(KeyCode.ENTER);
        WaitForAsyncUtils.waitFor(10, java.util.concurrent.TimeUnit.SECONDS, () -> model.toolApprovalProperty().get() != null);
        List<ChatMessage> second = asked.get(1);
        assertEquals(List.of("user", "assistant", "tool", "assistant", "user"), second.stream().map(ChatMessage::role).toList(),
                "the model reads its call and the result back as messages, not as text: " + second);
        assertEquals("Let me add them.", second.get(1).content());
        assertEquals(List.of(added.toolCall().messageField()), second.get(1).extra().get("tool_calls"));
        assertEquals(Map.of("tool_call_id", "call_1", "name", "add"), second.get(2).extra());
        assertEquals("42", second.get(2).content());
        assertEquals("The sum is 42.", second.get(3).content());
        robot.clickOn("#chat-tool-deny");
        WaitForAsyncUtils.waitFor(10, java.util.concurrent.TimeUnit.SECONDS, () -> answers.size() == 2
                && model.stateProperty().get() == ChatViewModel.State.IDLE);
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals(List.of(true, false), answers);
        assertEquals("I could not add them.", lastAnswer().textProperty().get());
        assertTrue(lastAnswer().chosen().toolRounds().get(0).calls().get(0).error());
        assertInOrder(shown(robot), "Again?", "add on echo did not run or failed", "The user did not allow this call.",
                "I could not add them.");

        // kept: chats.db has the calls as the answers' rounds, and the conversation opened again shows them
        WaitForAsyncUtils.waitFor(10, java.util.concurrent.TimeUnit.SECONDS, () -> store.list().size() == 1
                && store.messages(store.list().get(0).id()).size() == 4);
        Conversation kept = store.list().get(0);
        assertEquals(List.of(new ToolRound("Let me add them.", "They want a sum.", List.of(added))),
                store.messages(kept.id()).get(1).toolRounds());
        assertEquals(List.of("user", "assistant", "tool", "assistant", "user", "assistant", "tool", "assistant"),
                store.chatMessages(kept.id()).stream().map(ChatMessage::role).toList());
        robot.interact(model::newChat);
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals(0, model.conversation().size());
        robot.interact(() -> model.open(kept));
        WaitForAsyncUtils.waitFor(10, java.util.concurrent.TimeUnit.SECONDS, () -> model.conversation().size() == 4);
        WaitForAsyncUtils.waitForFxEvents();
        assertInOrder(shown(robot), "Let me add them.", "Called add on echo (12 ms)", "The sum is 42.", "Again?",
                "did not run or failed", "I could not add them.");
    }
}
