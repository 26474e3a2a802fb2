package io.kaiyuan.engine.sample;

/**
 * Hugging Face's TopPLogitsWarper: keeps the smallest set of most likely tokens whose probabilities add up
 * to at least p (at least one token); the rest are removed.
 */
public record TopP(float p) implements LogitsProcessor {
    public TopP {
        if (!(p > 0 && p <= 1)) {
            throw new IllegalArgumentException("top-p must be in (0, 1]");
        }
    }

    @Override
    public void process(float[] scores, int[] history, int length) {
        process(scores, history, length, null);
    }

    @Override
    public int[] process(float[] scores, int[] history, int length, int[] candidates) {
        if (p >= 1f) {
            return candidates;
        }
        int[] order = Softmax.argsortAscending(scores, candidates);
        double[] probs = Softmax.probabilities(scores, order);
        // HF: sort ascending, cumulative sum, remove while cumulative <= 1 - p, always keep the last (top) one.
        double cumulative = 0;
        double limit = 1.0 - p;
        for (int r = 0; r < order.length - 1; r++) {
            int id = order[r];
            cumulative += probs[r];
            if (cumulative <= limit) {
                scores[id] = Float.NEGATIVE_INFINITY;
            } else {
                break;
            }
        }
        int[] kept = Softmax.stillIn(scores, order).clone();
        java.util.Arrays.sort(kept);
        return kept;
    }
}
