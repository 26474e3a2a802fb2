package io.kaiyuan.engine.compare;

import java.time.Instant;

/**
 * A blind comparison's verdict between two models, given before their names were shown.
 *
 * @param modelA the model shown as A
 * @param modelB the model shown as B
 */
public record Vote(String modelA, String modelB, Outcome outcome, Instant at) {
    /** What the user chose. */
    public enum Outcome { A_BETTER, B_BETTER, TIE, BOTH_BAD }

    public Vote {
        if (modelA.equals(modelB)) {
            throw new IllegalArgumentException("a vote compares two different models");
        }
    }
}
