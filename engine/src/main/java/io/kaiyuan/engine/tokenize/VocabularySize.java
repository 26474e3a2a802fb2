package io.kaiyuan.engine.tokenize;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;

/** Finds how many ids a tokenizer knows, by probing decode (DJL does not expose the vocabulary size). */
final class VocabularySize {
    private VocabularySize() {}

    static int of(HuggingFaceTokenizer tokenizer) {
        // Exponential then binary search for the first id that decodes to nothing.
        int lo = 0;
        int hi = 1;
        while (hi < (1 << 24) && known(tokenizer, hi)) {
            lo = hi;
            hi *= 2;
        }
        while (hi - lo > 1) {
            int mid = (lo + hi) >>> 1;
            if (known(tokenizer, mid)) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        return lo + 1;
    }

    private static boolean known(HuggingFaceTokenizer tokenizer, int id) {
        try {
            return !tokenizer.decode(new long[] {id}, false).isEmpty();
        } catch (RuntimeException e) {
            return false;
        }
    }
}
