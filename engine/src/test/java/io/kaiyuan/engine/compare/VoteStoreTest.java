package io.kaiyuan.engine.compare;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kaiyuan.engine.chat.ChatStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Votes in a SQLite file of their own; those the chat history held before are carried over once. */
class VoteStoreTest {
    @TempDir
    Path dir;

    private static Vote vote(String a, String b, Vote.Outcome o, int second) {
        return new Vote(a, b, o, Instant.parse("2026-11-29T10:00:00Z").plusSeconds(second));
    }

    @Test
    void votesAreKeptAndReadBackInTimeOrderAcrossOpenings() throws Exception {
        Path file = dir.resolve("votes.db");
        try (VoteStore store = VoteStore.open(file)) {
            store.addVote(vote("qwen", "glm", Vote.Outcome.B_BETTER, 5));
            store.addVotes(List.of(vote("qwen", "deepseek", Vote.Outcome.TIE, 1), vote("glm", "deepseek", Vote.Outcome.A_BETTER, 1)));
        }
        try (VoteStore store = VoteStore.open(file)) {
            List<Vote> votes = store.votes();
            assertEquals(List.of(Vote.Outcome.TIE, Vote.Outcome.A_BETTER, Vote.Outcome.B_BETTER),
                    votes.stream().map(Vote::outcome).toList());
            assertEquals("glm", Leaderboard.of(votes).get(0).model());
        }
    }

    @Test
    void votesTheChatHistoryHeldAreCopiedOnceWhenTheirFileIsMade() throws Exception {
        Path chats = dir.resolve("chats.db");
        try (ChatStore unused = ChatStore.open(chats);
                Connection db = DriverManager.getConnection("jdbc:sqlite:" + chats);
                PreparedStatement p = db.prepareStatement(
                        "INSERT INTO votes (model_a, model_b, outcome, created_at) VALUES (?, ?, ?, ?)")) {
            // as the app wrote them before votes had a file of their own
            for (Vote v : List.of(vote("a", "b", Vote.Outcome.A_BETTER, 2), vote("b", "c", Vote.Outcome.BOTH_BAD, 1))) {
                p.setString(1, v.modelA());
                p.setString(2, v.modelB());
                p.setString(3, v.outcome().name());
                p.setString(4, v.at().toString());
                p.executeUpdate();
            }
        }
        Path file = dir.resolve("votes.db");
        try (VoteStore store = VoteStore.open(file, chats)) {
            assertEquals(List.of(vote("b", "c", Vote.Outcome.BOTH_BAD, 1), vote("a", "b", Vote.Outcome.A_BETTER, 2)),
                    store.votes());
            store.addVote(vote("c", "a", Vote.Outcome.TIE, 3));
        }
        try (VoteStore store = VoteStore.open(file, chats)) {
            assertEquals(3, store.votes().size(), "copied when the file was made, not at every opening");
        }
        // a chat history without votes, or none at all, gives an empty file
        try (VoteStore store = VoteStore.open(dir.resolve("fresh.db"), dir.resolve("missing.db"))) {
            assertTrue(store.votes().isEmpty());
        }
        assertTrue(Files.exists(chats));
    }
}
