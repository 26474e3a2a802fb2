package io.kaiyuan.engine.sample;

/** Greedy choice over logits, for callers outside the sampling pipeline (the benchmark, test tools). */
public final class Greedy {
    private Greedy() {}

    /** The id of the highest logit; the first one on ties (as torch.argmax). */
    public static int pick(float[] logits) {
        return Softmax.argmax(logits);
    }
}
