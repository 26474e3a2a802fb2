package io.kaiyuan.engine.template;

/**
 * Splits streamed model output into reasoning ({@code <think>}...{@code </think>}) and answer. The tags
 * may arrive split across tokens; text that could still be part of a tag is held back. A prompt that
 * already opens the block (DeepSeek-R1 distills' templates end with {@code <think>\n}) starts inside it.
 * Like the chat templates that strip reasoning from history, newlines around the reasoning and at the
 * start of the answer are dropped. Not thread-safe: one per generation.
 */
public final class ReasoningParser {
    public static final String OPEN = "<think>";
    public static final String CLOSE = "</think>";

    /** Text to append to each part; either may be empty. */
    public record Delta(String reasoning, String answer) {
        static final Delta EMPTY = new Delta("", "");

        /** Appends each part to its text and hands the non-empty ones to {@code listener}. */
        public void deliver(StringBuilder reasoningText, StringBuilder answerText,
                io.kaiyuan.engine.api.TokenListener listener) {
            if (!reasoning.isEmpty()) {
                reasoningText.append(reasoning);
                listener.onReasoning(reasoning);
            }
            if (!answer.isEmpty()) {
                answerText.append(answer);
                listener.onText(answer);
            }
        }
    }

    private enum State { START, REASONING, ANSWER }

    private State state;
    private final StringBuilder pending = new StringBuilder();
    private boolean reasoningStarted;
    private boolean answerStarted;
    private boolean closed;

    /** @param startsInside the prompt ends inside an open reasoning block */
    public ReasoningParser(boolean startsInside) {
        this.state = startsInside ? State.REASONING : State.START;
    }

    /** True when the rendered prompt leaves the model inside a reasoning block. */
    public static boolean promptOpensReasoning(String prompt) {
        String trimmed = prompt.stripTrailing();
        return trimmed.endsWith(OPEN) && trimmed.lastIndexOf(OPEN) > trimmed.lastIndexOf(CLOSE);
    }

    /** Adds streamed text; returns what can be shown now. */
    public Delta add(String text) {
        pending.append(text);
        StringBuilder reasoning = new StringBuilder();
        StringBuilder answer = new StringBuilder();
        boolean progress = true;
        while (progress) {
            progress = false;
            switch (state) {
                case START -> {
                    int i = 0;
                    while (i < pending.length() && Character.isWhitespace(pending.charAt(i))) {
                        i++;
                    }
                    String rest = pending.substring(i);
                    if (rest.startsWith(OPEN)) {
                        pending.delete(0, i + OPEN.length());
                        state = State.REASONING;
                        progress = true;
                    } else if (!OPEN.startsWith(rest)) {
                        state = State.ANSWER;
                        progress = true;
                    }
                }
                case REASONING -> {
                    int close = pending.indexOf(CLOSE);
                    if (close >= 0) {
                        emitReasoning(pending.substring(0, close), reasoning, true);
                        pending.delete(0, close + CLOSE.length());
                        state = State.ANSWER;
                        closed = true;
                        progress = true;
                    } else {
                        int keep = partialSuffix(pending, CLOSE);
                        int end = pending.length() - keep;
                        // Trailing newlines may turn out to precede </think>: hold them back too.
                        while (end > 0 && pending.charAt(end - 1) == '\n') {
                            end--;
                        }
                        emitReasoning(pending.substring(0, end), reasoning, false);
                        pending.delete(0, end);
                    }
                }
                case ANSWER -> {
                    String s = pending.toString();
                    pending.setLength(0);
                    if (!answerStarted) {
                        s = stripLeadingNewlines(s);
                        if (s.isEmpty()) {
                            break;
                        }
                        answerStarted = true;
                    }
                    answer.append(s);
                }
                default -> throw new IllegalStateException();
            }
        }
        return reasoning.length() == 0 && answer.length() == 0 ? Delta.EMPTY
                : new Delta(reasoning.toString(), answer.toString());
    }

    private void emitReasoning(String s, StringBuilder out, boolean atClose) {
        if (!reasoningStarted) {
            s = stripLeadingNewlines(s);
            if (s.isEmpty()) {
                return;
            }
            reasoningStarted = true;
        }
        if (atClose) {
            int end = s.length();
            while (end > 0 && s.charAt(end - 1) == '\n') {
                end--;
            }
            s = s.substring(0, end);
        }
        out.append(s);
    }

    private static String stripLeadingNewlines(String s) {
        int i = 0;
        while (i < s.length() && s.charAt(i) == '\n') {
            i++;
        }
        return s.substring(i);
    }

    /** Length of the longest suffix of {@code text} that is a proper prefix of {@code tag}. */
    private static int partialSuffix(CharSequence text, String tag) {
        for (int n = Math.min(tag.length() - 1, text.length()); n > 0; n--) {
            boolean match = true;
            for (int k = 0; k < n && match; k++) {
                match = text.charAt(text.length() - n + k) == tag.charAt(k);
            }
            if (match) {
                return n;
            }
        }
        return 0;
    }

    /** The end of the output: whatever is held back, in the part it belongs to. */
    public Delta finish() {
        String s = pending.toString();
        pending.setLength(0);
        return switch (state) {
            case START, ANSWER -> {
                String a = answerStarted ? s : stripLeadingNewlines(s);
                answerStarted |= !a.isEmpty();
                yield new Delta("", a);
            }
            case REASONING -> {
                StringBuilder r = new StringBuilder();
                emitReasoning(s, r, true);
                yield new Delta(r.toString(), "");
            }
        };
    }

    /** True when reasoning started and was never closed (the whole output is reasoning). */
    public boolean unclosed() {
        return state == State.REASONING && !closed;
    }

    /** True once the reasoning block has ended. */
    public boolean reasoningEnded() {
        return closed;
    }
}
