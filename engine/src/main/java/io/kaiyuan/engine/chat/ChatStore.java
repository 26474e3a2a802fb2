package io.kaiyuan.engine.chat;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kaiyuan.engine.api.FinishReason;
import io.kaiyuan.engine.api.GenerationMetrics;
import io.kaiyuan.engine.api.ResponseFormat;
import io.kaiyuan.engine.api.SamplingOverrides;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The app's SQLite file (WAL mode): conversations, each message with its reasoning and how it was made, and
 * saved assistants. (Its {@code votes} table, from schema step 3, is where comparison votes were kept before
 * they had a file of their own: {@link io.kaiyuan.engine.compare.VoteStore} copies them from it once.)
 * The schema is versioned ({@code PRAGMA user_version}) and an older file is migrated in place, never
 * discarded. Every change is one transaction, so a crash leaves the previous state. Thread-safe; every
 * method touches the disk: call off the FX thread.
 */
public final class ChatStore implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ChatStore.class);

    /** The schema's steps; version N is the first N applied. Never edit a released step: add one. */
    static final List<List<String>> MIGRATIONS = List.of(
            List.of("""
                    CREATE TABLE conversations (
                        id INTEGER PRIMARY KEY,
                        title TEXT NOT NULL,
                        model_id TEXT,
                        system_prompt TEXT NOT NULL DEFAULT '',
                        created_at TEXT NOT NULL,
                        updated_at TEXT NOT NULL)""", """
                    CREATE TABLE messages (
                        id INTEGER PRIMARY KEY,
                        conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
                        position INTEGER NOT NULL,
                        role TEXT NOT NULL CHECK (role IN ('system', 'user', 'assistant')),
                        content TEXT NOT NULL,
                        reasoning TEXT NOT NULL DEFAULT '',
                        created_at TEXT NOT NULL,
                        UNIQUE (conversation_id, position))"""),
            // How each answer was made, and each conversation's sampling settings.
            List.of("ALTER TABLE messages ADD COLUMN model_id TEXT",
                    "ALTER TABLE messages ADD COLUMN variant TEXT",
                    "ALTER TABLE messages ADD COLUMN sampling TEXT",
                    "ALTER TABLE messages ADD COLUMN seed INTEGER",
                    "ALTER TABLE messages ADD COLUMN metrics TEXT",
                    "ALTER TABLE messages ADD COLUMN finish_reason TEXT",
                    "ALTER TABLE conversations ADD COLUMN sampling TEXT"),
            // Blind comparison votes, for the local leaderboard (since kept by compare.VoteStore in a file of their own).
            List.of("""
                    CREATE TABLE votes (
                        id INTEGER PRIMARY KEY,
                        model_a TEXT NOT NULL,
                        model_b TEXT NOT NULL,
                        outcome TEXT NOT NULL CHECK (outcome IN ('A_BETTER', 'B_BETTER', 'TIE', 'BOTH_BAD')),
                        created_at TEXT NOT NULL)"""),
            // Answer versions (a regenerated answer keeps the earlier ones; one per position is chosen),
            // titles the user chose (kept when the first question is edited), and saved assistants.
            List.of("""
                    CREATE TABLE messages_next (
                        id INTEGER PRIMARY KEY,
                        conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
                        position INTEGER NOT NULL,
                        version INTEGER NOT NULL DEFAULT 0,
                        chosen INTEGER NOT NULL DEFAULT 1 CHECK (chosen IN (0, 1)),
                        role TEXT NOT NULL CHECK (role IN ('system', 'user', 'assistant')),
                        content TEXT NOT NULL,
                        reasoning TEXT NOT NULL DEFAULT '',
                        created_at TEXT NOT NULL,
                        model_id TEXT,
                        variant TEXT,
                        sampling TEXT,
                        seed INTEGER,
                        metrics TEXT,
                        finish_reason TEXT,
                        UNIQUE (conversation_id, position, version))""", """
                    INSERT INTO messages_next (id, conversation_id, position, version, chosen, role, content, reasoning,
                        created_at, model_id, variant, sampling, seed, metrics, finish_reason)
                    SELECT id, conversation_id, position, 0, 1, role, content, reasoning, created_at, model_id, variant,
                        sampling, seed, metrics, finish_reason FROM messages""",
                    "DROP TABLE messages",
                    "ALTER TABLE messages_next RENAME TO messages",
                    "ALTER TABLE conversations ADD COLUMN user_titled INTEGER NOT NULL DEFAULT 0",
                    // A title that is not the start of the first question was chosen by the user.
                    """
                    UPDATE conversations SET user_titled = 1 WHERE NOT EXISTS (SELECT 1 FROM messages m
                        WHERE m.conversation_id = conversations.id AND m.position = 0
                        AND instr(replace(m.content, char(10), ' '), rtrim(conversations.title, '…')) = 1)""", """
                    CREATE TABLE assistants (
                        id INTEGER PRIMARY KEY,
                        name TEXT NOT NULL,
                        prompt TEXT NOT NULL,
                        created_at TEXT NOT NULL)"""),
            // The shape each conversation's answers take (null: text).
            List.of("ALTER TABLE conversations ADD COLUMN response_format TEXT"),
            // The tool calls each answer made before its text (JSON rounds; null: none).
            List.of("ALTER TABLE messages ADD COLUMN tool_rounds TEXT"));

    private final Connection db;

    private ChatStore(Connection db) {
        this.db = db;
    }

    /** Opens (creating or migrating) the store in {@code file}. */
    public static ChatStore open(Path file) throws IOException {
        return open(file, MIGRATIONS.size());
    }

    /** Opens the store migrated to {@code version} (tests make older files with this). */
    static ChatStore open(Path file, int version) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        try {
            Connection db = DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath());
            try (Statement s = db.createStatement()) {
                s.execute("PRAGMA journal_mode=WAL");
                s.execute("PRAGMA foreign_keys=ON");
                s.execute("PRAGMA busy_timeout=5000");
            }
            try {
                migrate(db, version);
            } catch (SQLException e) {
                db.close();
                throw e;
            }
            return new ChatStore(db);
        } catch (SQLException e) {
            throw new IOException("The chat history in " + file + " cannot be opened: " + e.getMessage()
                    + ". Close other Kaiyuan windows; if the file is damaged, move it aside to start a new history.", e);
        }
    }

    /** The schema version of an open store. */
    synchronized int version() throws SQLException {
        try (Statement s = db.createStatement(); ResultSet r = s.executeQuery("PRAGMA user_version")) {
            return r.getInt(1);
        }
    }

    private static void migrate(Connection db, int target) throws SQLException {
        int current;
        try (Statement s = db.createStatement(); ResultSet r = s.executeQuery("PRAGMA user_version")) {
            current = r.getInt(1);
        }
        if (current > MIGRATIONS.size()) {
            throw new SQLException("it was written by a newer Kaiyuan (schema " + current + ", this one knows "
                    + MIGRATIONS.size() + "); update Kaiyuan");
        }
        db.setAutoCommit(false);
        try {
            for (int v = current; v < target; v++) {
                try (Statement s = db.createStatement()) {
                    for (String sql : MIGRATIONS.get(v)) {
                        s.execute(sql);
                    }
                    s.execute("PRAGMA user_version=" + (v + 1));
                }
            }
            db.commit();
        } catch (SQLException e) {
            db.rollback();
            throw e;
        } finally {
            db.setAutoCommit(true);
        }
    }

    /** Starts a conversation. */
    public synchronized Conversation create(String title, Optional<String> modelId) throws IOException {
        Instant now = Instant.now();
        return write(() -> {
            try (PreparedStatement p = db.prepareStatement("INSERT INTO conversations (title, model_id, created_at, updated_at)"
                    + " VALUES (?, ?, ?, ?)", Statement.RETURN_GENERATED_KEYS)) {
                p.setString(1, title);
                p.setString(2, modelId.orElse(null));
                p.setString(3, now.toString());
                p.setString(4, now.toString());
                p.executeUpdate();
                try (ResultSet keys = p.getGeneratedKeys()) {
                    keys.next();
                    return new Conversation(keys.getLong(1), title, modelId, "", SamplingOverrides.NONE, now, now);
                }
            }
        });
    }

    /** Every conversation, the most recently changed first. */
    public synchronized List<Conversation> list() throws IOException {
        return query("SELECT * FROM conversations ORDER BY updated_at DESC, id DESC", p -> { });
    }

    /**
     * Conversations whose title or any message contains {@code text} (ignoring case for Latin letters),
     * the most recently changed first.
     */
    public synchronized List<Conversation> search(String text) throws IOException {
        String like = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%";
        return query("SELECT * FROM conversations c WHERE c.title LIKE ?1 ESCAPE '\\' OR EXISTS (SELECT 1 FROM messages m"
                + " WHERE m.conversation_id = c.id AND (m.content LIKE ?1 ESCAPE '\\' OR m.reasoning LIKE ?1 ESCAPE '\\'))"
                + " ORDER BY c.updated_at DESC, c.id DESC", p -> p.setString(1, like));
    }

    /** One conversation. */
    public synchronized Optional<Conversation> find(long id) throws IOException {
        return query("SELECT * FROM conversations WHERE id = ?", p -> p.setLong(1, id)).stream().findFirst();
    }

    /** Gives a conversation the title the user chose; later edits of its first question keep it. */
    public synchronized void rename(long id, String title) throws IOException {
        write(() -> {
            try (PreparedStatement p = db.prepareStatement("UPDATE conversations SET title = ?, user_titled = 1 WHERE id = ?")) {
                p.setString(1, title);
                p.setLong(2, id);
                requireOne(p.executeUpdate(), id);
            }
            return null;
        });
    }

    /**
     * Gives a conversation a title made from its first question, unless the user chose one; returns whether
     * the title changed.
     */
    public synchronized boolean retitle(long id, String title) throws IOException {
        return write(() -> {
            try (PreparedStatement p = db.prepareStatement(
                    "UPDATE conversations SET title = ? WHERE id = ? AND user_titled = 0 AND title <> ?")) {
                p.setString(1, title);
                p.setLong(2, id);
                p.setString(3, title);
                return p.executeUpdate() == 1;
            }
        });
    }

    /**
     * Saves a conversation's model, system prompt and sampling settings; its title and messages stay as
     * they are.
     */
    public synchronized void updateSettings(long id, Optional<String> modelId, String systemPrompt, SamplingOverrides sampling)
            throws IOException {
        write(() -> {
            try (PreparedStatement p = db.prepareStatement("UPDATE conversations SET model_id = ?, system_prompt = ?,"
                    + " sampling = ?, updated_at = ? WHERE id = ?")) {
                p.setString(1, modelId.orElse(null));
                p.setString(2, systemPrompt);
                p.setString(3, json(sampling));
                p.setString(4, Instant.now().toString());
                p.setLong(5, id);
                requireOne(p.executeUpdate(), id);
            }
            return null;
        });
    }

    /** Saves the shape a conversation's answers take. */
    public synchronized void updateFormat(long id, ResponseFormat format) throws IOException {
        write(() -> {
            try (PreparedStatement p = db.prepareStatement("UPDATE conversations SET response_format = ?, updated_at = ?"
                    + " WHERE id = ?")) {
                p.setString(1, format.isText() ? null
                        : JSON.createObjectNode().put("kind", format.kind().name()).put("schema", format.schema()).toString());
                p.setString(2, Instant.now().toString());
                p.setLong(3, id);
                requireOne(p.executeUpdate(), id);
            }
            return null;
        });
    }

    private static void requireOne(int updated, long id) throws SQLException {
        if (updated == 0) {
            throw new SQLException("no conversation " + id);
        }
    }

    /** Deletes a conversation and its messages. */
    public synchronized void delete(long id) throws IOException {
        write(() -> {
            try (PreparedStatement p = db.prepareStatement("DELETE FROM conversations WHERE id = ?")) {
                p.setLong(1, id);
                p.executeUpdate();
            }
            return null;
        });
    }

    /** A conversation's messages in order, each in its chosen version. */
    public synchronized List<StoredMessage> messages(long conversationId) throws IOException {
        try (PreparedStatement p = db.prepareStatement(
                "SELECT * FROM messages WHERE conversation_id = ? AND chosen = 1 ORDER BY position")) {
            p.setLong(1, conversationId);
            List<StoredMessage> out = new ArrayList<>();
            try (ResultSet r = p.executeQuery()) {
                while (r.next()) {
                    out.add(message(r));
                }
            }
            return out;
        } catch (SQLException e) {
            throw new IOException("Reading conversation " + conversationId + " failed: " + e.getMessage(), e);
        }
    }

    /** A conversation's messages in order, each with all its versions. */
    public synchronized List<VersionedMessage> history(long conversationId) throws IOException {
        try (PreparedStatement p = db.prepareStatement(
                "SELECT * FROM messages WHERE conversation_id = ? ORDER BY position, version")) {
            p.setLong(1, conversationId);
            List<VersionedMessage> out = new ArrayList<>();
            try (ResultSet r = p.executeQuery()) {
                int position = -1;
                int chosen = 0;
                List<StoredMessage> versions = new ArrayList<>();
                while (r.next()) {
                    int at = r.getInt("position");
                    if (at != position && !versions.isEmpty()) {
                        out.add(new VersionedMessage(position, versions, chosen));
                        versions = new ArrayList<>();
                        chosen = 0;
                    }
                    position = at;
                    if (r.getInt("chosen") == 1) {
                        chosen = versions.size();
                    }
                    versions.add(message(r));
                }
                if (!versions.isEmpty()) {
                    out.add(new VersionedMessage(position, versions, chosen));
                }
            }
            return out;
        } catch (SQLException e) {
            throw new IOException("Reading conversation " + conversationId + " failed: " + e.getMessage(), e);
        }
    }

    /**
     * A conversation as a model reads it: its system prompt (when it has one) and its messages' roles and
     * texts, without the reasoning; an answer that called tools brings its calls and their results first.
     * Throws when there is no such conversation.
     */
    public synchronized List<io.kaiyuan.engine.api.ChatMessage> chatMessages(long conversationId) throws IOException {
        Conversation c = find(conversationId).orElseThrow(() -> new IOException("There is no conversation "
                + conversationId + " in the history: it may have been deleted."));
        List<io.kaiyuan.engine.api.ChatMessage> out = new ArrayList<>();
        if (!c.systemPrompt().isBlank()) {
            out.add(io.kaiyuan.engine.api.ChatMessage.system(c.systemPrompt()));
        }
        for (StoredMessage m : messages(conversationId)) {
            out.addAll(m.chatMessages(false));
        }
        return out;
    }

    /**
     * Replaces the messages from {@code position} on (every version of them) with {@code messages}, in one
     * transaction: appending (position = the count so far), or editing (an earlier position). If anything
     * fails the conversation stays as it was.
     */
    public synchronized void replaceFrom(long conversationId, int position, List<StoredMessage> messages) throws IOException {
        write(() -> {
            try (PreparedStatement delete = db.prepareStatement("DELETE FROM messages WHERE conversation_id = ? AND position >= ?")) {
                delete.setLong(1, conversationId);
                delete.setInt(2, position);
                delete.executeUpdate();
            }
            int pos = position;
            for (StoredMessage m : messages) {
                insert(conversationId, pos++, 0, m);
            }
            touch(conversationId);
            return null;
        });
    }

    /**
     * Adds {@code message} as a new version of the message at {@code position} (a regenerated answer) and
     * chooses it; the earlier versions and the later messages stay. Returns the new version's index.
     */
    public synchronized int addVersion(long conversationId, int position, StoredMessage message) throws IOException {
        return write(() -> {
            int version;
            try (PreparedStatement p = db.prepareStatement(
                    "SELECT COALESCE(MAX(version) + 1, 0) FROM messages WHERE conversation_id = ? AND position = ?")) {
                p.setLong(1, conversationId);
                p.setInt(2, position);
                try (ResultSet r = p.executeQuery()) {
                    version = r.getInt(1);
                }
            }
            try (PreparedStatement p = db.prepareStatement("UPDATE messages SET chosen = 0 WHERE conversation_id = ? AND position = ?")) {
                p.setLong(1, conversationId);
                p.setInt(2, position);
                p.executeUpdate();
            }
            insert(conversationId, position, version, message);
            touch(conversationId);
            return version;
        });
    }

    /** Chooses which version of the message at {@code position} the conversation shows and the next turn reads. */
    public synchronized void choose(long conversationId, int position, int version) throws IOException {
        write(() -> {
            try (PreparedStatement p = db.prepareStatement(
                    "UPDATE messages SET chosen = (version = ?) WHERE conversation_id = ? AND position = ?")) {
                p.setInt(1, version);
                p.setLong(2, conversationId);
                p.setInt(3, position);
                p.executeUpdate();
            }
            try (PreparedStatement p = db.prepareStatement(
                    "SELECT COUNT(*) FROM messages WHERE conversation_id = ? AND position = ? AND chosen = 1")) {
                p.setLong(1, conversationId);
                p.setInt(2, position);
                try (ResultSet r = p.executeQuery()) {
                    if (r.getInt(1) != 1) {
                        throw new SQLException("conversation " + conversationId + " has no version " + version
                                + " at position " + position);
                    }
                }
            }
            return null;
        });
    }

    private void insert(long conversationId, int position, int version, StoredMessage m) throws SQLException {
        try (PreparedStatement insert = db.prepareStatement("INSERT INTO messages (conversation_id, position, version, chosen,"
                + " role, content, reasoning, created_at, model_id, variant, sampling, seed, metrics, finish_reason, tool_rounds)"
                + " VALUES (?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            insert.setLong(1, conversationId);
            insert.setInt(2, position);
            insert.setInt(3, version);
            insert.setString(4, m.role());
            insert.setString(5, m.content());
            insert.setString(6, m.reasoning());
            insert.setString(7, m.createdAt().toString());
            insert.setString(8, m.modelId().orElse(null));
            insert.setString(9, m.variant().orElse(null));
            insert.setString(10, m.sampling().map(ChatStore::json).orElse(null));
            Long seed = m.sampling().map(SamplingOverrides::seed).orElse(null);
            if (seed == null) {
                insert.setNull(11, Types.INTEGER);
            } else {
                insert.setLong(11, seed);
            }
            insert.setString(12, m.metrics().map(ChatStore::json).orElse(null));
            insert.setString(13, m.finishReason().map(FinishReason::jsonName).orElse(null));
            insert.setString(14, m.toolRounds().isEmpty() ? null : json(m.toolRounds()));
            insert.executeUpdate();
        }
    }

    private void touch(long conversationId) throws SQLException {
        try (PreparedStatement touch = db.prepareStatement("UPDATE conversations SET updated_at = ? WHERE id = ?")) {
            touch.setString(1, Instant.now().toString());
            touch.setLong(2, conversationId);
            requireOne(touch.executeUpdate(), conversationId);
        }
    }

    /** The saved assistants, in the order they were added. */
    public synchronized List<Assistant> assistants() throws IOException {
        try (PreparedStatement p = db.prepareStatement("SELECT * FROM assistants ORDER BY id"); ResultSet r = p.executeQuery()) {
            List<Assistant> out = new ArrayList<>();
            while (r.next()) {
                out.add(new Assistant(r.getLong("id"), r.getString("name"), r.getString("prompt")));
            }
            return out;
        } catch (SQLException e) {
            throw new IOException("Reading the assistants failed: " + e.getMessage(), e);
        }
    }

    /** Saves a system prompt under a name. */
    public synchronized Assistant addAssistant(String name, String prompt) throws IOException {
        return write(() -> {
            try (PreparedStatement p = db.prepareStatement("INSERT INTO assistants (name, prompt, created_at) VALUES (?, ?, ?)",
                    Statement.RETURN_GENERATED_KEYS)) {
                p.setString(1, name);
                p.setString(2, prompt);
                p.setString(3, Instant.now().toString());
                p.executeUpdate();
                try (ResultSet keys = p.getGeneratedKeys()) {
                    keys.next();
                    return new Assistant(keys.getLong(1), name, prompt);
                }
            }
        });
    }

    /** Forgets a saved assistant; conversations that use its prompt keep it. */
    public synchronized void deleteAssistant(long id) throws IOException {
        write(() -> {
            try (PreparedStatement p = db.prepareStatement("DELETE FROM assistants WHERE id = ?")) {
                p.setLong(1, id);
                p.executeUpdate();
            }
            return null;
        });
    }

    @Override
    public synchronized void close() {
        try {
            db.close();
        } catch (SQLException e) {
            // closing: nothing left to save
        }
    }

    private interface Work<T> {
        T run() throws SQLException;
    }

    private interface Binder {
        void bind(PreparedStatement p) throws SQLException;
    }

    /** Runs {@code work} in one transaction: all of it or nothing. */
    private <T> T write(Work<T> work) throws IOException {
        try {
            db.setAutoCommit(false);
            try {
                T result = work.run();
                db.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                db.rollback();
                throw e;
            } finally {
                db.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw new IOException("Saving the chat history failed: " + e.getMessage(), e);
        }
    }

    private List<Conversation> query(String sql, Binder binder) throws IOException {
        try (PreparedStatement p = db.prepareStatement(sql)) {
            binder.bind(p);
            List<Conversation> out = new ArrayList<>();
            try (ResultSet r = p.executeQuery()) {
                while (r.next()) {
                    out.add(new Conversation(r.getLong("id"), r.getString("title"), Optional.ofNullable(r.getString("model_id")),
                            r.getString("system_prompt"), Optional.ofNullable(r.getString("sampling"))
                                    .map(s -> parse(s, SamplingOverrides.class)).orElse(SamplingOverrides.NONE),
                            Instant.parse(r.getString("created_at")), Instant.parse(r.getString("updated_at")),
                            format(r.getString("response_format"))));
                }
            }
            return out;
        } catch (SQLException e) {
            throw new IOException("Reading the chat history failed: " + e.getMessage(), e);
        }
    }

    private static StoredMessage message(ResultSet r) throws SQLException {
        return new StoredMessage(r.getString("role"), r.getString("content"), r.getString("reasoning"),
                Optional.ofNullable(r.getString("model_id")), Optional.ofNullable(r.getString("variant")),
                Optional.ofNullable(r.getString("sampling")).map(s -> parse(s, SamplingOverrides.class)),
                Optional.ofNullable(r.getString("metrics")).map(s -> parse(s, GenerationMetrics.class)),
                Optional.ofNullable(r.getString("finish_reason")).map(ChatStore::finishReason),
                Instant.parse(r.getString("created_at")), toolRounds(r.getString("tool_rounds")));
    }

    private static final com.fasterxml.jackson.core.type.TypeReference<List<ToolRound>> ROUNDS =
            new com.fasterxml.jackson.core.type.TypeReference<>() {};

    /** Stored tool rounds; ones that cannot be read are left out (the answer's text stays readable). */
    private static List<ToolRound> toolRounds(String stored) {
        if (stored == null) {
            return List.of();
        }
        try {
            return JSON.readValue(stored, ROUNDS);
        } catch (JsonProcessingException | IllegalArgumentException e) {
            LOG.warn("A stored answer's tool calls cannot be read and are left out: {}", e.getMessage());
            return List.of();
        }
    }

    private static FinishReason finishReason(String name) {
        for (FinishReason f : FinishReason.values()) {
            if (f.jsonName().equals(name)) {
                return f;
            }
        }
        throw new IllegalStateException("unknown finish reason " + name);
    }

    private static String json(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A stored response format; one that cannot be read is text (the conversation stays readable). */
    private static ResponseFormat format(String stored) {
        if (stored == null) {
            return ResponseFormat.TEXT;
        }
        try {
            com.fasterxml.jackson.databind.JsonNode n = JSON.readTree(stored);
            return new ResponseFormat(ResponseFormat.Kind.valueOf(n.path("kind").asText()), n.path("schema").asText(""));
        } catch (JsonProcessingException | IllegalArgumentException e) {
            return ResponseFormat.TEXT;
        }
    }

    private static <T> T parse(String json, Class<T> type) {
        try {
            return JSON.readValue(json, type);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a stored " + type.getSimpleName() + " cannot be read: " + e.getMessage(), e);
        }
    }
}
