package io.kaiyuan.engine.tools;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.kaiyuan.engine.api.ToolCall;
import io.kaiyuan.engine.api.ToolUse;
import io.kaiyuan.engine.constrain.Schema;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Splits an answer into its text and its tool calls as it streams: a call block in the model's format
 * ({@code <tool_call>...</tool_call>}, DeepSeek's {@code <｜tool▁calls▁begin｜>...<｜tool▁calls▁end｜>}) outside code
 * fences whose content is calls of the functions with arguments valid for their schemas becomes calls; anything else, a block in a code fence or one cut off
 * by the token budget included, stays text. Text that could be the start of a call's tag is held back until
 * it is known not to be. One thread.
 */
public final class ToolCallStream {
    /** Where the parts go. */
    public interface Sink {
        void text(String text);

        void call(int index, ToolCall call);
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SecureRandom IDS = new SecureRandom();

    private final ToolCallFormat format;
    private final Map<String, Schema> functions = new HashMap<>();
    private final Sink sink;
    private final StringBuilder pending = new StringBuilder();
    private boolean inCall;
    private boolean fence;
    private int backticks;
    private int calls;

    public ToolCallStream(ToolCallFormat format, ToolUse tools, Sink sink) {
        this.format = format;
        this.sink = sink;
        for (ToolUse.Function f : tools.functions()) {
            try {
                functions.put(f.name(), Schema.parameters(JSON.readTree(f.parameters())));
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IllegalArgumentException("function " + f.name() + ": its parameters are not JSON", e);
            }
        }
    }

    /** Splits a whole answer: its text (null when there is none besides the calls) and its calls. */
    public static Split split(ToolCallFormat format, ToolUse tools, String answer) {
        StringBuilder text = new StringBuilder();
        List<ToolCall> calls = new ArrayList<>();
        ToolCallStream s = new ToolCallStream(format, tools, new Sink() {
            @Override
            public void text(String t) {
                text.append(t);
            }

            @Override
            public void call(int index, ToolCall call) {
                calls.add(call);
            }
        });
        s.add(answer);
        s.finish();
        String content = calls.isEmpty() ? text.toString() : text.toString().strip();
        return new Split(calls.isEmpty() || !content.isEmpty() ? content : null, calls);
    }

    /** An answer's text and calls. */
    public record Split(String text, List<ToolCall> calls) {}

    /** The next piece of the answer. */
    public void add(String text) {
        pending.append(text);
        while (true) {
            if (inCall) {
                int close = pending.indexOf(format.close());
                if (close < 0) {
                    return;
                }
                String body = pending.substring(0, close);
                pending.delete(0, close + format.close().length());
                inCall = false;
                List<ToolCall> parsed = parse(body);
                if (parsed != null) {
                    for (ToolCall call : parsed) {
                        sink.call(calls++, call);
                    }
                } else {
                    emit(format.open() + body + format.close());
                }
                continue;
            }
            int open = openOutsideFence();
            if (open < 0) {
                int keep = heldBack();
                emit(pending.substring(0, pending.length() - keep));
                pending.delete(0, pending.length() - keep);
                return;
            }
            emit(pending.substring(0, open));
            pending.delete(0, open + format.open().length());
            inCall = true;
        }
    }

    /** The answer has ended: what was held back is text, and so is a call block never closed. */
    public void finish() {
        if (inCall) {
            emit(format.open() + pending);
        } else {
            emit(pending.toString());
        }
        pending.setLength(0);
        inCall = false;
    }

    /** Where the first call tag outside a code fence starts in the pending text, or -1. */
    private int openOutsideFence() {
        boolean f = fence;
        int ticks = backticks;
        String text = pending.toString();
        for (int i = 0; i < text.length(); i++) {
            if (!f && text.startsWith(format.open(), i)) {
                return i;
            }
            if (text.charAt(i) == '`') {
                if (++ticks == 3) {
                    f = !f;
                    ticks = 0;
                }
            } else {
                ticks = 0;
            }
        }
        return -1;
    }

    /** How much of the pending text's end could begin a call tag. */
    private int heldBack() {
        String open = format.open();
        for (int n = Math.min(open.length() - 1, pending.length()); n > 0; n--) {
            if (pending.substring(pending.length() - n).equals(open.substring(0, n))) {
                return n;
            }
        }
        return 0;
    }

    private void emit(String text) {
        if (text.isEmpty()) {
            return;
        }
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) == '`') {
                if (++backticks == 3) {
                    fence = !fence;
                    backticks = 0;
                }
            } else {
                backticks = 0;
            }
        }
        sink.text(text);
    }

    /** The calls of a block's content, or null when it is not calls of the functions with valid arguments. */
    private List<ToolCall> parse(String body) {
        List<ToolCallFormat.Written> written = format.parse(body);
        if (written == null) {
            return null;
        }
        List<ToolCall> out = new ArrayList<>();
        for (ToolCallFormat.Written w : written) {
            Schema schema = functions.get(w.name());
            String arguments = w.arguments().toString();
            if (schema == null || !schema.accepts(arguments.getBytes(StandardCharsets.UTF_8))) {
                return null;
            }
            out.add(new ToolCall(newId(), w.name(), arguments));
        }
        return out;
    }

    private static String newId() {
        String alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
        StringBuilder id = new StringBuilder("call_");
        for (int i = 0; i < 24; i++) {
            id.append(alphabet.charAt(IDS.nextInt(alphabet.length())));
        }
        return id.toString();
    }
}
