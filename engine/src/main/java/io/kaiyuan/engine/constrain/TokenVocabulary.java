package io.kaiyuan.engine.constrain;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.BitSet;
import java.util.Iterator;
import java.util.Map;

/**
 * Every token's bytes, read from the model's tokenizer.json, as the constrained decoder needs them:
 * byte-level BPE (Qwen, DeepSeek, GLM, Llama 3) and SentencePiece-style vocabularies with byte fallback.
 * Special tokens have no bytes (they never appear inside a document). Built once per model; immutable.
 */
public final class TokenVocabulary {
    /** The largest tokenizer.json read. */
    static final long MAX_FILE_BYTES = 64L << 20;

    private final byte[][] bytes;
    /** Tokens a free string's characters may be, whole: no quote, backslash or control byte, UTF-8 in order. */
    private final BitSet plain;
    /** The characters each plain token adds to a string. */
    private final int[] chars;
    /** The most characters a plain token adds. */
    private int longestPlain;
    /** The plain tokens of at most k characters, for k below {@link #SHORT}. */
    private final BitSet[] plainUpTo = new BitSet[SHORT];
    private static final int SHORT = 16;
    /** Tokens of whitespace only. */
    private final BitSet whitespace = new BitSet();
    private final TokenTrie all;
    /** The tokens that are not plain. */
    private final TokenTrie rest;

    private TokenVocabulary(byte[][] bytes) {
        this.bytes = bytes;
        this.plain = new BitSet(bytes.length);
        this.chars = new int[bytes.length];
        int[] ids = new int[bytes.length];
        int[] notPlain = new int[bytes.length];
        int m = 0;
        for (int id = 0; id < bytes.length; id++) {
            ids[id] = id;
            int c = plainChars(bytes[id]);
            if (c > 0) {
                plain.set(id);
                chars[id] = c;
                longestPlain = Math.max(longestPlain, c);
            } else {
                notPlain[m++] = id;
            }
        }
        for (int k = 0; k < SHORT; k++) {
            plainUpTo[k] = new BitSet(bytes.length);
        }
        for (int id = plain.nextSetBit(0); id >= 0; id = plain.nextSetBit(id + 1)) {
            for (int k = chars[id]; k < SHORT; k++) {
                plainUpTo[k].set(id);
            }
        }
        for (int id = 0; id < bytes.length; id++) {
            byte[] t = bytes[id];
            if (t != null && t.length > 0 && t.length <= 8) {
                boolean space = true;
                for (byte x : t) {
                    space &= x == ' ' || x == '\n' || x == '\t';
                }
                if (space) {
                    whitespace.set(id);
                }
            }
        }
        this.all = TokenTrie.of(bytes, ids);
        this.rest = TokenTrie.of(bytes, java.util.Arrays.copyOf(notPlain, m));
    }

    /** A vocabulary of these bytes per id (null for a token that is never text). For tests. */
    static TokenVocabulary of(byte[][] bytes) {
        return new TokenVocabulary(bytes.clone());
    }

    /**
     * Reads {@code tokenizer.json}.
     *
     * @param size the model's vocabulary (ids beyond the tokenizer's are never allowed)
     * @throws IOException when it cannot be read
     * @throws IllegalArgumentException when its vocabulary is of a kind not supported, with the kind
     */
    public static TokenVocabulary read(Path tokenizerJson, int size) throws IOException {
        if (Files.size(tokenizerJson) > MAX_FILE_BYTES) {
            throw new IllegalArgumentException(tokenizerJson + " is larger than " + (MAX_FILE_BYTES >> 20) + " MB.");
        }
        JsonNode root;
        try (InputStream in = Files.newInputStream(tokenizerJson)) {
            root = new ObjectMapper().readTree(in);
        }
        JsonNode model = root.path("model");
        JsonNode vocab = model.path("vocab");
        if (!vocab.isObject()) {
            throw new IllegalArgumentException(tokenizerJson.getFileName() + " has a " + model.path("type").asText("?")
                    + " model without a token-to-id vocabulary; structured output needs a BPE vocabulary.");
        }
        boolean byteLevel = mentions(root.path("decoder"), "ByteLevel") || mentions(root.path("pre_tokenizer"), "ByteLevel");
        boolean byteFallback = model.path("byte_fallback").asBoolean(false) || mentions(root.path("decoder"), "ByteFallback");
        if (!byteLevel && !byteFallback) {
            throw new IllegalArgumentException(tokenizerJson.getFileName() + " is neither byte-level nor has byte fallback "
                    + "(its decoder is " + root.path("decoder").path("type").asText("none")
                    + "); structured output needs one of them to know each token's bytes.");
        }
        byte[][] bytes = new byte[size][];
        int[] unicodeToByte = byteLevel ? unicodeToByte() : null;
        for (Iterator<Map.Entry<String, JsonNode>> it = vocab.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            int id = e.getValue().asInt(-1);
            if (id >= 0 && id < size) {
                bytes[id] = byteLevel ? byteLevel(e.getKey(), unicodeToByte) : sentencePiece(e.getKey());
            }
        }
        for (JsonNode added : root.path("added_tokens")) {
            int id = added.path("id").asInt(-1);
            if (id < 0 || id >= size) {
                continue;
            }
            // a special token is never text; other added tokens are their content as written
            bytes[id] = added.path("special").asBoolean(false) ? null
                    : added.path("content").asText("").getBytes(StandardCharsets.UTF_8);
        }
        return new TokenVocabulary(bytes);
    }

    private static boolean mentions(JsonNode n, String type) {
        if (type.equals(n.path("type").asText())) {
            return true;
        }
        for (String list : new String[] {"decoders", "pretokenizers"}) {
            for (JsonNode child : n.path(list)) {
                if (mentions(child, type)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** GPT-2's map of printable characters back to the bytes they stand for (-1 for none). */
    private static int[] unicodeToByte() {
        int[] map = new int[512];
        java.util.Arrays.fill(map, -1);
        int extra = 0;
        for (int b = 0; b < 256; b++) {
            boolean printable = b >= '!' && b <= '~' || b >= 0xA1 && b <= 0xAC || b >= 0xAE && b <= 0xFF;
            map[printable ? b : 256 + extra++] = b;
        }
        return map;
    }

    private static byte[] byteLevel(String token, int[] unicodeToByte) {
        byte[] out = new byte[token.length()];
        for (int i = 0; i < token.length(); i++) {
            char c = token.charAt(i);
            if (c >= unicodeToByte.length || unicodeToByte[c] < 0) {
                return null; // not a byte-level token: never text
            }
            out[i] = (byte) unicodeToByte[c];
        }
        return out;
    }

    private static byte[] sentencePiece(String token) {
        if (token.length() == 6 && token.startsWith("<0x") && token.endsWith(">")) {
            try {
                return new byte[] {(byte) Integer.parseInt(token.substring(3, 5), 16)};
            } catch (NumberFormatException e) {
                return null;
            }
        }
        if (token.startsWith("<") && token.endsWith(">") && token.length() > 2) {
            return null; // <s>, <unk> and the like
        }
        return token.replace('\u2581', ' ').getBytes(StandardCharsets.UTF_8);
    }

    /** The characters {@code t} adds to a string when it is plain, else 0. */
    private static int plainChars(byte[] t) {
        if (t == null || t.length == 0) {
            return 0;
        }
        int chars = 0;
        int pending = 0;
        for (byte x : t) {
            int b = x & 0xFF;
            if (pending > 0) {
                pending = Utf8.afterContinuation(pending, b);
                if (pending < 0) {
                    return 0;
                }
                continue;
            }
            if (b < 0x20 || b == '"' || b == '\\') {
                return 0;
            }
            if (b >= 0x80) {
                pending = Utf8.afterLead(b);
                if (pending == 0) {
                    return 0;
                }
            }
            chars++;
        }
        return chars;
    }

    /** How many ids the vocabulary spans. */
    public int size() {
        return bytes.length;
    }

    /** The bytes of {@code id}, or null for a token that is never text. */
    byte[] bytes(int id) {
        return id >= 0 && id < bytes.length ? bytes[id] : null;
    }

    /** The ids whose bytes are exactly {@code text}. */
    int[] idsOf(byte[] text) {
        return java.util.stream.IntStream.range(0, bytes.length).filter(id -> java.util.Arrays.equals(bytes[id], text)).toArray();
    }

    /** Marks the tokens that are nothing but spaces, tabs and line breaks. */
    void whitespace(BitSet allowed) {
        allowed.or(whitespace);
    }

    /** Marks in {@code allowed} every token that {@code state} can read whole. */
    void allowed(JsonMatcher.State state, BitSet allowed) {
        int room = state.freeStringRoom();
        if (room < 0) {
            all.allowed(state, allowed);
            return;
        }
        // inside a string: every plain token that fits at once, the others one by one
        if (room >= longestPlain) {
            allowed.or(plain);
        } else if (room < SHORT) {
            allowed.or(plainUpTo[room]);
        } else {
            for (int id = plain.nextSetBit(0); id >= 0; id = plain.nextSetBit(id + 1)) {
                if (chars[id] <= room) {
                    allowed.set(id);
                }
            }
        }
        rest.allowed(state, allowed);
    }
}
