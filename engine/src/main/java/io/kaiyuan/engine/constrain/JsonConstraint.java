package io.kaiyuan.engine.constrain;

import io.kaiyuan.engine.sample.LogitsProcessor;
import java.util.BitSet;
import java.util.Set;

/**
 * Constrained decoding: a logits processor that leaves only the tokens that can continue a document
 * valid for the schema, and the end-of-sequence tokens only once the document is whole (so a finished
 * document ends the answer, and nothing else can). It must come first in the chain, before any processor
 * that narrows the candidates. It reads the tokens chosen since its last call from the history, so it
 * follows one generation from its first new token; make one per generation.
 */
public final class JsonConstraint implements LogitsProcessor {
    private final TokenVocabulary vocabulary;
    private final int[] eos;
    private final Schema schema;
    /** While the model still reasons (the prompt opened it), what it has written of that; null after. */
    private ToolCallConstraint.FreeText reasoning;
    private JsonMatcher.State state;
    private int read = -1;
    private final BitSet allowed;

    /**
     * @param eos the ids that end the answer; at least one
     * @throws IllegalArgumentException without an end-of-sequence id (the document could not end)
     */
    public JsonConstraint(Schema schema, TokenVocabulary vocabulary, Set<Integer> eos) {
        this(schema, vocabulary, eos, false);
    }

    /**
     * @param reasoningOpen the prompt opens the model's reasoning ({@code <think>}, as DeepSeek-R1 distills' templates
     *     do): the reasoning runs free until {@code </think>}, then the document follows (after a line break or two)
     */
    public JsonConstraint(Schema schema, TokenVocabulary vocabulary, Set<Integer> eos, boolean reasoningOpen) {
        if (eos.isEmpty()) {
            throw new IllegalArgumentException("Structured output needs the model's end-of-sequence token; this model names none"
                    + " in generation_config.json or config.json.");
        }
        this.vocabulary = vocabulary;
        this.eos = eos.stream().mapToInt(Integer::intValue).toArray();
        this.schema = schema;
        this.reasoning = reasoningOpen ? new ToolCallConstraint.FreeText(true) : null;
        this.state = reasoningOpen ? null : JsonMatcher.start(schema);
        this.allowed = new BitSet(vocabulary.size());
    }

    @Override
    public void process(float[] scores, int[] history, int length) {
        if (read < 0) {
            read = length; // the prompt: the document starts after it
        }
        while (read < length) {
            accept(history[read++]);
        }
        allowed.clear();
        if (reasoning != null) {
            allowed.set(0, scores.length); // free, but the answer cannot end before its document
            for (int id : eos) {
                allowed.clear(id);
            }
        } else {
            vocabulary.allowed(state, allowed);
        }
        if (reasoning == null && state.accepts()) {
            for (int id : eos) {
                allowed.set(id);
            }
        }
        if (allowed.isEmpty()) {
            throw new IllegalStateException("No token can continue the document: the vocabulary lacks a byte it needs.");
        }
        int n = Math.min(scores.length, vocabulary.size());
        for (int id = allowed.nextClearBit(0); id < scores.length; id = allowed.nextClearBit(id + 1)) {
            scores[id] = Float.NEGATIVE_INFINITY;
        }
        assert n <= scores.length;
    }

    private void accept(int id) {
        for (int e : eos) {
            if (e == id) {
                return;
            }
        }
        byte[] b = vocabulary.bytes(id);
        if (reasoning != null) {
            if (b != null) {
                reasoning.add(b);
            }
            if (reasoning.reasoningClosed()) {
                reasoning = null;
                state = JsonMatcher.startAfterSpace(schema);
            }
            return;
        }
        JsonMatcher.State next = b == null ? null : state.advance(b);
        if (next == null) {
            throw new IllegalStateException("Token " + id + " does not continue the document; was it chosen past the constraint?");
        }
        state = next;
    }

    /** Whether the document read so far is whole and valid. */
    public boolean complete() {
        return state != null && state.accepts();
    }
}
