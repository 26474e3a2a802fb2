package io.kaiyuan.engine.constrain;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * What a model writes when it calls tools, byte by byte: the text that opens its calls and what must follow
 * it for the calls to be whole and valid (names among the functions, arguments valid for their schemas).
 * Immutable; {@link ToolCallConstraint} reads answers with it.
 */
public final class CallSection {
    private final byte[] open;
    private final JsonMatcher.Stack afterOpen;
    private final boolean repeats;

    private CallSection(String open, JsonMatcher.Stack afterOpen, boolean repeats) {
        this.open = open.getBytes(StandardCharsets.UTF_8);
        this.afterOpen = afterOpen;
        this.repeats = repeats;
    }

    /**
     * Hermes-style (Qwen2.5, Qwen3): {@code open}, a little whitespace, {@code {"name": ..., "arguments": {...}}},
     * a little whitespace, {@code close}; one call per section, parallel calls as more sections.
     *
     * @param call what a call is ({@link Schema#toolCall})
     */
    public static CallSection hermes(String open, String close, Schema call) {
        return new CallSection(open, JsonMatcher.callThenTagStack(call, close.getBytes(StandardCharsets.UTF_8)),
                true);
    }

    /**
     * Name, then arguments (DeepSeek's {@code <｜tool▁calls▁begin｜><｜tool▁call▁begin｜>function<｜tool▁sep｜>NAME\n```json\n
     * {...}\n```<｜tool▁call▁end｜>...<｜tool▁calls▁end｜>}): after {@code open}, {@code callOpen}; per call its name,
     * {@code nameEnd}, the arguments, {@code argsEnd}; then {@code between} and {@code callOpen} for another call
     * (when {@code parallel}), or {@code end}. All calls in one section.
     */
    public static CallSection namedCalls(String open, String callOpen, String nameEnd, String argsEnd, String between,
            String end, List<String> names, List<Schema> parameters, boolean parallel) {
        if (names.isEmpty() || names.size() != parameters.size()) {
            throw new IllegalArgumentException("one parameter schema per function name");
        }
        List<List<byte[]>> nameTexts = new ArrayList<>();
        for (String n : names) {
            nameTexts.add(List.of((n + nameEnd).getBytes(StandardCharsets.UTF_8)));
        }
        List<byte[]> after = parallel ? List.of(bytes(end), bytes(between + callOpen)) : List.of(bytes(end));
        JsonMatcher.NamedCalls calls = new JsonMatcher.NamedCalls(nameTexts, List.copyOf(parameters), List.of(bytes(argsEnd)), after);
        return new CallSection(open, JsonMatcher.namedCalls(calls, bytes(callOpen)), false);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** The text that opens the calls. */
    byte[] open() {
        return open;
    }

    /** Whether parallel calls are more sections (each opened again), rather than more calls in one. */
    boolean repeats() {
        return repeats;
    }

    /** The state right after the opening text. */
    JsonMatcher.State afterOpen() {
        return JsonMatcher.of(afterOpen);
    }

    /** The state before the opening text: the text, then the calls. */
    JsonMatcher.State beforeOpen() {
        return JsonMatcher.of(JsonMatcher.push(afterOpen, new JsonMatcher.LiteralFrame(List.of(open), new int[] {0}, 0)));
    }
}
