package io.kaiyuan.engine.chat;

import io.kaiyuan.engine.api.ChatMessage;
import io.kaiyuan.engine.api.ToolCall;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * One round of tool calls an answer made before its final text: what the model wrote and thought before
 * it called, and each call with its result. An answer keeps its rounds in order; the model reads them back
 * as its {@code tool_calls} turn and one {@code tool} message per call.
 *
 * @param content the text the model wrote before its calls ("" for none)
 * @param reasoning its thinking in this round ("" for none)
 * @param calls the calls, in the order the model wrote them; never empty once the round is whole
 */
public record ToolRound(String content, String reasoning, List<Call> calls) {
    public ToolRound {
        content = Objects.requireNonNullElse(content, "");
        reasoning = Objects.requireNonNullElse(reasoning, "");
        calls = List.copyOf(calls);
    }

    /**
     * One call and what came of it.
     *
     * @param arguments the arguments as the model wrote them (JSON text)
     * @param server the MCP server that ran it (or would have)
     * @param result the tool's answer, or why it did not run
     * @param error the call failed, was refused or did not run; {@code result} says why
     * @param millis how long it ran; 0 when it did not
     */
    public record Call(String id, String name, String arguments, String server, String result, boolean error, long millis) {
        public Call {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(name, "name");
            arguments = Objects.requireNonNullElse(arguments, "{}");
            server = Objects.requireNonNullElse(server, "");
            result = Objects.requireNonNullElse(result, "");
        }

        /** The call as the model made it. */
        public ToolCall toolCall() {
            return new ToolCall(id, name, arguments);
        }
    }

    /** The round with one more call. */
    public ToolRound with(Call call) {
        List<Call> more = new ArrayList<>(calls);
        more.add(call);
        return new ToolRound(content, reasoning, more);
    }

    /** The round as the model reads it back: the assistant's turn with its calls, then each call's result. */
    public List<ChatMessage> chatMessages() {
        List<ChatMessage> out = new ArrayList<>();
        out.add(ChatMessage.toolCalls(content, reasoning, calls.stream().map(Call::toolCall).toList()));
        for (Call c : calls) {
            out.add(ChatMessage.toolResult(c.toolCall(), c.result(), c.error()));
        }
        return out;
    }

    /** The most of a result a quote shows; the rest is cut with an ellipsis (the stored result stays whole). */
    public static final int QUOTE_LIMIT = 600;

    /**
     * A call as Markdown: a quote with {@code heading} (what was called, where, how long), the arguments in
     * code and the result (cut at {@link #QUOTE_LIMIT} characters), each line quoted.
     */
    public static String quote(Call call, String heading) {
        String result = call.result().length() > QUOTE_LIMIT ? call.result().substring(0, QUOTE_LIMIT) + "…" : call.result();
        StringBuilder md = new StringBuilder("> ").append(heading).append("  \n> `")
                .append(call.arguments().replace("`", "'").replace("\n", " ")).append('`');
        for (String line : result.split("\n", -1)) {
            md.append("  \n> ").append(line);
        }
        return md.append('\n').toString();
    }
}
