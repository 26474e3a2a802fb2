package io.kaiyuan.engine.api;

import java.util.Map;

/**
 * OpenAI's adjustments of the next-token scores, applied before the model's own sampling settings:
 * {@code frequency_penalty} (subtracted once per time a token has been generated), {@code presence_penalty}
 * (subtracted once from every token generated at least once) and {@code logit_bias} (added to the named
 * token ids). Only generated tokens count, not the prompt.
 *
 * @param frequencyPenalty -2 to 2
 * @param presencePenalty -2 to 2
 * @param bias token id to a bias of -100 to 100
 */
public record LogitAdjustments(double frequencyPenalty, double presencePenalty, Map<Integer, Double> bias) {
    /** No adjustment. */
    public static final LogitAdjustments NONE = new LogitAdjustments(0, 0, Map.of());

    public LogitAdjustments {
        if (!(frequencyPenalty >= -2 && frequencyPenalty <= 2)) {
            throw new IllegalArgumentException("frequency_penalty must be between -2 and 2, not " + frequencyPenalty);
        }
        if (!(presencePenalty >= -2 && presencePenalty <= 2)) {
            throw new IllegalArgumentException("presence_penalty must be between -2 and 2, not " + presencePenalty);
        }
        bias = Map.copyOf(bias);
        for (Map.Entry<Integer, Double> e : bias.entrySet()) {
            if (e.getKey() < 0) {
                throw new IllegalArgumentException("logit_bias names token " + e.getKey() + ": token ids are 0 or more");
            }
            if (!(e.getValue() >= -100 && e.getValue() <= 100)) {
                throw new IllegalArgumentException("logit_bias for token " + e.getKey() + " must be between -100 and 100,"
                        + " not " + e.getValue());
            }
        }
    }

    /** Whether this changes nothing. */
    public boolean isNone() {
        return frequencyPenalty == 0 && presencePenalty == 0 && bias.isEmpty();
    }
}
