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
            store.rename(id, "Greeting");
            store.updateSettings(id, c.modelId(), "You are terse.", SAMPLING);
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

            store.rename(rust.id(), "Borrowing");
            assertEquals("Borrowing", store.find(rust.id()).orElseThrow().title());
            assertEquals(List.of(pct.id(), poem.id(), rust.id()), ids(store.list()), "a rename does not move it up the list");
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
    void regeneratedAnswersKeepTheirVersionsAndTheChosenOneIsWhatTheModelReads() throws Exception {
        try (ChatStore store = ChatStore.open(db())) {
            long id = store.create("t", Optional.empty()).id();
            store.replaceFrom(id, 0, List.of(StoredMessage.user("one"), answer("first")));
            assertEquals(1, store.addVersion(id, 1, answer("second")));
            assertEquals(2, store.addVersion(id, 1, answer("third")));
            List<VersionedMessage> history = store.history(id);
            assertEquals(2, history.size());
            assertEquals(List.of("first", "second", "third"), history.get(1).versions().stream().map(StoredMessage::content).toList());
            assertEquals(2, history.get(1).chosen(), "a new version is chosen");
            assertEquals("third", store.messages(id).get(1).content());

            store.choose(id, 1, 0);
            assertEquals("first", store.history(id).get(1).message().content());
            assertEquals(List.of("one", "first"), store.chatMessages(id).stream().map(m -> m.content()).toList(),
                    "the chosen version is what the next turn reads");
            assertEquals(List.of(id), ids(store.search("third")), "every version is searched");
            assertThrows(IOException.class, () -> store.choose(id, 1, 9));
            assertEquals("first", store.history(id).get(1).message().content(), "a bad choice changes nothing");

            store.replaceFrom(id, 2, List.of(StoredMessage.user("two")));
            assertEquals(3, store.history(id).size());
            store.replaceFrom(id, 0, List.of(StoredMessage.user("one, edited")));
            assertEquals(List.of("one, edited"), store.messages(id).stream().map(StoredMessage::content).toList(),
                    "an edit drops the later messages with all their versions");
            assertEquals(1, store.history(id).size());
        }
    }

    @Test
    void aTitleFromTheFirstQuestionFollowsItsEditsUntilTheUserRenamesIt() throws Exception {
        try (ChatStore store = ChatStore.open(db())) {
            Conversation c = store.create("What is", Optional.of("m"));
            assertTrue(store.retitle(c.id(), "What is Rust?"));
            assertEquals("What is Rust?", store.find(c.id()).orElseThrow().title());
            assertTrue(!store.retitle(c.id(), "What is Rust?"), "the same title is no change");
            store.rename(c.id(), "Rust");
            assertTrue(!store.retitle(c.id(), "What is Go?"));
            assertEquals("Rust", store.find(c.id()).orElseThrow().title(), "the user's title stays");
        }
    }

    @Test
    void settingsAndTitleAreSavedApartSoNeitherUndoesTheOther() throws Exception {
        try (ChatStore store = ChatStore.open(db())) {
            Conversation c = store.create("t", Optional.of("a"));
            store.updateSettings(c.id(), Optional.of("b"), "Be brief.", SAMPLING);
            store.rename(c.id(), "Renamed");
            Conversation after = store.find(c.id()).orElseThrow();
            assertEquals("Renamed", after.title());
            assertEquals(Optional.of("b"), after.modelId());
            assertEquals("Be brief.", after.systemPrompt());
            assertEquals(SAMPLING, after.sampling());
            assertThrows(IOException.class, () -> store.rename(c.id() + 1, "x"));
        }
    }

    @Test
    void assistantsAreSavedAndForgotten() throws Exception {
        try (ChatStore store = ChatStore.open(db())) {
            Assistant poet = store.addAssistant("诗人", "用古诗的形式回答。");
            Assistant terse = store.addAssistant("Terse", "Answer in one sentence.");
            assertEquals(List.of(poet, terse), store.assistants());
            store.deleteAssistant(poet.id());
            assertEquals(List.of(terse), store.assistants());
        }
        try (ChatStore store = ChatStore.open(db())) {
            assertEquals(List.of("Terse"), store.assistants().stream().map(Assistant::name).toList());
        }
    }

    @Test
    void aFileFromVersion3KeepsItsMessagesAndItsRenamedTitles() throws Exception {
        long auto;
        long renamed;
        try (ChatStore old = ChatStore.open(db(), 3)) {
            auto = old.create("What is the Yangtze", Optional.empty()).id();
            renamed = old.create("Rivers", Optional.empty()).id();
        }
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db()); Statement s = c.createStatement()) {
            for (long id : new long[] {auto, renamed}) {
                s.execute("INSERT INTO messages (conversation_id, position, role, content, reasoning, created_at, metrics)"
                        + " VALUES (" + id + ", 0, 'user', 'What is the Yangtze\nriver?', '', '2026-01-01T00:00:00Z', NULL)");
                s.execute("INSERT INTO messages (conversation_id, position, role, content, reasoning, created_at, model_id)"
                        + " VALUES (" + id + ", 1, 'assistant', 'A river.', '', '2026-01-01T00:00:01Z', 'm')");
            }
        }
        try (ChatStore store = ChatStore.open(db())) {
            assertEquals(List.of("What is the Yangtze\nriver?", "A river."),
                    store.messages(auto).stream().map(StoredMessage::content).toList());
            assertEquals(1, store.history(renamed).get(1).versions().size());
            assertTrue(store.retitle(auto, "What is the Yangtze river?"), "a title made from the question follows it");
            assertTrue(!store.retitle(renamed, "What is the Yangtze river?"), "a title the user chose stays");
            assertEquals(1, store.addVersion(renamed, 1, answer("The longest river in Asia.")));
        }
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

    @Test
    void aConversationsAnswerFormatIsKeptAndExportedAndAnUnreadableOneIsText() throws Exception {
        String schema = "{\"type\":\"object\",\"properties\":{\"ok\":{\"type\":\"boolean\"}}}";
        long id;
        long other;
        try (ChatStore store = ChatStore.open(db())) {
            id = store.create("格式", Optional.empty()).id();
            other = store.create("other", Optional.empty()).id();
            assertEquals(io.kaiyuan.engine.api.ResponseFormat.TEXT, store.find(id).orElseThrow().format());
            store.updateFormat(id, io.kaiyuan.engine.api.ResponseFormat.jsonSchema(schema));
            store.updateFormat(other, io.kaiyuan.engine.api.ResponseFormat.JSON_OBJECT);
        }
        try (ChatStore store = ChatStore.open(db())) {
            Conversation c = store.find(id).orElseThrow();
            assertEquals(io.kaiyuan.engine.api.ResponseFormat.jsonSchema(schema), c.format());
            assertEquals(io.kaiyuan.engine.api.ResponseFormat.JSON_OBJECT, store.find(other).orElseThrow().format());
            String json = ChatExport.json(c, store.history(id));
            com.fasterxml.jackson.databind.JsonNode exported = new com.fasterxml.jackson.databind.ObjectMapper().readTree(json);
            assertEquals("json_schema", exported.path("response_format").path("type").asText());
            assertEquals("boolean", exported.path("response_format").path("schema").path("properties").path("ok")
                    .path("type").asText());
            store.updateFormat(other, io.kaiyuan.engine.api.ResponseFormat.TEXT);
            assertEquals(io.kaiyuan.engine.api.ResponseFormat.TEXT, store.find(other).orElseThrow().format());
        }
        try (Connection db = DriverManager.getConnection("jdbc:sqlite:" + db()); Statement s = db.createStatement()) {
            s.execute("UPDATE conversations SET response_format = '{\"kind\":\"XML\"}' WHERE id = " + id);
        }
        try (ChatStore store = ChatStore.open(db())) {
            assertEquals(io.kaiyuan.engine.api.ResponseFormat.TEXT, store.find(id).orElseThrow().format(),
                    "a stored format that cannot be read leaves the conversation readable, as text");
        }
    }

    private static final ToolRound.Call ADD = new ToolRound.Call("call_1", "add", "{\"a\":20,\"b\":22}", "calc", "42", false, 15);
    private static final ToolRound.Call CITY = new ToolRound.Call("call_2", "weather", "{\"city\":\"北京\"}", "web",
            "晴，21°C", false, 230);
    private static final ToolRound.Call DENIED = new ToolRound.Call("call_3", "delete_file", "{\"path\":\"/tmp/x\"}", "files",
            "The user did not allow this call.", true, 0);
    private static final List<ToolRound> ROUNDS = List.of(new ToolRound("Let me add them.", "A sum.", List.of(ADD)),
            new ToolRound("", "", List.of(CITY, DENIED)));

    @Test
    void anAnswersToolCallsAreKeptReadBackAsMessagesAndExported() throws Exception {
        long id;
        try (ChatStore old = ChatStore.open(db(), 6)) {
            id = old.create("tools", Optional.empty()).id();
        }
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db()); Statement s = c.createStatement()) {
            s.execute("INSERT INTO messages (conversation_id, position, role, content, reasoning, created_at) VALUES (" + id
                    + ", 0, 'user', 'What is 20 + 22, and the weather in Beijing?', '', '2026-01-01T00:00:00Z')");
        }
        try (ChatStore store = ChatStore.open(db())) {
            assertTrue(store.messages(id).get(0).toolRounds().isEmpty(), "a message from before has no calls");
            store.replaceFrom(id, 1, List.of(answer("42, and sunny in Beijing.").withToolRounds(ROUNDS)));
        }
        try (ChatStore store = ChatStore.open(db())) {
            StoredMessage kept = store.messages(id).get(1);
            assertEquals(ROUNDS, kept.toolRounds());
            assertEquals("42, and sunny in Beijing.", kept.content());
            List<io.kaiyuan.engine.api.ChatMessage> read = store.chatMessages(id);
            assertEquals(List.of("user", "assistant", "tool", "assistant", "tool", "tool", "assistant"),
                    read.stream().map(io.kaiyuan.engine.api.ChatMessage::role).toList());
            assertEquals("Let me add them.", read.get(1).content());
            assertEquals(List.of(java.util.Map.of("id", "call_1", "type", "function",
                    "function", java.util.Map.of("name", "add", "arguments", "{\"a\":20,\"b\":22}"))),
                    read.get(1).extra().get("tool_calls"));
            assertTrue(!read.get(1).extra().containsKey("reasoning_content"), "no reasoning where the store reads none");
            assertEquals(java.util.Map.of("tool_call_id", "call_1", "name", "add"), read.get(2).extra());
            assertEquals("42", read.get(2).content());
            assertEquals(2, ((List<?>) read.get(3).extra().get("tool_calls")).size());
            assertEquals("晴，21°C", read.get(4).content());
            assertEquals("Error: The user did not allow this call.", read.get(5).content());
            assertEquals("42, and sunny in Beijing.", read.get(6).content());
            assertEquals("A sum.", kept.chatMessages(true).get(0).extra().get("reasoning_content"));

            com.fasterxml.jackson.databind.JsonNode exported = new com.fasterxml.jackson.databind.ObjectMapper()
                    .readTree(ChatExport.json(store.find(id).orElseThrow(), store.history(id)));
            com.fasterxml.jackson.databind.JsonNode rounds = exported.path("messages").path(1).path("tool_rounds");
            assertEquals(2, rounds.size());
            assertEquals("Let me add them.", rounds.path(0).path("content").asText());
            assertEquals("A sum.", rounds.path(0).path("reasoning").asText());
            com.fasterxml.jackson.databind.JsonNode add = rounds.path(0).path("tool_calls").path(0);
            assertEquals("add", add.path("name").asText());
            assertEquals(22, add.path("arguments").path("b").asInt(), "arguments exported as the object they are");
            assertEquals("calc", add.path("server").asText());
            assertEquals("42", add.path("result").asText());
            assertEquals(15, add.path("millis").asLong());
            assertTrue(rounds.path(1).path("tool_calls").path(1).path("error").asBoolean());
            String md = ChatExport.markdown(store.find(id).orElseThrow(), store.history(id));
            int text = md.indexOf("Let me add them.");
            int called = md.indexOf("> Called **add** on calc · 15 ms");
            int failed = md.indexOf("> Tool call failed: **delete_file** on files · 0 ms");
            int last = md.indexOf("42, and sunny in Beijing.");
            assertTrue(text > 0 && text < called && called < failed && failed < last, md);
            assertTrue(md.contains("> `{\"a\":20,\"b\":22}`  \n> 42\n"), md);
        }
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db()); Statement s = c.createStatement()) {
            s.execute("UPDATE messages SET tool_rounds = '[{\"calls\": 7}]' WHERE position = 1");
        }
        try (ChatStore store = ChatStore.open(db())) {
            StoredMessage kept = store.messages(id).get(1);
            assertTrue(kept.toolRounds().isEmpty(), "calls that cannot be read are left out");
            assertEquals("42, and sunny in Beijing.", kept.content(), "the answer stays readable");
        }
    }
}
