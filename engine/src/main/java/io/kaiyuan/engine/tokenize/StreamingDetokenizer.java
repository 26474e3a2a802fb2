package io.kaiyuan.engine.tokenize;

/**
 * Turns generated ids into text as they come, never emitting half a character: byte-level BPE splits one
 * CJK character or emoji across tokens, and their partial decode ends in U+FFFD. Text is held back until
 * the character is complete (the prefix/read-offset scheme of Hugging Face's text-generation-inference).
 * Special tokens are skipped. Not thread-safe: one per generation.
 */
public final class StreamingDetokenizer {
    private final Tokenizer tokenizer;
    private int[] ids = new int[64];
    private int length;
    private int prefixOffset;
    private int readOffset;

    public StreamingDetokenizer(Tokenizer tokenizer) {
        this.tokenizer = tokenizer;
    }

    /** Adds one id and returns the text it completes (possibly empty). */
    public String add(int id) {
        if (length == ids.length) {
            ids = java.util.Arrays.copyOf(ids, length * 2);
        }
        ids[length++] = id;
        String prefixText = tokenizer.decode(ids, prefixOffset, readOffset, true);
        String newText = tokenizer.decode(ids, prefixOffset, length, true);
        if (newText.length() > prefixText.length() && !newText.endsWith("\uFFFD")) {
            String delta = newText.substring(prefixText.length());
            prefixOffset = readOffset;
            readOffset = length;
            return delta;
        }
        return "";
    }

    /** Whatever is still held back (an incomplete character at the very end), decoded as it is. */
    public String flush() {
        String prefixText = tokenizer.decode(ids, prefixOffset, readOffset, true);
        String all = tokenizer.decode(ids, prefixOffset, length, true);
        prefixOffset = readOffset = length;
        return all.length() > prefixText.length() ? all.substring(prefixText.length()) : "";
    }
}
