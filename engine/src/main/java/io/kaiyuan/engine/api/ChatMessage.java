package io.kaiyuan.engine.api;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One OpenAI-style chat message.
 *
 * @param role {@code system}, {@code user}, {@code assistant}, {@code tool}, ...
 * @param content the text; null where a message has none (an assistant turn that only calls tools)
 * @param extra the message's other fields, passed to the chat template as they are:
 *     {@code reasoning_content}, {@code tool_calls}, {@code name}, {@code tool_call_id}, ... (JSON-like values)
 */
public record ChatMessage(String role, String content, Map<String, Object> extra) {
    public ChatMessage {
        Objects.requireNonNull(role, "role");
        extra = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(extra));
        if (extra.containsKey("role") || extra.containsKey("content")) {
            throw new IllegalArgumentException("role and content are fields of their own, not extra ones");
        }
    }

    public ChatMessage(String role, String content) {
        this(role, Objects.requireNonNull(content, "content"), Map.of());
    }

    public static ChatMessage system(String content) {
        return new ChatMessage("system", content);
    }

    public static ChatMessage user(String content) {
        return new ChatMessage("user", content);
    }

    public static ChatMessage assistant(String content) {
        return new ChatMessage("assistant", content);
    }

    /**
     * An assistant turn that calls tools: what it wrote before the calls (null or "" for nothing), its thinking
     * (kept as {@code reasoning_content} when there is some) and the calls.
     */
    public static ChatMessage toolCalls(String content, String reasoning, java.util.List<ToolCall> calls) {
        Map<String, Object> extra = new LinkedHashMap<>();
        if (reasoning != null && !reasoning.isEmpty()) {
            extra.put("reasoning_content", reasoning);
        }
        extra.put("tool_calls", calls.stream().map(ToolCall::messageField).toList());
        // no text is None to the template, as transformers passes it (DeepSeek's would write an empty turn for "")
        return new ChatMessage("assistant", content == null || content.isEmpty() ? null : content, extra);
    }

    /**
     * A tool's result, or why the call did not run ({@code error}: the model reads it after "Error: "),
     * answering {@code call}.
     */
    public static ChatMessage toolResult(ToolCall call, String result, boolean error) {
        Map<String, Object> extra = new LinkedHashMap<>();
        extra.put("tool_call_id", call.id());
        extra.put("name", call.name());
        return new ChatMessage("tool", (error ? "Error: " : "") + Objects.requireNonNull(result, "result"), extra);
    }
}
