package io.kaiyuan.engine.compare;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class LeaderboardTest {

    private static Vote vote(String a, String b, Vote.Outcome o, int second) {
        return new Vote(a, b, o, Instant.parse("2026-11-29T10:00:00Z").plusSeconds(second));
    }

    @Test
    void eloFollowsTheVotesInOrder() {
        List<Leaderboard.Entry> one = Leaderboard.of(List.of(vote("qwen", "glm", Vote.Outcome.A_BETTER, 0)));
        assertEquals("qwen", one.get(0).model());
        assertEquals(1016.0, one.get(0).rating(), 1e-9, "an even match moves K/2 = 16 points");
        assertEquals(984.0, one.get(1).rating(), 1e-9);
        assertEquals(1, one.get(0).votes());

        List<Leaderboard.Entry> tie = Leaderboard.of(List.of(vote("qwen", "glm", Vote.Outcome.TIE, 0),
                vote("qwen", "glm", Vote.Outcome.BOTH_BAD, 1)));
        assertEquals(1000.0, tie.get(0).rating(), 1e-9, "ties between equals change nothing");
        assertEquals(2, tie.get(0).votes());

        // An upset against a stronger model moves more than a win against an equal.
        List<Vote> votes = List.of(vote("qwen", "glm", Vote.Outcome.A_BETTER, 0), vote("qwen", "glm", Vote.Outcome.A_BETTER, 1),
                vote("deepseek", "qwen", Vote.Outcome.A_BETTER, 2));
        Leaderboard.Entry deepseek = Leaderboard.of(votes).stream().filter(e -> e.model().equals("deepseek")).findFirst().orElseThrow();
        assertTrue(deepseek.rating() > 1016.0, "" + deepseek.rating());
        assertEquals(Leaderboard.of(votes), Leaderboard.of(List.of(votes.get(2), votes.get(0), votes.get(1))),
                "votes are replayed in time order whatever order they are given in");
        assertThrows(IllegalArgumentException.class, () -> vote("qwen", "qwen", Vote.Outcome.TIE, 0));
    }

    @Test
    void aVerdictOnFourColumnsCountsAsOneVoteForEachModel() {
        // "C is best" among A, B, C, D: three pair votes at one instant.
        List<Vote> one = List.of(vote("c", "a", Vote.Outcome.A_BETTER, 0), vote("c", "b", Vote.Outcome.A_BETTER, 0),
                vote("c", "d", Vote.Outcome.A_BETTER, 0));
        List<Leaderboard.Entry> board = Leaderboard.of(one);
        assertEquals("c", board.get(0).model());
        assertTrue(board.stream().allMatch(e -> e.votes() == 1), board.toString());
        List<Vote> two = new java.util.ArrayList<>(one);
        two.add(vote("a", "c", Vote.Outcome.TIE, 9));
        assertEquals(2, Leaderboard.of(two).stream().filter(e -> e.model().equals("c")).findFirst().orElseThrow().votes());
    }
}
