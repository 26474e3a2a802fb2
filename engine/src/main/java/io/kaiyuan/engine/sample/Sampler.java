package io.kaiyuan.engine.sample;

import io.kaiyuan.engine.api.SamplingParams;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** Picks the next token from processed scores. */
@FunctionalInterface
public interface Sampler {
    /** The most likely token (the first on ties). */
    Sampler ARGMAX = Softmax::argmax;

    int sample(float[] scores);

    /** Samples knowing that only {@code candidates} (null: any id) are still in play. */
    default int sample(float[] scores, int[] candidates) {
        return sample(scores);
    }

    /** Draws from the softmax of the scores with the given generator (seeded for reproducible runs). */
    static Sampler multinomial(SplittableRandom random) {
        return new Sampler() {
            @Override
            public int sample(float[] scores) {
                return sample(scores, null);
            }

            @Override
            public int sample(float[] scores, int[] candidates) {
                int[] ids = Softmax.stillIn(scores, candidates);
                double[] p = Softmax.probabilities(scores, ids);
                double u = random.nextDouble();
                double cumulative = 0;
                for (int k = 0; k < ids.length; k++) {
                    cumulative += p[k];
                    if (u < cumulative) {
                        return ids[k];
                    }
                }
                return ids[ids.length - 1];
            }
        };
    }

    /**
     * The Hugging Face pipeline for these settings: repetition penalty, then (when sampling) temperature,
     * top-k, top-p, min-p, then a seeded draw; greedy settings end with argmax.
     */
    static TokenChooser of(SamplingParams params) {
        List<LogitsProcessor> processors = new ArrayList<>();
        if (params.repetitionPenalty() != 1.0) {
            processors.add(new RepetitionPenalty((float) params.repetitionPenalty()));
        }
        if (params.isGreedy()) {
            return new TokenChooser(processors, ARGMAX);
        }
        if (params.temperature() != 1.0) {
            processors.add(new Temperature((float) params.temperature()));
        }
        if (params.topK() > 0) {
            processors.add(new TopK(params.topK()));
        }
        if (params.topP() < 1.0) {
            processors.add(new TopP((float) params.topP()));
        }
        if (params.minP() > 0) {
            processors.add(new MinP((float) params.minP()));
        }
        long seed = params.seed().orElseGet(() -> new SecureRandom().nextLong());
        return new TokenChooser(processors, multinomial(new SplittableRandom(seed)));
    }
}
