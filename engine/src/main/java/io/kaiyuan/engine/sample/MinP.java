package io.kaiyuan.engine.sample;

/**
 * Hugging Face's MinPLogitsWarper: removes tokens whose probability is below p times the probability of
 * the most likely token (which always stays).
 */
public record MinP(float p) implements LogitsProcessor {
    public MinP {
        if (!(p >= 0 && p <= 1)) {
            throw new IllegalArgumentException("min-p must be in [0, 1]");
        }
    }

    @Override
    public void process(float[] scores, int[] history, int length) {
        process(scores, history, length, null);
    }

    @Override
    public int[] process(float[] scores, int[] history, int length, int[] candidates) {
        if (p <= 0f) {
            return candidates;
        }
        int[] ids = Softmax.stillIn(scores, candidates);
        double[] probs = Softmax.probabilities(scores, ids);
        // The most likely candidate (the first on ties) always stays.
        int top = ids[0];
        double topProbability = probs[0];
        for (int k = 1; k < ids.length; k++) {
            if (probs[k] > topProbability) {
                topProbability = probs[k];
                top = ids[k];
            }
        }
        double threshold = p * topProbability;
        for (int k = 0; k < ids.length; k++) {
            if (ids[k] != top && probs[k] < threshold) {
                scores[ids[k]] = Float.NEGATIVE_INFINITY;
            }
        }
        return Softmax.stillIn(scores, ids);
    }
}
