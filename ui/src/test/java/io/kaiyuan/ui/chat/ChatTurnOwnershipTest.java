package io.kaiyuan.ui.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kaiyuan.engine.api.SamplingOverrides;
import io.kaiyuan.engine.chat.ChatStore;
import io.kaiyuan.engine.chat.Conversation;
import io.kaiyuan.engine.chat.StoredMessage;
import io.kaiyuan.ui.shell.MainWindow;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.ResourceBundle;
import java.util.concurrent.Executor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A turn belongs to the conversation that asked, whatever the user does while it streams: switching,
 * starting a new chat, deleting, renaming. Driven by hand (a scripted backend, a real SQLite file).
 */
class ChatTurnOwnershipTest {
    private static final ResourceBundle EN = ResourceBundle.getBundle(MainWindow.BUNDLE, Locale.ENGLISH);
    private static final SamplingOverrides B_SAMPLING = new SamplingOverrides(0.3, null, null, null, null, 7L);

    @TempDir
    Path dir;
    private ChatStore store;
    private ScriptedBackend backend;
    private ChatViewModel vm;

    @BeforeEach
    void open() throws Exception {
        store = ChatStore.open(dir.resolve("chats.db"));
        backend = new ScriptedBackend();
        vm = new ChatViewModel(backend, Runnable::run, EN, store, Runnable::run);
        vm.setModels(backend.installedModels());
    }

    @AfterEach
    void close() {
        store.close();
    }

    private void ask(String text) {
        vm.inputProperty().set(text);
        vm.send();
    }

    private void turn(String question, String answer) {
        ask(question);
        backend.last().text(answer).finish();
    }

    private Conversation stored(String title) throws Exception {
        return store.list().stream().filter(c -> c.title().equals(title)).findFirst().orElseThrow();
    }

    private List<String> texts(Conversation c) throws Exception {
        return store.messages(c.id()).stream().map(StoredMessage::content).toList();
    }

    /** Conversation "b1" on b/model with its own system prompt and sampling. */
    private Conversation conversationB() throws Exception {
        vm.newChat();
        vm.selectedModelProperty().set("b/model");
        vm.systemPromptProperty().set("B system");
        vm.samplingProperty().set(B_SAMPLING);
        turn("b1", "answer b1");
        return stored("b1");
    }

    @Test
    void switchingConversationsWhileAnAnswerStreamsSavesItWhereItWasAsked() throws Exception {
        turn("a1", "answer a1");
        Conversation a = stored("a1");
        Conversation b = conversationB();

        vm.open(a);
        vm.selectedModelProperty().set("a/model");
        ask("a2");
        ScriptedBackend.Turn inFlight = backend.last();
        inFlight.text("partial");
        vm.open(b);
        inFlight.text(" more").finish();

        assertEquals(List.of("b1", "answer b1"), texts(b), "the other conversation keeps its messages");
        Conversation bAfter = store.find(b.id()).orElseThrow();
        assertEquals(Optional.of("b/model"), bAfter.modelId());
        assertEquals("B system", bAfter.systemPrompt());
        assertEquals(B_SAMPLING, bAfter.sampling());
        assertEquals(List.of("a1", "answer a1", "a2"), texts(a).subList(0, 3), "the turn is saved in its own conversation");
        assertEquals(4, texts(a).size());
        assertTrue(texts(a).get(3).startsWith("partial"), texts(a).get(3));
        assertEquals(b.id(), vm.currentProperty().get().id(), "the page still shows the conversation opened");
        assertEquals(List.of("b1", "answer b1"), vm.conversation().stream().map(m -> m.textProperty().get()).toList());
    }

    @Test
    void aNewChatWhileTheFirstAnswerStreamsStaysNew() throws Exception {
        ask("first question");
        ScriptedBackend.Turn inFlight = backend.last();
        inFlight.text("an answer");
        vm.newChat();
        inFlight.text(" that goes on").finish();

        assertNull(vm.currentProperty().get(), "the new chat is still a new chat");
        assertTrue(vm.conversation().isEmpty(), vm.conversation().toString());
        Conversation first = stored("first question");
        assertEquals("first question", texts(first).get(0));
        assertEquals(2, texts(first).size());

        turn("second question", "answer 2");
        assertEquals(2, store.list().size(), "the new chat is a conversation of its own");
        assertEquals(List.of("second question", "answer 2"), texts(stored("second question")));
        assertEquals(2, texts(first).size(), "nothing was added to the first one");
    }

    @Test
    void deletingTheConversationWhileItsAnswerStreamsLeavesNothingBehind() throws Exception {
        turn("a1", "answer a1");
        Conversation a = stored("a1");
        ask("a2");
        ScriptedBackend.Turn inFlight = backend.last();
        inFlight.text("partial");
        vm.delete(a);
        inFlight.text(" more").finish();

        assertEquals(List.of(), store.list(), "no stray conversation");
        assertNull(vm.currentProperty().get());
        assertTrue(vm.conversation().isEmpty());
    }

    @Test
    void renamingRightAfterChangingTheSettingsKeepsTheSettings() throws Exception {
        turn("a1", "answer a1");
        Conversation listed = vm.conversations().get(0);
        vm.systemPromptProperty().set("Be brief.");
        vm.samplingProperty().set(B_SAMPLING);
        vm.saveSettings();
        vm.rename(listed, "Renamed");

        Conversation after = store.find(listed.id()).orElseThrow();
        assertEquals("Renamed", after.title());
        assertEquals("Be brief.", after.systemPrompt());
        assertEquals(B_SAMPLING, after.sampling());
    }

    /** Runs the tasks given to it when told, newest first: a pool that reorders as badly as it may. */
    private static final class ReorderingExecutor implements Executor {
        final Deque<Runnable> tasks = new ArrayDeque<>();

        @Override
        public void execute(Runnable task) {
            tasks.push(task);
        }

        void runAllNewestFirst() {
            while (!tasks.isEmpty()) {
                tasks.pop().run();
            }
        }
    }

    @Test
    void writesForOneConversationApplyInOrderOnAReorderingPool() throws Exception {
        turn("a1", "answer a1");
        Conversation a = stored("a1");
        ReorderingExecutor io = new ReorderingExecutor();
        ChatViewModel page = new ChatViewModel(backend, Runnable::run, EN, store, io);
        page.setModels(backend.installedModels());
        page.open(a);
        io.runAllNewestFirst();
        page.systemPromptProperty().set("first");
        page.saveSettings();
        page.systemPromptProperty().set("second");
        page.saveSettings();
        page.samplingProperty().set(B_SAMPLING);
        page.saveSettings();
        io.runAllNewestFirst();
        io.runAllNewestFirst();
        io.runAllNewestFirst();

        Conversation after = store.find(a.id()).orElseThrow();
        assertEquals("second", after.systemPrompt());
        assertEquals(B_SAMPLING, after.sampling());
    }

    @Test
    void anExportUsesTheModelChosenWhenItWasAsked() throws Exception {
        ReorderingExecutor io = new ReorderingExecutor();
        ChatViewModel page = new ChatViewModel(backend, Runnable::run, EN, null, io);
        page.setModels(backend.installedModels());
        page.selectedModelProperty().set("a/model");
        page.inputProperty().set("q");
        page.send();
        backend.last().text("answer").finish();
        Path file = dir.resolve("out.json");
        page.export(file, ChatViewModel.ExportFormat.JSON);
        page.selectedModelProperty().set("b/model");
        io.runAllNewestFirst();
        String json = java.nio.file.Files.readString(file);
        assertTrue(json.contains("\"model\" : \"a/model\""), json);
    }
}
