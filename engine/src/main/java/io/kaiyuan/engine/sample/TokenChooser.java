package io.kaiyuan.engine.sample;

import java.util.List;

/** The processors and the sampler of one generation, applied in order. */
public record TokenChooser(List<LogitsProcessor> processors, Sampler sampler) {
    public TokenChooser {
        processors = List.copyOf(processors);
    }

    /** Processes {@code scores} in place and returns the chosen token id. */
    public int choose(float[] scores, int[] history, int length) {
        int[] candidates = null;
        for (LogitsProcessor p : processors) {
            candidates = p.process(scores, history, length, candidates);
        }
        return sampler.sample(scores, candidates);
    }
}
