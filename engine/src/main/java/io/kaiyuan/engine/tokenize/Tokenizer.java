package io.kaiyuan.engine.tokenize;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import io.kaiyuan.engine.api.ModelLoadException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A model's Hugging Face tokenizer (tokenizer.json) through DJL, with truncation and padding off and no
 * special tokens added: a chat prompt rendered by its template already has them. Thread-safe for
 * encoding and decoding; close it with the model.
 */
public final class Tokenizer implements AutoCloseable {
    static {
        // DJL can report usage from cloud machines; Kaiyuan never sends anything anywhere.
        System.setProperty("ai.djl.offline", "true");
        System.setProperty("OPT_OUT_TRACKING", "true");
    }

    private final HuggingFaceTokenizer tokenizer;
    private final int vocabularySize;

    private Tokenizer(HuggingFaceTokenizer tokenizer, int vocabularySize) {
        this.tokenizer = tokenizer;
        this.vocabularySize = vocabularySize;
    }

    /** Loads {@code dir/tokenizer.json}; a missing or broken file gets a message naming it. */
    public static Tokenizer load(Path dir) {
        Path file = dir.resolve("tokenizer.json");
        if (!Files.isRegularFile(file)) {
            throw new ModelLoadException("tokenizer.json is missing in " + dir + ": download it from the model's repository.");
        }
        HuggingFaceTokenizer tokenizer;
        try {
            tokenizer = HuggingFaceTokenizer.builder()
                    .optTokenizerPath(file)
                    .optAddSpecialTokens(false)
                    .optTruncation(false)
                    .optPadding(false)
                    .build();
        } catch (IOException | RuntimeException e) {
            throw new ModelLoadException(file + " cannot be read as a Hugging Face tokenizer: " + e.getMessage(), e);
        }
        return new Tokenizer(tokenizer, VocabularySize.of(tokenizer));
    }

    /** Token ids of {@code text}, with no special tokens added and nothing truncated. */
    public int[] encode(String text) {
        long[] ids = tokenizer.encode(text, false, false).getIds();
        int[] out = new int[ids.length];
        for (int i = 0; i < ids.length; i++) {
            out[i] = (int) ids[i];
        }
        return out;
    }

    /**
     * Text of the ids. Ids the tokenizer does not have (models pad their vocabulary beyond it) decode to
     * nothing instead of failing.
     */
    public String decode(int[] ids, int from, int to, boolean skipSpecialTokens) {
        long[] known = new long[to - from];
        int n = 0;
        for (int i = from; i < to; i++) {
            if (ids[i] >= 0 && ids[i] < vocabularySize) {
                known[n++] = ids[i];
            }
        }
        if (n == 0) {
            return "";
        }
        return tokenizer.decode(n == known.length ? known : java.util.Arrays.copyOf(known, n), skipSpecialTokens);
    }

    public String decode(int[] ids, boolean skipSpecialTokens) {
        return decode(ids, 0, ids.length, skipSpecialTokens);
    }

    /** The id of a single token such as {@code <|im_start|>}, or -1 when the text is not exactly one token. */
    public int tokenId(String token) {
        long[] ids = tokenizer.encode(token, false, false).getIds();
        return ids.length == 1 ? (int) ids[0] : -1;
    }

    /** Number of ids the tokenizer knows (the highest id plus one). */
    public int vocabularySize() {
        return vocabularySize;
    }

    @Override
    public void close() {
        tokenizer.close();
    }
}
