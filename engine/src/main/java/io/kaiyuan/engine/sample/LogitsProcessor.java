package io.kaiyuan.engine.sample;

/**
 * Changes next-token scores in place, as a Hugging Face LogitsProcessor does. Removed tokens get
 * {@link Float#NEGATIVE_INFINITY}; a processor never brings a removed token back.
 */
@FunctionalInterface
public interface LogitsProcessor {
    /**
     * @param scores the scores of every token id, changed in place
     * @param history every token so far (prompt and generated); only the first {@code length} count
     */
    void process(float[] scores, int[] history, int length);

    /**
     * Like {@link #process}, knowing which ids are still in play, and returning those in play after it,
     * in ascending id order (the order the draw walks them). {@code candidates} null means every id; a processor that narrows the set (top-k) returns its
     * survivors, so the later ones touch only those instead of the whole vocabulary.
     */
    default int[] process(float[] scores, int[] history, int length, int[] candidates) {
        process(scores, history, length);
        return candidates == null ? null : Softmax.stillIn(scores, candidates);
    }
}
