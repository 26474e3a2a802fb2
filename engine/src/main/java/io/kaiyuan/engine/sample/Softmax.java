package io.kaiyuan.engine.sample;

import java.util.Arrays;

/**
 * Numeric helpers shared by the processors and samplers. They work on the candidates that are still in
 * play (finite scores): after top-k only a few of a 152k vocabulary remain.
 */
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

    /** Ids whose score is not -inf, in id order. */
    static int[] candidates(float[] scores) {
        int count = 0;
        for (float s : scores) {
            if (s != Float.NEGATIVE_INFINITY) {
                count++;
            }
        }
        int[] ids = new int[count];
        for (int i = 0, n = 0; n < count; i++) {
            if (scores[i] != Float.NEGATIVE_INFINITY) {
                ids[n++] = i;
            }
        }
        return ids;
    }

    /** The candidates that the scores have not removed, or all finite ids when {@code candidates} is null. */
    static int[] stillIn(float[] scores, int[] candidates) {
        if (candidates == null) {
            return candidates(scores);
        }
        int n = 0;
        for (int id : candidates) {
            if (scores[id] != Float.NEGATIVE_INFINITY) {
                n++;
            }
        }
        if (n == candidates.length) {
            return candidates;
        }
        int[] out = new int[n];
        n = 0;
        for (int id : candidates) {
            if (scores[id] != Float.NEGATIVE_INFINITY) {
                out[n++] = id;
            }
        }
        return out;
    }

    /** Softmax of the candidates' scores in double precision, aligned with {@code ids}. */
    static double[] probabilities(float[] scores, int[] ids) {
        float max = Float.NEGATIVE_INFINITY;
        for (int id : ids) {
            max = Math.max(max, scores[id]);
        }
        double[] p = new double[ids.length];
        double sum = 0;
        for (int k = 0; k < ids.length; k++) {
            p[k] = Math.exp((double) scores[ids[k]] - max);
            sum += p[k];
        }
        for (int k = 0; k < p.length; k++) {
            p[k] /= sum;
        }
        return p;
    }

    /** The candidates (finite scores) ordered by ascending score, ties by ascending id. */
    static int[] argsortAscending(float[] scores, int[] candidates) {
        int[] ids = stillIn(scores, candidates).clone();
        long[] keys = new long[ids.length];
        for (int k = 0; k < ids.length; k++) {
            int bits = Float.floatToIntBits(scores[ids[k]]);
            int sortable = bits ^ ((bits >> 31) & 0x7FFFFFFF);
            keys[k] = ((long) sortable << 32) | ids[k];
        }
        Arrays.sort(keys);
        for (int k = 0; k < keys.length; k++) {
            ids[k] = (int) keys[k];
        }
        return ids;
    }
}
