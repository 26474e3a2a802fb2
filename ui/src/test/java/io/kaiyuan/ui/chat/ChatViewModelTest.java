package io.kaiyuan.ui.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kaiyuan.engine.api.ChatMessage;
import io.kaiyuan.ui.shell.MainWindow;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.ResourceBundle;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The view model without the FX toolkit: a same-thread executor and a real tiny model. */
class ChatViewModelTest {
    private static final ResourceBundle EN = ResourceBundle.getBundle(MainWindow.BUNDLE, Locale.ENGLISH);

    @TempDir
    static Path dir;

    private static TinyModelBackend backend;

    @BeforeAll
    static void load() throws Exception {
        backend = new TinyModelBackend(dir.resolve("m"), Runnable::run, 12);
    }

    @AfterAll
    static void close() {
        backend.close();
    }

    @Test
    void sendStreamsTheAnswerAndKeepsTheHistory() {
        AtomicInteger fxTasks = new AtomicInteger();
        ChatViewModel vm = new ChatViewModel(backend, r -> {
            fxTasks.incrementAndGet();
            r.run();
        }, EN);
        vm.setModels(List.of("tiny/qwen"));
        assertEquals("tiny/qwen", vm.selectedModelProperty().get());
        vm.inputProperty().set("你好");
        vm.send();
        assertEquals(ChatViewModel.State.IDLE, vm.stateProperty().get());
        assertEquals(2, vm.conversation().size());
        assertEquals("user", vm.conversation().get(0).role());
        MessageItem answer = vm.conversation().get(1);
        assertFalse(answer.textProperty().get().isEmpty());
        assertTrue(answer.footerProperty().get().contains("12 tokens") && answer.footerProperty().get().contains("length limit"),
                answer.footerProperty().get());
        assertEquals("", vm.inputProperty().get());
        assertTrue(fxTasks.get() < 12 + 4, "text is batched, not one FX task per token: " + fxTasks.get());

        vm.inputProperty().set("And then?");
        vm.send();
        List<ChatMessage> second = backend.requests.get(backend.requests.size() - 1);
        assertEquals(List.of("user", "assistant", "user"), second.stream().map(ChatMessage::role).toList());
        assertEquals(answer.textProperty().get(), second.get(1).content());
        assertEquals(4, vm.conversation().size());
    }

    @Test
    void withoutAModelTheUserIsToldWhatToDo() {
        ChatViewModel vm = new ChatViewModel(backend, Runnable::run, EN);
        vm.setModels(List.of());
        vm.inputProperty().set("hi");
        vm.send();
        assertTrue(vm.errorProperty().get().contains("No model is installed"), vm.errorProperty().get());
        assertTrue(vm.conversation().isEmpty());
        assertEquals("hi", vm.inputProperty().get(), "the message is kept");
    }

    @Test
    void aFailedAnswerShowsTheMessageAndKeepsTheConversation() {
        ChatViewModel vm = new ChatViewModel(backend, Runnable::run, EN);
        vm.setModels(List.of("gone/model"));
        vm.inputProperty().set("hi");
        vm.send();
        assertEquals("gone/model is not installed", vm.errorProperty().get());
        assertEquals(1, vm.conversation().size(), "the empty answer is removed, the question stays");
        assertEquals(ChatViewModel.State.IDLE, vm.stateProperty().get());
    }
}
