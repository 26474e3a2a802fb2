package io.kaiyuan.engine.constrain;

import io.kaiyuan.engine.sample.LogitsProcessor;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Set;

/**
 * Keeps an answer that may call tools to what the model's format allows ({@link CallSection}: Hermes-style
 * {@code <tool_call>{"name": ..., "arguments": {...}}</tool_call>} as Qwen's templates write it, or DeepSeek's
 * name-then-arguments blocks): free text until the model opens a call (outside reasoning and code fences),
 * then calls whose names are among the functions and whose arguments are valid for their schemas, then the
 * closing text (a token may span the end of a call and its tag, as {@code }}\n} does); the opening text in
 * reasoning or a code fence is text; after the calls only more calls (when parallel calls are allowed) or the
 * end of the answer. The opening may be one token (Qwen's {@code <tool_call>}) or several (a model without
 * such a token). With a required or named call the answer opens one at once (after the reasoning, for a model
 * whose prompt opens it). Make one per generation.
 */
public final class ToolCallConstraint implements LogitsProcessor {
    /** The most whitespace-only tokens before a forced call or between calls. */
    static final int MAX_SPACES = 3;

    public enum Mode { AUTO, NONE, REQUIRED }

    private enum Phase { FREE, FORCED, CALL, AFTER }

    private final TokenVocabulary vocabulary;
    private final int[] eos;
    /** The tokens that are the opening text on their own; may be none. */
    private final int[] open;
    private final CallSection section;
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
     * @param section how the model writes its calls, with the functions it may call
     * @param parallel whether more than one call may be made
     * @param reasoningOpen whether the answer starts inside the model's reasoning ({@code <think>} in the prompt)
     * @throws IllegalArgumentException without an end-of-sequence id
     */
    public ToolCallConstraint(TokenVocabulary vocabulary, Set<Integer> eos, CallSection section, Mode mode, boolean parallel,
            boolean reasoningOpen) {
        if (eos.isEmpty()) {
            throw new IllegalArgumentException("Tool calls need the model's end-of-sequence token; this model names none.");
        }
        this.vocabulary = vocabulary;
        this.eos = eos.stream().mapToInt(Integer::intValue).toArray();
        this.section = section;
        this.open = vocabulary.idsOf(section.open());
        this.mode = mode;
        this.parallel = parallel;
        this.free = new FreeText(reasoningOpen, section.open().length);
        this.phase = mode == Mode.REQUIRED && !reasoningOpen ? Phase.FORCED : Phase.FREE;
        this.spaces = MAX_SPACES; // a forced call opens the answer at once (after reasoning, a line break or two)
        this.allowed = new BitSet(vocabulary.size());
    }

    /** How many call sections the answer has completed so far. */
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
                allowOpening();
                if (spaces < MAX_SPACES) {
                    vocabulary.whitespace(allowed);
                }
            }
            case CALL -> vocabulary.allowed(state, allowed);
            case AFTER -> {
                for (int id : eos) {
                    allowed.set(id);
                }
                if (parallel && section.repeats()) {
                    allowOpening(); // another call's block, perhaps after a line break
                    if (spaces < MAX_SPACES) {
                        vocabulary.whitespace(allowed);
                    }
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

    /** The tokens that may open a call: the opening token when the model has one, else those that begin the opening text. */
    private void allowOpening() {
        if (open.length > 0) {
            for (int id : open) {
                allowed.set(id);
            }
        } else {
            vocabulary.allowed(section.beforeOpen(), allowed);
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
                    enter(section.afterOpen());
                } else if (b != null) {
                    int opened = -1;
                    if (mode == Mode.NONE) {
                        free.add(b);
                    } else {
                        opened = free.addUntilOpened(b, section.open());
                    }
                    if (opened >= 0) {
                        // the opening text ended inside this token: what follows it is the calls' start
                        JsonMatcher.State next = section.afterOpen().advance(Arrays.copyOfRange(b, opened, b.length));
                        if (next != null) {
                            enter(next);
                            return;
                        }
                        free.add(Arrays.copyOfRange(b, opened, b.length));
                    }
                    if (mode == Mode.REQUIRED && !free.quiet() && free.reasoningClosed()) {
                        phase = Phase.FORCED; // the reasoning is over: the call comes now
                        spaces = 0;
                    }
                }
            }
            case FORCED, AFTER -> {
                if (isOpen(id)) {
                    enter(section.afterOpen());
                } else {
                    JsonMatcher.State next = open.length > 0 || b == null ? null : section.beforeOpen().advance(b);
                    if (next != null) {
                        enter(next);
                    } else {
                        spaces++;
                    }
                }
            }
            case CALL -> {
                JsonMatcher.State next = b == null ? null : state.advance(b);
                if (next == null) {
                    throw new IllegalStateException("Token " + id + " does not continue the tool call.");
                }
                enter(next);
            }
        }
    }

    /** Reading calls at {@code next}: done with them once the section is whole. */
    private void enter(JsonMatcher.State next) {
        state = next;
        phase = Phase.CALL;
        if (state.accepts()) { // the calls and their closing text are whole
            calls++;
            phase = Phase.AFTER;
            spaces = 0;
        }
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
        private final byte[] tail;
        private int tailLength;

        FreeText(boolean reasoningOpen) {
            this(reasoningOpen, 0);
        }

        /** @param longest the longest text it must see the end of (beside {@code </think>}) */
        FreeText(boolean reasoningOpen, int longest) {
            this.reasoning = reasoningOpen;
            this.tail = new byte[Math.max(THINK_END.length, longest)];
        }

        /**
         * Adds {@code bytes} until they complete {@code open} outside reasoning and code fences; returns how many
         * were added then (the rest not), or -1 when all were added and none completed it.
         */
        int addUntilOpened(byte[] bytes, byte[] open) {
            for (int i = 0; i < bytes.length; i++) {
                add(bytes[i]);
                if (!quiet() && endsWith(open)) {
                    return i + 1;
                }
            }
            return -1;
        }

        boolean quiet() {
            return reasoning || fence;
        }

        boolean reasoningClosed() {
            return closedReasoning;
        }

        void add(byte[] bytes) {
            for (byte x : bytes) {
                add(x);
            }
        }

        private void add(byte x) {
            push(x);
            if (reasoning) {
                if (endsWith(THINK_END)) {
                    reasoning = false;
                    closedReasoning = true;
                }
                return;
            }
            if (endsWith(THINK) && !closedReasoning) {
                reasoning = true;
                return;
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
