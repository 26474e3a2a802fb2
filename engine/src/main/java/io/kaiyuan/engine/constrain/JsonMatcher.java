package io.kaiyuan.engine.constrain;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Reads a JSON document byte by byte and says which bytes may come next so that it still becomes a
 * document valid for a {@link Schema}. A state is immutable: {@link #advance} returns the next one (or
 * null for a byte that cannot come), so the token search can try a byte and go back for free.
 *
 * <p>A state is a small set of configurations, each a stack of frames (the value being read on top of
 * the object or array holding it); {@code anyOf}, optional properties and literals that share a start
 * keep more than one until a byte tells them apart. Whitespace between tokens is bounded as in
 * llama.cpp's JSON grammar: a single space, or a line break and at most 20 spaces or tabs, so a document
 * whose strings and arrays are bounded always ends.
 */
final class JsonMatcher {
    /** The most configurations a state keeps. */
    static final int MAX_CONFIGURATIONS = 256;
    /** The most spaces or tabs after a line break between two tokens. */
    static final int MAX_INDENT = 20;

    private JsonMatcher() {}

    /** The state before the document's first byte. */
    static State start(Schema schema) {
        return new State(java.util.Collections.singletonList(new Stack(new ValueFrame(schema.root(), 0), null)));
    }

    /** The state before a document that may follow a little whitespace (after a model's reasoning). */
    static State startAfterSpace(Schema schema) {
        return new State(java.util.Collections.singletonList(push(new Stack(new ValueFrame(schema.root(), 0), null), Ws.START)));
    }

    /**
     * The state after a call's opening tag: a little whitespace, the document, a little whitespace and
     * {@code close} exactly; {@link State#closed()} once all of it is read.
     */
    static State callThenTag(Schema schema, byte[] close) {
        return of(callThenTagStack(schema, close));
    }

    /** The stack of {@link #callThenTag}. */
    static Stack callThenTagStack(Schema schema, byte[] close) {
        Stack tag = push(new Stack(new LiteralFrame(List.of(close), new int[] {0}, 0), null), Ws.START);
        return push(push(tag, new ValueFrame(schema.root(), 0)), Ws.START);
    }

    /**
     * Calls written as {@code name}, {@code nameEnd}, the arguments, {@code argsEnd} (DeepSeek's
     * {@code get_weather\n```json\n{...}\n```<｜tool▁call▁end｜>}), each followed by one of {@code after}:
     * the first ends the calls, the second (when more calls may follow) starts the next call's name.
     */
    record NamedCalls(List<List<byte[]>> names, List<Schema> parameters, List<byte[]> argsEnd, List<byte[]> after) {}

    /** The state before {@code first}, then the calls of {@code calls} until one of them ends them. */
    static Stack namedCalls(NamedCalls calls, byte[] first) {
        return push(push(null, new NamesFrame(calls)), new LiteralFrame(List.of(first), new int[] {0}, 0));
    }

    /** A call's name about to start: each function's name, then its arguments. */
    record NamesFrame(NamedCalls calls) implements Frame {
        @Override
        public void step(int b, Stack rest, Out out) {
            Stack after = push(rest, new AfterCallFrame(calls, all(calls.after().size()), 0));
            for (int i = 0; i < calls.names().size(); i++) {
                Stack call = push(push(push(after, new LiteralFrame(calls.argsEnd(), new int[] {0}, 0)),
                        new ValueFrame(calls.parameters().get(i).root(), 0)), new LiteralFrame(calls.names().get(i), new int[] {0}, 0));
                feed(call, b, out);
            }
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof NamesFrame n && n.calls == calls;
        }

        @Override
        public int hashCode() {
            return System.identityHashCode(calls);
        }
    }

    /** After a call: the text that ends the calls ({@code after[0]}) or the one that starts another ({@code after[1]}). */
    record AfterCallFrame(NamedCalls calls, int[] alive, int pos) implements Frame {
        @Override
        public void step(int b, Stack rest, Out out) {
            int[] next = new int[alive.length];
            int n = 0;
            for (int i : alive) {
                byte[] t = calls.after().get(i);
                if (t.length == pos) {
                    if (i == 0) {
                        feed(rest, b, out);
                    } else {
                        new NamesFrame(calls).step(b, rest, out);
                    }
                } else if ((t[pos] & 0xFF) == b) {
                    next[n++] = i;
                }
            }
            if (n > 0) {
                out.add(push(rest, new AfterCallFrame(calls, n == next.length ? next : Arrays.copyOf(next, n), pos + 1)));
            }
        }

        @Override
        public boolean canEnd() {
            for (int i : alive) {
                if (i == 0 && calls.after().get(0).length == pos) {
                    return true;
                }
            }
            return false;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof AfterCallFrame a && a.calls == calls && a.pos == pos && Arrays.equals(a.alive, alive);
        }

        @Override
        public int hashCode() {
            return 31 * (31 * System.identityHashCode(calls) + pos) + Arrays.hashCode(alive);
        }
    }

    /** A state of one configuration. */
    static State of(Stack s) {
        return new State(java.util.Collections.singletonList(s));
    }

    /** One stack of frames; {@code rest} null below the bottom frame. */
    record Stack(Frame top, Stack rest) {}

    /** Where the reading is: the configurations still possible. */
    static final class State {
        private final List<Stack> configurations;
        private final int hash;

        State(List<Stack> configurations) {
            this.configurations = configurations;
            this.hash = configurations.hashCode();
        }

        /** The state after {@code b} (0..255), or null when no document valid for the schema goes on so. */
        State advance(int b) {
            Out out = new Out();
            for (Stack s : configurations) {
                feed(s, b, out);
            }
            if (out.stacks.isEmpty()) {
                return null;
            }
            // a null stack is a document read to its end
            return new State(out.stacks.size() == 1 ? java.util.Collections.singletonList(out.stacks.get(0))
                    : java.util.Collections.unmodifiableList(out.stacks));
        }

        /** The state after {@code bytes}, or null. */
        State advance(byte[] bytes) {
            State s = this;
            for (int i = 0; i < bytes.length && s != null; i++) {
                s = s.advance(bytes[i] & 0xFF);
            }
            return s;
        }

        /** Whether the document may end here: it is a whole valid document. */
        boolean accepts() {
            for (Stack s : configurations) {
                if (ends(s)) {
                    return true;
                }
            }
            return false;
        }

        /** Whether no byte at all may follow (the document is complete and closed). */
        boolean closed() {
            for (Stack s : configurations) {
                if (s != null) {
                    return false;
                }
            }
            return true;
        }

        /**
         * When the only thing being read is a string's characters (not an escape, not inside a character),
         * how many more characters it may take (Integer.MAX_VALUE for any); else -1. The token search lets
         * tokens of plain characters through at once then.
         */
        int freeStringRoom() {
            if (configurations.size() != 1 || configurations.get(0) == null
                    || !(configurations.get(0).top() instanceof StringFrame f) || f.escape != 0 || f.pending != 0) {
                return -1;
            }
            return f.max < 0 ? Integer.MAX_VALUE : f.max - f.count;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof State s && s.hash == hash && s.configurations.equals(configurations);
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }

    /** Collects the stacks a byte leads to, without repeats. */
    static final class Out {
        final List<Stack> stacks = new ArrayList<>(2);
        private Set<Stack> seen;

        void add(Stack s) {
            if (stacks.size() >= MAX_CONFIGURATIONS) {
                return;
            }
            if (stacks.isEmpty()) {
                stacks.add(s);
                return;
            }
            if (seen == null) {
                seen = new LinkedHashSet<>(stacks);
            }
            if (seen.add(s)) {
                stacks.add(s);
            }
        }
    }

    static void feed(Stack s, int b, Out out) {
        if (s != null) {
            s.top().step(b, s.rest(), out);
        }
    }

    static boolean ends(Stack s) {
        for (Stack at = s; at != null; at = at.rest()) {
            if (!at.top().canEnd()) {
                return false;
            }
        }
        return true;
    }

    static Stack push(Stack rest, Frame f) {
        return new Stack(f, rest);
    }

    /** A part of the document being read. */
    interface Frame {
        /** Reads {@code b} with {@code rest} below: adds the stacks it leads to. */
        void step(int b, Stack rest, Out out);

        /** Whether this part may end here, before a byte that belongs to what holds it. */
        default boolean canEnd() {
            return false;
        }
    }

    /** A value about to start. */
    record ValueFrame(Schema.Node node, int depth) implements Frame {
        @Override
        public void step(int b, Stack rest, Out out) {
            start(node, depth, b, rest, out, 0);
        }
    }

    private static void start(Schema.Node node, int depth, int b, Stack rest, Out out, int hops) {
        if (node instanceof Schema.Ref r) {
            if (hops <= 64) {
                start(r.target(), depth, b, rest, out, hops + 1);
            }
        } else if (node instanceof Schema.AnyOf a) {
            a.options().forEach(o -> start(o, depth, b, rest, out, hops));
        } else if (node instanceof Schema.Literals l) {
            new LiteralFrame(l.texts(), all(l.texts().size()), 0).step(b, rest, out);
        } else if (node instanceof Schema.StringNode s) {
            if (b == '"') {
                out.add(push(rest, new StringFrame(s.minLength(), s.maxLength(), 0, 0, 0, null)));
            }
        } else if (node instanceof Schema.NumberNode n) {
            if (b == '-' || b >= '0' && b <= '9') {
                new NumberFrame(n, "").step(b, rest, out);
            }
        } else if (node instanceof Schema.ObjectNode o) {
            if (b == '{' && depth < Schema.MAX_DEPTH) {
                out.add(push(push(rest, new ObjectFrame(o, ObjectFrame.OPEN, 0L, -1, depth + 1)), Ws.START));
            }
        } else if (node instanceof Schema.ArrayNode a) {
            if (b == '[' && depth < Schema.MAX_DEPTH) {
                out.add(push(push(rest, new ArrayFrame(a, ArrayFrame.OPEN, 0, depth + 1)), Ws.START));
            }
        } else { // any value
            switch (b) {
                case '{' -> start(ANY_OBJECT, depth, b, rest, out, hops);
                case '[' -> start(ANY_ARRAY, depth, b, rest, out, hops);
                case '"' -> start(ANY_STRING, depth, b, rest, out, hops);
                case 't', 'f', 'n' -> start(ANY_LITERAL, depth, b, rest, out, hops);
                default -> start(ANY_NUMBER, depth, b, rest, out, hops);
            }
        }
    }

    private static final Schema.Node ANY_OBJECT = new Schema.ObjectNode(List.of(), List.of(), List.of(), new Schema.AnyValue());
    private static final Schema.Node ANY_ARRAY = new Schema.ArrayNode(new Schema.AnyValue(), 0, -1);
    private static final Schema.Node ANY_STRING = new Schema.StringNode(0, -1);
    private static final Schema.Node ANY_NUMBER = new Schema.NumberNode(false, null, null);
    private static final Schema.Node ANY_LITERAL = new Schema.Literals(List.of(bytes("true"), bytes("false"), bytes("null")));

    /**
     * Whitespace between tokens: {@code state} 0 before any, 1 after a space (nothing more), 2 + k after a
     * line break and k spaces or tabs.
     */
    record Ws(int state) implements Frame {
        static final Ws START = new Ws(0);

        @Override
        public void step(int b, Stack rest, Out out) {
            if (b == ' ' || b == '\t' || b == '\n' || b == '\r') {
                int next = -1;
                if (state == 0) {
                    next = b == ' ' ? 1 : b == '\n' ? 2 : -1;
                } else if (state >= 2 && state - 2 < MAX_INDENT && (b == ' ' || b == '\t')) {
                    next = state + 1;
                }
                if (next >= 0) {
                    out.add(push(rest, new Ws(next)));
                }
                return;
            }
            feed(rest, b, out);
        }

        @Override
        public boolean canEnd() {
            return true;
        }
    }

    /** One of some exact byte texts, {@code pos} bytes of them read; {@code alive} the ones still matching. */
    record LiteralFrame(List<byte[]> texts, int[] alive, int pos) implements Frame {
        @Override
        public void step(int b, Stack rest, Out out) {
            int[] next = new int[alive.length];
            int n = 0;
            boolean ended = false;
            for (int i : alive) {
                byte[] t = texts.get(i);
                if (t.length == pos) {
                    ended = true;
                } else if ((t[pos] & 0xFF) == b) {
                    next[n++] = i;
                }
            }
            if (n > 0) {
                out.add(push(rest, new LiteralFrame(texts, n == next.length ? next : Arrays.copyOf(next, n), pos + 1)));
            }
            if (ended) {
                feed(rest, b, out);
            }
        }

        @Override
        public boolean canEnd() {
            for (int i : alive) {
                if (texts.get(i).length == pos) {
                    return true;
                }
            }
            return false;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof LiteralFrame l && l.texts == texts && l.pos == pos && Arrays.equals(l.alive, alive);
        }

        @Override
        public int hashCode() {
            return 31 * (31 * System.identityHashCode(texts) + pos) + Arrays.hashCode(alive);
        }
    }

    /**
     * A string's characters after its opening quote: {@code count} characters so far, {@code pending}
     * continuation bytes of a character still to come, {@code escape} 1 after a backslash and 2..5 while
     * reading the hex digits of a {@code \\u} escape (escape - 1 to go). {@code exclude}: for an extra
     * property's key, the declared names it must not be (such a key has no escapes), else null.
     */
    record StringFrame(int min, int max, int count, int pending, int escape, Exclude exclude) implements Frame {
        @Override
        public void step(int b, Stack rest, Out out) {
            if (escape == 1) {
                if (b == 'u') {
                    out.add(push(rest, new StringFrame(min, max, count, 0, 5, exclude)));
                } else if (b == '"' || b == '\\' || b == '/' || b == 'b' || b == 'f' || b == 'n' || b == 'r' || b == 't') {
                    out.add(push(rest, new StringFrame(min, max, count + 1, 0, 0, exclude)));
                }
                return;
            }
            if (escape >= 2) {
                if (b >= '0' && b <= '9' || b >= 'a' && b <= 'f' || b >= 'A' && b <= 'F') {
                    out.add(push(rest, new StringFrame(min, max, escape == 2 ? count + 1 : count, 0, escape == 2 ? 0 : escape - 1,
                            exclude)));
                }
                return;
            }
            if (pending > 0) {
                int p = Utf8.afterContinuation(pending, b);
                if (p >= 0) {
                    out.add(push(rest, new StringFrame(min, max, count, p, 0, Exclude.add(exclude, b))));
                }
                return;
            }
            if (b == '"') {
                if (count >= min && (exclude == null || !exclude.isDeclared())) {
                    out.add(rest);
                }
                return;
            }
            if (max >= 0 && count >= max || b < 0x20) {
                return;
            }
            if (b == '\\') {
                if (exclude == null) {
                    out.add(push(rest, new StringFrame(min, max, count, 0, 1, null)));
                }
            } else if (b < 0x80) {
                out.add(push(rest, new StringFrame(min, max, count + 1, 0, 0, Exclude.add(exclude, b))));
            } else {
                int p = Utf8.afterLead(b);
                if (p != 0) {
                    out.add(push(rest, new StringFrame(min, max, count + 1, p, 0, Exclude.add(exclude, b))));
                }
            }
        }
    }

    /**
     * The declared names (as UTF-8, JSON-escaped) an extra property's key must not be, and the key's bytes
     * so far while they still start one of them ({@code read} null once they cannot).
     */
    record Exclude(List<byte[]> names, byte[] read) {
        static Exclude add(Exclude e, int b) {
            if (e == null || e.read == null) {
                return e;
            }
            byte[] r = Arrays.copyOf(e.read, e.read.length + 1);
            r[e.read.length] = (byte) b;
            for (byte[] n : e.names) {
                if (n.length >= r.length && Arrays.equals(n, 0, r.length, r, 0, r.length)) {
                    return new Exclude(e.names, r);
                }
            }
            return new Exclude(e.names, null);
        }

        boolean isDeclared() {
            if (read == null) {
                return false;
            }
            for (byte[] n : names) {
                if (Arrays.equals(n, read)) {
                    return true;
                }
            }
            return false;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Exclude x && x.names == names && Arrays.equals(x.read, read);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(read);
        }
    }

    /** A number's text so far. */
    record NumberFrame(Schema.NumberNode node, String text) implements Frame {
        @Override
        public void step(int b, Stack rest, Out out) {
            String next = text + (char) b;
            if (b < 0x80 && validStart(next) && (!bounded() || NumberBounds.feasible(next, node.integer(), node.minimum(),
                    node.maximum()))) {
                out.add(push(rest, new NumberFrame(node, next)));
                return;
            }
            if (canEnd()) {
                feed(rest, b, out);
            }
        }

        private boolean bounded() {
            return node.minimum() != null || node.maximum() != null;
        }

        /** Whether {@code s} starts a number this node allows, within the digit budgets. */
        private boolean validStart(String s) {
            int i = 0;
            int n = s.length();
            if (i < n && s.charAt(i) == '-') {
                i++;
            }
            int intStart = i;
            while (i < n && Character.isDigit(s.charAt(i)) && s.charAt(i) < 0x80) {
                i++;
            }
            int intDigits = i - intStart;
            if (intDigits > NumberBounds.INT_DIGITS || intDigits > 1 && s.charAt(intStart) == '0') {
                return false;
            }
            if (i == n) {
                return true;
            }
            if (intDigits == 0) {
                return false;
            }
            if (s.charAt(i) == '.') {
                if (node.integer()) {
                    return false;
                }
                i++;
                int f = i;
                while (i < n && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
                    i++;
                }
                if (i - f > NumberBounds.FRACTION_DIGITS) {
                    return false;
                }
                if (i == n) {
                    return true;
                }
                if (i == f) {
                    return false;
                }
            }
            if (s.charAt(i) == 'e' || s.charAt(i) == 'E') {
                if (node.integer() || bounded()) {
                    return false;
                }
                i++;
                if (i < n && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
                    i++;
                }
                int e = i;
                while (i < n && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
                    i++;
                }
                return i == n && i - e <= NumberBounds.EXPONENT_DIGITS;
            }
            return false;
        }

        @Override
        public boolean canEnd() {
            if (text.isEmpty()) {
                return false;
            }
            char last = text.charAt(text.length() - 1);
            if (last < '0' || last > '9') {
                return false;
            }
            return !bounded() || NumberBounds.within(text, node.minimum(), node.maximum());
        }
    }

    /**
     * An object after its opening brace: {@code done} the declared properties written so far (bit i for
     * property i; they may come in any order, each once), {@code key} the property whose value comes next
     * (-1 for an extra one). Extra properties come once every required one is written.
     */
    record ObjectFrame(Schema.ObjectNode node, int phase, long done, int key, int depth) implements Frame {
        static final int OPEN = 0;
        static final int COMMA = 1;
        static final int KEY = 2;
        static final int VALUE = 3;

        @Override
        public void step(int b, Stack rest, Out out) {
            switch (phase) {
                case OPEN, COMMA -> {
                    if (b == '}' && phase == OPEN && requiredDone()) {
                        out.add(rest);
                    } else if (b == '"') {
                        keys(rest, out);
                    }
                }
                case KEY -> {
                    if (b == ':') {
                        Schema.Node value = key >= 0 ? node.values().get(key) : node.additional();
                        long after = key >= 0 ? done | 1L << key : done;
                        Stack s = push(push(push(rest, new ObjectFrame(node, VALUE, after, -1, depth)), Ws.START),
                                new ValueFrame(value, depth));
                        out.add(push(s, Ws.START));
                    }
                }
                default -> { // VALUE
                    if (b == ',' && morePossible()) {
                        out.add(push(push(rest, new ObjectFrame(node, COMMA, done, -1, depth)), Ws.START));
                    } else if (b == '}' && requiredDone()) {
                        out.add(rest);
                    }
                }
            }
        }

        /** After a key's opening quote: a declared name not yet written, or an extra property's key. */
        private void keys(Stack rest, Out out) {
            for (int i = 0; i < node.names().size(); i++) {
                if ((done & 1L << i) == 0) {
                    out.add(push(push(rest, new ObjectFrame(node, KEY, done, i, depth)),
                            new LiteralFrame(List.of(keyText(i)), new int[] {0}, 1)));
                }
            }
            // extra properties once the required ones are written, so the object can always end after one
            if (node.additional() != null && requiredDone()) {
                out.add(push(push(rest, new ObjectFrame(node, KEY, done, -1, depth)),
                        new StringFrame(0, -1, 0, 0, 0, node.names().isEmpty() ? null
                                : new Exclude(rawNames(), new byte[0]))));
            }
        }

        private boolean requiredDone() {
            for (int i = 0; i < node.required().size(); i++) {
                if (node.required().get(i) && (done & 1L << i) == 0) {
                    return false;
                }
            }
            return true;
        }

        private boolean morePossible() {
            return node.additional() != null && requiredDone() || Long.bitCount(done) < node.names().size();
        }

        private byte[] keyText(int i) {
            return KEY_TEXTS.computeIfAbsent(node, n -> n.names().stream().map(JsonMatcher::quoted).toList()).get(i);
        }

        private List<byte[]> rawNames() {
            return RAW_NAMES.computeIfAbsent(node, n -> n.names().stream().map(name -> {
                byte[] q = quoted(name);
                return Arrays.copyOfRange(q, 1, q.length - 1);
            }).toList());
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof ObjectFrame f && f.node == node && f.phase == phase && f.done == done && f.key == key
                    && f.depth == depth;
        }

        @Override
        public int hashCode() {
            return (((System.identityHashCode(node) * 31 + phase) * 31 + Long.hashCode(done)) * 31 + key) * 31 + depth;
        }
    }

    private static final java.util.Map<Schema.ObjectNode, List<byte[]>> KEY_TEXTS = java.util.Collections.synchronizedMap(
            new java.util.WeakHashMap<>());
    private static final java.util.Map<Schema.ObjectNode, List<byte[]>> RAW_NAMES = java.util.Collections.synchronizedMap(
            new java.util.WeakHashMap<>());

    /** An array after its opening bracket, {@code count} items read. */
    record ArrayFrame(Schema.ArrayNode node, int phase, int count, int depth) implements Frame {
        static final int OPEN = 0;
        static final int COMMA = 1;
        static final int VALUE = 2;

        @Override
        public void step(int b, Stack rest, Out out) {
            if (phase == VALUE) {
                if (b == ',' && (node.maxItems() < 0 || count < node.maxItems())) {
                    out.add(push(push(rest, new ArrayFrame(node, COMMA, count, depth)), Ws.START));
                } else if (b == ']' && count >= node.minItems()) {
                    out.add(rest);
                }
                return;
            }
            if (b == ']' && phase == OPEN && count >= node.minItems()) {
                out.add(rest);
                return;
            }
            if (node.maxItems() == 0) {
                return;
            }
            Stack after = push(push(rest, new ArrayFrame(node, VALUE, count + 1, depth)), Ws.START);
            start(node.items(), depth, b, after, out, 0);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof ArrayFrame f && f.node == node && f.phase == phase && f.count == count && f.depth == depth;
        }

        @Override
        public int hashCode() {
            return ((System.identityHashCode(node) * 31 + phase) * 31 + count) * 31 + depth;
        }
    }

    private static int[] all(int n) {
        int[] a = new int[n];
        for (int i = 0; i < n; i++) {
            a[i] = i;
        }
        return a;
    }

    static byte[] quoted(String s) {
        return ("\"" + new String(JsonStringEncoder.getInstance().quoteAsString(s)) + "\"").getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
