package io.kaiyuan.engine.api;

import java.util.Objects;

/**
 * One call a model made.
 *
 * @param id the call's id, for the {@code tool} message that answers it
 * @param arguments the arguments as JSON text (an object)
 */
public record ToolCall(String id, String name, String arguments) {
    public ToolCall {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(arguments, "arguments");
    }

    /** The call as an assistant message's {@code tool_calls} holds it (OpenAI's form; the arguments as JSON text). */
    public java.util.Map<String, Object> messageField() {
        java.util.Map<String, Object> function = new java.util.LinkedHashMap<>();
        function.put("name", name);
        function.put("arguments", arguments);
        java.util.Map<String, Object> out = new java.util.LinkedHashMap<>();
        out.put("id", id);
        out.put("type", "function");
        out.put("function", function);
        return out;
    }
}
