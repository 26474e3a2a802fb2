package io.kaiyuan.engine.sample;

import java.util.Arrays;

/**
 * Hugging Face's TopKLogitsWarper: removes every token scoring below the k-th highest score (ties with it
 * stay).
 */
public record TopK(int k) implements LogitsProcessor {
    public TopK {
        if (k < 1) {
            throw new IllegalArgumentException("top-k must be at least 1");
        }
    }

    @Override
    public void process(float[] scores, int[] history, int length) {
        if (k >= scores.length) {
            return;
        }
        float[] sorted = scores.clone();
        Arrays.sort(sorted);
        float threshold = sorted[sorted.length - k];
        for (int i = 0; i < scores.length; i++) {
            if (scores[i] < threshold) {
                scores[i] = Float.NEGATIVE_INFINITY;
            }
        }
    }
}
