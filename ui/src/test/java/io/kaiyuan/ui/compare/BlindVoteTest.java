package io.kaiyuan.ui.compare;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kaiyuan.engine.compare.Vote;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class BlindVoteTest {
    private static final Instant NOW = Instant.parse("2026-12-02T12:00:00Z");

    @Test
    void theBestColumnBeatsEveryOtherAndTheSameRunTwiceIsNotRated() {
        BlindVote vote = new BlindVote();
        vote.blindProperty().set(true);
        vote.runStarts();
        assertFalse(vote.revealedProperty().get());
        assertFalse(vote.canVote(false), "not before the run ended");
        assertTrue(vote.canVote(true));

        List<Vote> votes = vote.decide(List.of("a", "b", "c", "b"), Vote.Outcome.A_BETTER, 1, NOW);
        assertEquals(List.of(new Vote("a", "b", Vote.Outcome.B_BETTER, NOW), new Vote("b", "c", Vote.Outcome.A_BETTER, NOW)),
                votes, "b beats a and c; b against itself has nothing to rate");
        assertTrue(vote.revealedProperty().get());
        assertTrue(vote.votedProperty().get());
        assertFalse(vote.canVote(true), "one vote a run");
    }

    @Test
    void aTieRatesEveryPairAlikeAndAnOpenRunCannotBeVotedOn() {
        BlindVote vote = new BlindVote();
        vote.runStarts();
        assertTrue(vote.revealedProperty().get(), "a run that is not blind shows its names");
        assertFalse(vote.canVote(true));

        List<Vote> votes = vote.decide(List.of("a", "b", "c"), Vote.Outcome.TIE, -1, NOW);
        assertEquals(3, votes.size());
        assertTrue(votes.stream().allMatch(v -> v.outcome() == Vote.Outcome.TIE));

        vote.blindProperty().set(true);
        vote.rerunStarts();
        assertFalse(vote.blindProperty().get());
        assertFalse(vote.votedProperty().get());
    }
}
