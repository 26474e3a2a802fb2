package io.kaiyuan.engine.api;

import java.util.OptionalLong;

/**
 * Sampling settings with Hugging Face semantics. Greedy decoding when {@code doSample} is false,
 * temperature is 0 or top-k is 1; otherwise the processors run in the order repetition penalty,
 * temperature, top-k, top-p, min-p, then a draw from a random generator seeded with {@code seed}.
 *
 * @param doSample sample instead of taking the most likely token
 * @param temperature divides the logits; 0 means greedy
 * @param topK keep the k most likely tokens; 0 disables
 * @param topP keep the smallest set whose probability reaches p; 1 disables
 * @param minP drop tokens less likely than p times the most likely one; 0 disables
 * @param repetitionPenalty penalise tokens already seen; 1 disables
 * @param seed makes sampling reproducible; empty draws a random seed
 */
public record SamplingParams(
        boolean doSample,
        double temperature,
        int topK,
        double topP,
        double minP,
        double repetitionPenalty,
        OptionalLong seed) {

    /** Greedy decoding with no penalty. */
    public static final SamplingParams GREEDY = new SamplingParams(false, 1.0, 0, 1.0, 0.0, 1.0, OptionalLong.empty());

    public SamplingParams {
        if (temperature < 0 || Double.isNaN(temperature)) {
            throw new IllegalArgumentException("temperature must be 0 or more, got " + temperature);
        }
        if (topK < 0) {
            throw new IllegalArgumentException("top-k must be 0 (off) or more, got " + topK);
        }
        if (!(topP > 0 && topP <= 1)) {
            throw new IllegalArgumentException("top-p must be in (0, 1], got " + topP);
        }
        if (!(minP >= 0 && minP <= 1)) {
            throw new IllegalArgumentException("min-p must be in [0, 1], got " + minP);
        }
        if (!(repetitionPenalty > 0)) {
            throw new IllegalArgumentException("repetition penalty must be above 0, got " + repetitionPenalty);
        }
    }

    /** True when these settings pick the most likely token at every step. */
    public boolean isGreedy() {
        return !doSample || temperature == 0 || topK == 1;
    }
}
