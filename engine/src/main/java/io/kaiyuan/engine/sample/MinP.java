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
        if (p <= 0f) {
            return;
        }
        double[] probs = Softmax.probabilities(scores);
        int top = Softmax.argmax(scores);
        double threshold = p * probs[top];
        for (int i = 0; i < scores.length; i++) {
            if (i != top && probs[i] < threshold) {
                scores[i] = Float.NEGATIVE_INFINITY;
            }
        }
    }
}
