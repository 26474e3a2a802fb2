package io.kaiyuan.engine.constrain;

import io.kaiyuan.engine.sample.LogitsProcessor;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Set;

/**
 * Keeps an answer that may call tools to what the model's format allows, Hermes-style
 * ({@code <tool_call>{"name": ..., "arguments": {...}}</tool_call>}, as Qwen's templates write it): free text
 * until the model opens a call (outside reasoning and code fences), then a call whose name is one of the
 * functions and whose arguments are valid for that function's schema, then the closing tag (a token may span
 * the end of the call and the tag, as {@code }}\n} does); the opening tag in reasoning or a code fence is text;
 * after a call
 * only another call (when parallel calls are allowed) or the end. With a required or named call the
 * answer opens one at once (after the reasoning, for a model whose prompt opens it). Make one per generation.
 */
public final class ToolCallConstraint implements LogitsProcessor {
    /** The most whitespace-only tokens before a forced call or between calls. */
    static final int MAX_SPACES = 3;

    public enum Mode { AUTO, NONE, REQUIRED }

    private enum Phase { FREE, FORCED, CALL, AFTER }

    private final TokenVocabulary vocabulary;
    private final int[] eos;
    private final int[] open;
    private final byte[] closeText;
    private final Schema call;
    private final Mode mode;
    private final boolean parallel;
    private final FreeText free;
    private Phase phase;
    private JsonMatcher.State state;
    private int spaces;
    private int calls;
    private int read = -1;
    private final BitSet allowed;

    /**
     * @param openText the text that opens a call ({@code <tool_call>}); the model must have it as one token
     * @param closeText the text that closes it ({@code </tool_call>})
     * @param call what a call is ({@link Schema#toolCall})
     * @param reasoningOpen whether the answer starts inside the model's reasoning ({@code <think>} in the prompt)
     * @throws IllegalArgumentException when no single token is {@code openText}, or without an end-of-sequence id
     */
    public ToolCallConstraint(TokenVocabulary vocabulary, Set<Integer> eos, String openText, String closeText, Schema call,
            Mode mode, boolean parallel, boolean reasoningOpen) {
        if (eos.isEmpty()) {
            throw new IllegalArgumentException("Tool calls need the model's end-of-sequence token; this model names none.");
        }
        this.vocabulary = vocabulary;
        this.eos = eos.stream().mapToInt(Integer::intValue).toArray();
        this.open = vocabulary.idsOf(openText.getBytes(StandardCharsets.UTF_8));
        if (open.length == 0) {
            throw new IllegalArgumentException("This model has no " + openText + " token, so it cannot call tools.");
        }
        this.closeText = closeText.getBytes(StandardCharsets.UTF_8);
        this.call = call;
        this.mode = mode;
        this.parallel = parallel;
        this.free = new FreeText(reasoningOpen);
        this.phase = mode == Mode.REQUIRED && !reasoningOpen ? Phase.FORCED : Phase.FREE;
        this.spaces = MAX_SPACES; // a forced call opens the answer at once (after reasoning, a line break or two)
        this.allowed = new BitSet(vocabulary.size());
    }

    /** How many calls the answer has made so far. */
    public int calls() {
        return calls;
    }

    @Override
    public void process(float[] scores, int[] history, int length) {
        if (read < 0) {
            read = length;
        }
        while (read < length) {
            accept(history[read++]);
        }
        allowed.clear();
        switch (phase) {
            case FREE -> {
                allowed.set(0, scores.length);
                if (mode == Mode.NONE) {
                    for (int id : open) {
                        allowed.clear(id); // calls are off
                    }
                }
            }
            case FORCED -> {
                for (int id : open) {
                    allowed.set(id);
                }
                if (spaces < MAX_SPACES) {
                    vocabulary.whitespace(allowed);
                }
            }
            case CALL -> vocabulary.allowed(state, allowed);
            case AFTER -> {
                for (int id : eos) {
                    allowed.set(id);
                }
                if (parallel) {
                    for (int id : open) {
                        allowed.set(id);
                    }
                }
                if (spaces < MAX_SPACES) {
                    vocabulary.whitespace(allowed);
                }
            }
        }
        if (phase == Phase.FREE && mode == Mode.REQUIRED) {
            for (int id : eos) {
                allowed.clear(id); // the call is still to come
            }
        }
        for (int id = allowed.nextClearBit(0); id < scores.length; id = allowed.nextClearBit(id + 1)) {
            scores[id] = Float.NEGATIVE_INFINITY;
        }
    }

    private boolean isOpen(int id) {
        for (int o : open) {
            if (o == id) {
                return true;
            }
        }
        return false;
    }

    private void accept(int id) {
        for (int e : eos) {
            if (e == id) {
                return;
            }
        }
        byte[] b = vocabulary.bytes(id);
        switch (phase) {
            case FREE -> {
                if (isOpen(id) && !free.quiet() && mode != Mode.NONE) {
                    startCall();
                } else if (b != null) {
                    free.add(b);
                    if (mode == Mode.REQUIRED && !free.quiet() && free.reasoningClosed()) {
                        phase = Phase.FORCED; // the reasoning is over: the call comes now
                        spaces = 0;
                    }
                }
            }
            case FORCED, AFTER -> {
                if (isOpen(id)) {
                    startCall();
                } else {
                    spaces++;
                }
            }
            case CALL -> {
                JsonMatcher.State next = b == null ? null : state.advance(b);
                if (next == null) {
                    throw new IllegalStateException("Token " + id + " does not continue the tool call.");
                }
                state = next;
                if (state.accepts()) { // the call and its closing tag are whole
                    calls++;
                    phase = Phase.AFTER;
                    spaces = 0;
                }
            }
        }
    }

    private void startCall() {
        phase = Phase.CALL;
        state = JsonMatcher.callThenTag(call, closeText);
    }

    /**
     * The free text's context, as the answer's reader sees it: inside the reasoning ({@code <think>} to
     * {@code </think>}) or a code fence (between lines of three backticks) a call cannot open.
     */
    static final class FreeText {
        private static final byte[] THINK_END = "</think>".getBytes(StandardCharsets.UTF_8);
        private static final byte[] THINK = "<think>".getBytes(StandardCharsets.UTF_8);
        private boolean reasoning;
        private boolean closedReasoning;
        private boolean fence;
        private int backticks;
        private final byte[] tail = new byte[8];
        private int tailLength;

        FreeText(boolean reasoningOpen) {
            this.reasoning = reasoningOpen;
        }

        boolean quiet() {
            return reasoning || fence;
        }

        boolean reasoningClosed() {
            return closedReasoning;
        }

        void add(byte[] bytes) {
            for (byte x : bytes) {
                push(x);
                if (reasoning) {
                    if (endsWith(THINK_END)) {
                        reasoning = false;
                        closedReasoning = true;
                    }
                    continue;
                }
                if (endsWith(THINK) && !closedReasoning) {
                    reasoning = true;
                    continue;
                }
                if (x == '`') {
                    if (++backticks == 3) {
                        fence = !fence;
                        backticks = 0;
                    }
                } else {
                    backticks = 0;
                }
            }
        }

        private void push(byte x) {
            if (tailLength == tail.length) {
                System.arraycopy(tail, 1, tail, 0, tail.length - 1);
                tailLength--;
            }
            tail[tailLength++] = x;
        }

        private boolean endsWith(byte[] s) {
            return tailLength >= s.length && Arrays.equals(tail, tailLength - s.length, tailLength, s, 0, s.length);
        }
    }
}
