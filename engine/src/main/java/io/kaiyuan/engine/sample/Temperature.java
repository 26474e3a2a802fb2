package io.kaiyuan.engine.sample;

/** Hugging Face's TemperatureLogitsWarper: scores divided by the temperature. */
public record Temperature(float temperature) implements LogitsProcessor {
    public Temperature {
        if (!(temperature > 0)) {
            throw new IllegalArgumentException("temperature must be above 0 for sampling");
        }
    }

    @Override
    public void process(float[] scores, int[] history, int length) {
        for (int i = 0; i < scores.length; i++) {
            scores[i] /= temperature;
        }
    }

    /** Removed tokens stay -inf when divided, so only the candidates need dividing. */
    @Override
    public int[] process(float[] scores, int[] history, int length, int[] candidates) {
        if (candidates == null) {
            process(scores, history, length);
        } else {
            for (int id : candidates) {
                scores[id] /= temperature;
            }
        }
        return candidates;
    }
}
