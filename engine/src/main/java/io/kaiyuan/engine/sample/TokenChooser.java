package io.kaiyuan.engine.sample;

import java.util.List;

/** The processors and the sampler of one generation, applied in order. */
public record TokenChooser(List<LogitsProcessor> processors, Sampler sampler) {
    public TokenChooser {
        processors = List.copyOf(processors);
    }

    /** Processes {@code scores} in place and returns the chosen token id. */
    public int choose(float[] scores, int[] history, int length) {
        for (LogitsProcessor p : processors) {
            p.process(scores, history, length);
        }
        return sampler.sample(scores);
    }
}
