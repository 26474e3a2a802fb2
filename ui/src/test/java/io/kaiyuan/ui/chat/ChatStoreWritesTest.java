package io.kaiyuan.ui.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.kaiyuan.engine.chat.ChatStore;
import io.kaiyuan.engine.chat.Conversation;
import io.kaiyuan.engine.chat.StoredMessage;
import io.kaiyuan.ui.shell.MainWindow;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.ResourceBundle;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The store is written one serial executor per conversation: two conversations' writes wait side by side,
 * one conversation's apply in the order asked, whatever order the pool runs what it holds in.
 */
class ChatStoreWritesTest {
    private static final ResourceBundle EN = ResourceBundle.getBundle(MainWindow.BUNDLE, Locale.ENGLISH);

    @TempDir
    Path dir;
    private ChatStore store;
    private ScriptedBackend backend;
    private ChatViewModel vm;
    /** The io pool's queue, run by hand. */
    private final List<Runnable> pool = new ArrayList<>();

    @BeforeEach
    void open() throws Exception {
        store = ChatStore.open(dir.resolve("chats.db"));
        backend = new ScriptedBackend();
        vm = new ChatViewModel(backend, Runnable::run, EN, store, pool::add);
        vm.setModels(backend.installedModels());
        runAll(); // the saved assistants
    }

    @AfterEach
    void close() {
        store.close();
    }

    private void runAll() {
        while (!pool.isEmpty()) {
            pool.remove(0).run();
        }
    }

    private void ask(String text) {
        vm.inputProperty().set(text);
        vm.send();
    }

    private List<String> texts(String title) throws Exception {
        Conversation c = store.list().stream().filter(x -> x.title().equals(title)).findFirst().orElseThrow();
        return store.messages(c.id()).stream().map(StoredMessage::content).toList();
    }

    @Test
    void conversationsAreWrittenSideBySideEachInItsOwnOrder() throws Exception {
        ask("a1");
        backend.last().text("answer a1").finish();
        assertEquals(1, pool.size(), "a's answer waits behind a's question, not in the pool");

        vm.newChat();
        ask("b1");
        backend.last().text("answer b1").finish();
        assertEquals(2, pool.size(), "b's first write does not wait for a's");

        // the pool runs b's writes first, then a's: each conversation still gets question, then answer
        pool.remove(1).run();
        while (pool.size() > 1) {
            pool.remove(pool.size() - 1).run();
        }
        runAll();
        assertEquals(List.of("b1", "answer b1"), texts("b1"));
        assertEquals(List.of("a1", "answer a1"), texts("a1"));
        assertEquals(2, store.list().size());
        assertEquals(2, vm.conversations().size(), "the list read after the writes");
    }

    @Test
    void aConversationOpenedAgainIsReadAfterItsPendingWrites() throws Exception {
        ask("a1");
        backend.last().text("answer a1").finish();
        runAll();
        Conversation a = vm.currentProperty().get();

        ask("a2");
        backend.last().text("answer a2").finish();
        vm.newChat();
        vm.open(a); // a's history is read behind a2 and its answer
        runAll();
        assertEquals(List.of("a1", "answer a1", "a2", "answer a2"),
                vm.conversation().stream().map(m -> m.textProperty().get()).toList());
    }
}
