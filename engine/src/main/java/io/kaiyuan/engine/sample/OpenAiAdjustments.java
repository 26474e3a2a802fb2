package io.kaiyuan.engine.sample;

import io.kaiyuan.engine.api.LogitAdjustments;
import java.util.Map;

/**
 * OpenAI's frequency and presence penalties and logit bias as a processor: for each token id generated
 * {@code c > 0} times, the score drops by {@code c * frequency + presence}; biased ids get their bias
 * added. Only the tokens after the prompt count. Removed (-infinity) scores stay removed.
 */
public final class OpenAiAdjustments implements LogitsProcessor {
    private final float frequency;
    private final float presence;
    private final int[] biasIds;
    private final float[] biasValues;
    private final int promptLength;

    /**
     * @param promptLength where the generated tokens start in the history
     * @throws IllegalArgumentException when the bias names an id outside the vocabulary
     */
    public OpenAiAdjustments(LogitAdjustments adjustments, int promptLength, int vocabularySize) {
        this.frequency = (float) adjustments.frequencyPenalty();
        this.presence = (float) adjustments.presencePenalty();
        this.promptLength = promptLength;
        this.biasIds = new int[adjustments.bias().size()];
        this.biasValues = new float[biasIds.length];
        int i = 0;
        for (Map.Entry<Integer, Double> e : adjustments.bias().entrySet()) {
            if (e.getKey() >= vocabularySize) {
                throw new IllegalArgumentException("logit_bias names token " + e.getKey() + ", but the model's ids end at "
                        + (vocabularySize - 1));
            }
            biasIds[i] = e.getKey();
            biasValues[i++] = e.getValue().floatValue();
        }
    }

    @Override
    public void process(float[] scores, int[] history, int length) {
        for (int i = 0; i < biasIds.length; i++) {
            scores[biasIds[i]] += biasValues[i];
        }
        if (frequency == 0 && presence == 0 || length <= promptLength) {
            return;
        }
        // Counts over the generated tokens: a few thousand at most, so a small open-addressing table.
        int n = length - promptLength;
        int capacity = Integer.highestOneBit(Math.max(16, n * 2)) << 1;
        int[] keys = new int[capacity];
        int[] counts = new int[capacity];
        java.util.Arrays.fill(keys, -1);
        for (int i = promptLength; i < length; i++) {
            int id = history[i];
            if (id < 0 || id >= scores.length) {
                continue;
            }
            int slot = (id * 0x9E3779B1) >>> 1 & (capacity - 1);
            while (keys[slot] != -1 && keys[slot] != id) {
                slot = (slot + 1) & (capacity - 1);
            }
            keys[slot] = id;
            counts[slot]++;
        }
        for (int slot = 0; slot < capacity; slot++) {
            if (keys[slot] != -1) {
                scores[keys[slot]] -= counts[slot] * frequency + presence;
            }
        }
    }

    /** Scores change but stay finite: the candidates do not change. */
    @Override
    public int[] process(float[] scores, int[] history, int length, int[] candidates) {
        process(scores, history, length);
        return candidates;
    }
}
