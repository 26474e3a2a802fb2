package io.kaiyuan.engine.sample;

import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.IntStream;

/** Numeric helpers shared by the processors and samplers. */
final class Softmax {
    private Softmax() {}

    /** Index of the highest score; the first one on ties (as torch.argmax). */
    static int argmax(float[] scores) {
        int best = 0;
        float max = scores[0];
        for (int i = 1; i < scores.length; i++) {
            if (scores[i] > max) {
                max = scores[i];
                best = i;
            }
        }
        return best;
    }

    /** Softmax in double precision; -inf scores get probability 0. */
    static double[] probabilities(float[] scores) {
        float max = scores[argmax(scores)];
        double[] p = new double[scores.length];
        double sum = 0;
        for (int i = 0; i < scores.length; i++) {
            double e = scores[i] == Float.NEGATIVE_INFINITY ? 0 : Math.exp((double) scores[i] - max);
            p[i] = e;
            sum += e;
        }
        for (int i = 0; i < p.length; i++) {
            p[i] /= sum;
        }
        return p;
    }

    /** Indices of the finite scores ordered by ascending score (stable); removed (-inf) tokens are left out. */
    static int[] argsortAscending(float[] scores) {
        Integer[] boxed = IntStream.range(0, scores.length).filter(i -> scores[i] != Float.NEGATIVE_INFINITY)
                .boxed().toArray(Integer[]::new);
        Arrays.sort(boxed, Comparator.comparingDouble(i -> scores[i]));
        return Arrays.stream(boxed).mapToInt(Integer::intValue).toArray();
    }
}
