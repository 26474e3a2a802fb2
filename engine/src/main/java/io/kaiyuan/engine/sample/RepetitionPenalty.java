package io.kaiyuan.engine.sample;

import java.util.BitSet;

/**
 * Hugging Face's RepetitionPenaltyLogitsProcessor: each distinct token already seen (prompt included) has
 * its score divided by the penalty when positive and multiplied by it when negative, once.
 */
public record RepetitionPenalty(float penalty) implements LogitsProcessor {
    @Override
    public void process(float[] scores, int[] history, int length) {
        BitSet seen = new BitSet(scores.length);
        for (int i = 0; i < length; i++) {
            int id = history[i];
            if (id >= 0 && id < scores.length && !seen.get(id)) {
                seen.set(id);
                float s = scores[id];
                scores[id] = s < 0 ? s * penalty : s / penalty;
            }
        }
    }

    /** Penalised scores stay finite: the candidates do not change. */
    @Override
    public int[] process(float[] scores, int[] history, int length, int[] candidates) {
        process(scores, history, length);
        return candidates;
    }
}
