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
}
