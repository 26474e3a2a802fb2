package io.kaiyuan.engine.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kaiyuan.engine.api.FinishReason;
import io.kaiyuan.engine.api.GenerationMetrics;
import io.kaiyuan.engine.api.SamplingOverrides;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The chat history in a real SQLite file. */
class ChatStoreTest {
    @TempDir
    Path dir;

    private static final GenerationMetrics METRICS = new GenerationMetrics(12, 0, 5, 0, 40.5, 300, 25.5, 810);
    private static final SamplingOverrides SAMPLING = new SamplingOverrides(0.7, 20, 0.8, null, 1.05, 42L);

    private Path db() {
        return dir.resolve("kaiyuan.db");
    }

    @Test
    void aTurnIsStoredWithHowTheAnswerWasMadeAndSurvivesReopening() throws Exception {
        long id;
        try (ChatStore store = ChatStore.open(db())) {
            Conversation c = store.create("你好", Optional.of("qwen2.5-0.5b-instruct"));
            id = c.id();
            store.replaceFrom(id, 0, List.of(StoredMessage.user("你好"),
                    StoredMessage.answer("你好！有什么可以帮你？", "用户在打招呼。", "qwen2.5-0.5b-instruct", "q4", SAMPLING, METRICS,
                            FinishReason.STOP)));
            store.update(new Conversation(id, "Greeting", c.modelId(), "You are terse.", SAMPLING, c.createdAt(), c.updatedAt()));
        }
        try (ChatStore store = ChatStore.open(db())) {
            Conversation c = store.find(id).orElseThrow();
            assertEquals("Greeting", c.title());
            assertEquals("You are terse.", c.systemPrompt());
            assertEquals(SAMPLING, c.sampling());
            List<StoredMessage> messages = store.messages(id);
            assertEquals(2, messages.size());
            assertEquals("你好", messages.get(0).content());
            StoredMessage answer = messages.get(1);
            assertEquals("assistant", answer.role());
            assertEquals("用户在打招呼。", answer.reasoning());
            assertEquals(Optional.of("q4"), answer.variant());
            assertEquals(Optional.of(SAMPLING), answer.sampling());
            assertEquals(Optional.of(METRICS), answer.metrics());
            assertEquals(Optional.of(FinishReason.STOP), answer.finishReason());
            assertEquals(List.of(io.kaiyuan.engine.api.ChatMessage.system("You are terse."),
                    io.kaiyuan.engine.api.ChatMessage.user("你好"),
                    new io.kaiyuan.engine.api.ChatMessage("assistant", "你好！有什么可以帮你？", java.util.Map.of())),
                    store.chatMessages(id), "what a model reads: system prompt first, no reasoning");
            java.io.IOException gone = org.junit.jupiter.api.Assertions.assertThrows(java.io.IOException.class,
                    () -> store.chatMessages(id + 100));
            org.junit.jupiter.api.Assertions.assertTrue(gone.getMessage().contains("may have been deleted"), gone.getMessage());
        }
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db());
                Statement s = c.createStatement();
                ResultSet mode = s.executeQuery("PRAGMA journal_mode")) {
            assertEquals("wal", mode.getString(1));
        }
    }

    @Test
    void listSearchRenameAndDelete() throws Exception {
        try (ChatStore store = ChatStore.open(db())) {
            Conversation rust = store.create("Rust lifetimes", Optional.empty());
            Conversation poem = store.create("A poem", Optional.empty());
            store.replaceFrom(poem.id(), 0, List.of(StoredMessage.user("写一首关于长江的诗")));
            Conversation pct = store.create("100% sure", Optional.empty());
            assertEquals(List.of(pct.id(), poem.id(), rust.id()), store.list().stream().map(Conversation::id).toList(),
                    "the most recently changed first");
            assertEquals(List.of(poem.id()), ids(store.search("长江")), "found by content");
            assertEquals(List.of(rust.id()), ids(store.search("LIFETIME")), "found by title, any case");
            assertEquals(List.of(pct.id()), ids(store.search("100%")), "% is text, not a wildcard");
            assertEquals(List.of(), ids(store.search("_")));

            store.update(new Conversation(rust.id(), "Borrowing", rust.modelId(), "", SamplingOverrides.NONE, rust.createdAt(),
                    rust.updatedAt()));
            assertEquals("Borrowing", store.find(rust.id()).orElseThrow().title());
            store.delete(poem.id());
            assertTrue(store.find(poem.id()).isEmpty());
            assertEquals(List.of(), store.messages(poem.id()), "its messages went with it");
        }
    }

    private static List<Long> ids(List<Conversation> list) {
        return list.stream().map(Conversation::id).toList();
    }

    @Test
    void regeneratingReplacesTheAnswerAndAFailedWriteChangesNothing() throws Exception {
        try (ChatStore store = ChatStore.open(db())) {
            long id = store.create("t", Optional.empty()).id();
            store.replaceFrom(id, 0, List.of(StoredMessage.user("one"), answer("first answer")));
            store.replaceFrom(id, 2, List.of(StoredMessage.user("two"), answer("second answer")));
            store.replaceFrom(id, 3, List.of(answer("second answer, regenerated")));
            assertEquals(List.of("one", "first answer", "two", "second answer, regenerated"),
                    store.messages(id).stream().map(StoredMessage::content).toList());

            // An edit whose second message cannot be stored (a role the schema refuses) fails whole.
            StoredMessage bad = new StoredMessage("robot", "x", "", Optional.empty(), Optional.empty(), Optional.empty(),
                    Optional.empty(), Optional.empty(), Instant.now());
            assertThrows(IOException.class, () -> store.replaceFrom(id, 2, List.of(StoredMessage.user("two, edited"), bad)));
            assertEquals(List.of("one", "first answer", "two", "second answer, regenerated"),
                    store.messages(id).stream().map(StoredMessage::content).toList(), "the previous state is intact");
        }
    }

    private static StoredMessage answer(String text) {
        return StoredMessage.answer(text, "", "m", "q4", SamplingOverrides.NONE, METRICS, FinishReason.STOP);
    }

    @Test
    void aFileFromAnOlderVersionIsMigratedWithItsConversations() throws Exception {
        long id;
        try (ChatStore old = ChatStore.open(db(), 1)) {
            assertEquals(1, old.version());
            id = old.create("from version 1", Optional.of("qwen2.5-0.5b-instruct")).id();
        }
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db()); Statement s = c.createStatement()) {
            s.execute("INSERT INTO messages (conversation_id, position, role, content, reasoning, created_at) VALUES (" + id
                    + ", 0, 'user', 'kept', '', '2026-01-01T00:00:00Z')");
        }
        try (ChatStore store = ChatStore.open(db())) {
            assertEquals(ChatStore.MIGRATIONS.size(), store.version());
            assertEquals("from version 1", store.find(id).orElseThrow().title());
            StoredMessage kept = store.messages(id).get(0);
            assertEquals("kept", kept.content());
            assertTrue(kept.metrics().isEmpty() && kept.sampling().isEmpty());
            store.replaceFrom(id, 1, List.of(answer("new")));
            assertEquals(Optional.of(METRICS), store.messages(id).get(1).metrics());
        }
    }

    @Test
    void aFileFromANewerVersionIsRefusedWithAMessageNotOverwritten() throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db()); Statement s = c.createStatement()) {
            s.execute("PRAGMA user_version=99");
        }
        IOException e = assertThrows(IOException.class, () -> ChatStore.open(db()));
        assertTrue(e.getMessage().contains("newer Kaiyuan") && e.getMessage().contains("update Kaiyuan"), e.getMessage());
    }
}
