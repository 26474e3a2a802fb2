package io.kaiyuan.engine.api;

import java.util.OptionalLong;

/**
 * What a user set explicitly; everything left null comes from the model's generation_config.json.
 * Setting a temperature above 0, top-k, top-p or min-p turns sampling on; temperature 0 means greedy.
 */
public record SamplingOverrides(
        Double temperature, Integer topK, Double topP, Double minP, Double repetitionPenalty, Long seed) {

    public static final SamplingOverrides NONE = new SamplingOverrides(null, null, null, null, null, null);

    /** These overrides where set, else {@code base}'s: one column's own settings over the settings all columns share. */
    public SamplingOverrides orElse(SamplingOverrides base) {
        return new SamplingOverrides(temperature != null ? temperature : base.temperature,
                topK != null ? topK : base.topK, topP != null ? topP : base.topP, minP != null ? minP : base.minP,
                repetitionPenalty != null ? repetitionPenalty : base.repetitionPenalty, seed != null ? seed : base.seed);
    }

    /** Returns these settings, or throws {@link IllegalArgumentException} naming the first value out of range. */
    public SamplingOverrides checked() {
        over(SamplingParams.GREEDY); // the parameters check their ranges
        return this;
    }

    /** Applies these overrides on top of the model's defaults. */
    public SamplingParams over(SamplingParams defaults) {
        boolean doSample = defaults.doSample();
        if ((temperature != null && temperature > 0) || topK != null || topP != null || minP != null) {
            doSample = true;
        }
        if (temperature != null && temperature == 0) {
            doSample = false;
        }
        return new SamplingParams(
                doSample,
                temperature != null ? temperature : defaults.temperature(),
                topK != null ? topK : defaults.topK(),
                topP != null ? topP : defaults.topP(),
                minP != null ? minP : defaults.minP(),
                repetitionPenalty != null ? repetitionPenalty : defaults.repetitionPenalty(),
                seed != null ? OptionalLong.of(seed) : defaults.seed());
    }
}
