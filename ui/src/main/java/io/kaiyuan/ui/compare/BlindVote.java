package io.kaiyuan.ui.compare;

import io.kaiyuan.engine.compare.Vote;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.SimpleBooleanProperty;

/**
 * Blind mode of the comparison page: the columns shuffled and named A, B, ... until the vote or until the
 * names are shown, and the verdict turned into the pairwise votes the leaderboard rates. FX thread.
 */
final class BlindVote {
    private final BooleanProperty blind = new SimpleBooleanProperty(false);
    private final BooleanProperty revealed = new SimpleBooleanProperty(true);
    private final BooleanProperty voted = new SimpleBooleanProperty(false);

    /** Whether the next run is blind. */
    BooleanProperty blindProperty() {
        return blind;
    }

    /** Whether the models' names are shown. */
    BooleanProperty revealedProperty() {
        return revealed;
    }

    /** Whether the last run was voted on. */
    BooleanProperty votedProperty() {
        return voted;
    }

    /** A run starts: its names are hidden when it is blind. */
    void runStarts() {
        voted.set(false);
        revealed.set(!blind.get());
    }

    /** A run card is run again: in the open, with nothing voted. */
    void rerunStarts() {
        blind.set(false);
        revealed.set(true);
        voted.set(false);
    }

    /** Whether a run that ended can be voted on: a blind one, before the names are shown. */
    boolean canVote(boolean runEnded) {
        return runEnded && !voted.get() && !revealed.get();
    }

    void reveal() {
        revealed.set(true);
    }

    /**
     * The verdict on the columns that ran {@code ran} (their labels, in column order) as pairwise votes, and
     * the names shown. With {@code best} >= 0 that column beat each other one; with -1 every pair gets
     * {@code outcome} (a tie, or all bad). A pair that ran the same model and settings has nothing to rate.
     */
    List<Vote> decide(List<String> ran, Vote.Outcome outcome, int best, Instant now) {
        List<Vote> votes = new ArrayList<>();
        for (int i = 0; i < ran.size(); i++) {
            for (int j = i + 1; j < ran.size(); j++) {
                if (ran.get(i).equals(ran.get(j))) {
                    continue;
                }
                if (best < 0) {
                    votes.add(new Vote(ran.get(i), ran.get(j), outcome, now));
                } else if (i == best || j == best) {
                    votes.add(new Vote(ran.get(i), ran.get(j), i == best ? Vote.Outcome.A_BETTER : Vote.Outcome.B_BETTER, now));
                }
            }
        }
        voted.set(true);
        revealed.set(true);
        return votes;
    }
}
