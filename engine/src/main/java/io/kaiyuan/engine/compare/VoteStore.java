package io.kaiyuan.engine.compare;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The votes of blind comparisons, for the local leaderboard: a SQLite file of their own beside the chat history.
 * Votes given before they had their own file (they were kept in the chat history's {@code votes} table) are copied
 * over when the file is made, in the same transaction that makes it. Each verdict is one transaction, so a crash
 * leaves the previous state. Thread-safe; every method touches the disk: call off the FX thread.
 */
public final class VoteStore implements AutoCloseable {
    /** The schema's version ({@code PRAGMA user_version}) once made. */
    static final int VERSION = 1;

    private final Connection db;

    private VoteStore(Connection db) {
        this.db = db;
    }

    /** Opens (making if needed) the votes in {@code file}. */
    public static VoteStore open(Path file) throws IOException {
        return open(file, null);
    }

    /**
     * Opens (making if needed) the votes in {@code file}; when it is made, the votes in {@code formerDatabase}'s
     * {@code votes} table (the chat history, where votes were kept before) are copied into it.
     *
     * @param formerDatabase the chat history's file, or null
     */
    public static VoteStore open(Path file, Path formerDatabase) throws IOException {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Connection db = DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath());
            try {
                try (Statement s = db.createStatement()) {
                    s.execute("PRAGMA journal_mode=WAL");
                    s.execute("PRAGMA busy_timeout=5000");
                }
                make(db, formerDatabase);
                return new VoteStore(db);
            } catch (SQLException | RuntimeException e) {
                db.close();
                throw e;
            }
        } catch (SQLException e) {
            throw new IOException("The comparison votes in " + file + " cannot be opened: " + e.getMessage()
                    + ". Close other Kaiyuan windows; if the file is damaged, move it aside to start the votes anew.", e);
        }
    }

    private static void make(Connection db, Path formerDatabase) throws SQLException {
        int version;
        try (Statement s = db.createStatement(); ResultSet r = s.executeQuery("PRAGMA user_version")) {
            version = r.next() ? r.getInt(1) : 0;
        }
        if (version >= VERSION) {
            return;
        }
        boolean attached = false;
        if (formerDatabase != null && Files.isRegularFile(formerDatabase)) {
            try (PreparedStatement p = db.prepareStatement("ATTACH DATABASE ? AS former")) {
                p.setString(1, formerDatabase.toAbsolutePath().toString());
                p.execute();
                attached = true;
            }
        }
        boolean copyFormer = attached;
        try {
            inTransaction(db, () -> {
                try (Statement s = db.createStatement()) {
                    s.execute("""
                            CREATE TABLE IF NOT EXISTS votes (
                                id INTEGER PRIMARY KEY,
                                model_a TEXT NOT NULL,
                                model_b TEXT NOT NULL,
                                outcome TEXT NOT NULL CHECK (outcome IN ('A_BETTER', 'B_BETTER', 'TIE', 'BOTH_BAD')),
                                created_at TEXT NOT NULL)""");
                    if (copyFormer && hasVotesTable(db)) {
                        s.execute("""
                                INSERT INTO main.votes (model_a, model_b, outcome, created_at)
                                SELECT model_a, model_b, outcome, created_at FROM former.votes ORDER BY created_at, id""");
                    }
                    s.execute("PRAGMA user_version = " + VERSION);
                }
            });
        } finally {
            if (attached) {
                try (Statement s = db.createStatement()) {
                    s.execute("DETACH DATABASE former");
                }
            }
        }
    }

    /** Work on the database that applies whole or not at all. */
    @FunctionalInterface
    private interface SqlWork {
        void run() throws SQLException;
    }

    /** Runs {@code work} in one transaction: committed when it returns, rolled back when it throws. */
    private static void inTransaction(Connection db, SqlWork work) throws SQLException {
        db.setAutoCommit(false);
        try {
            work.run();
            db.commit();
        } catch (SQLException | RuntimeException e) {
            db.rollback();
            throw e;
        } finally {
            db.setAutoCommit(true);
        }
    }

    private static boolean hasVotesTable(Connection db) throws SQLException {
        try (Statement s = db.createStatement();
                ResultSet r = s.executeQuery("SELECT 1 FROM former.sqlite_master WHERE type = 'table' AND name = 'votes'")) {
            return r.next();
        }
    }

    /** Stores a blind comparison's vote. */
    public void addVote(Vote vote) throws IOException {
        addVotes(List.of(vote));
    }

    /** Stores the votes of one verdict (a 3- or 4-column vote is several pairs) together, or none of them. */
    public synchronized void addVotes(List<Vote> votes) throws IOException {
        try {
            inTransaction(db, () -> {
                try (PreparedStatement p = db.prepareStatement(
                        "INSERT INTO votes (model_a, model_b, outcome, created_at) VALUES (?, ?, ?, ?)")) {
                    for (Vote vote : votes) {
                        p.setString(1, vote.modelA());
                        p.setString(2, vote.modelB());
                        p.setString(3, vote.outcome().name());
                        p.setString(4, vote.at().toString());
                        p.executeUpdate();
                    }
                }
            });
        } catch (SQLException e) {
            throw new IOException("Saving the vote failed: " + e.getMessage(), e);
        }
    }

    /** Every vote, oldest first. */
    public synchronized List<Vote> votes() throws IOException {
        try (PreparedStatement p = db.prepareStatement("SELECT * FROM votes ORDER BY created_at, id");
                ResultSet r = p.executeQuery()) {
            List<Vote> out = new ArrayList<>();
            while (r.next()) {
                out.add(new Vote(r.getString("model_a"), r.getString("model_b"), Vote.Outcome.valueOf(r.getString("outcome")),
                        Instant.parse(r.getString("created_at"))));
            }
            return out;
        } catch (SQLException e) {
            throw new IOException("Reading the votes failed: " + e.getMessage(), e);
        }
    }

    @Override
    public synchronized void close() {
        try {
            db.close();
        } catch (SQLException e) {
            // closing: every vote was committed when given
        }
    }
}
