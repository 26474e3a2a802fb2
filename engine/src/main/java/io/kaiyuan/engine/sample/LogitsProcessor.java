package io.kaiyuan.engine.sample;

/**
 * Changes next-token scores in place, as a Hugging Face LogitsProcessor does. Removed tokens get
 * {@link Float#NEGATIVE_INFINITY}.
 */
@FunctionalInterface
public interface LogitsProcessor {
    /**
     * @param scores the scores of every token id, changed in place
     * @param history every token so far (prompt and generated); only the first {@code length} count
     */
    void process(float[] scores, int[] history, int length);
}
