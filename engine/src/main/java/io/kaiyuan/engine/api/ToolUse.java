package io.kaiyuan.engine.api;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The functions a model may call in its answer, and how: OpenAI's {@code tools}, {@code tool_choice} and
 * {@code parallel_tool_calls}. The functions also reach the chat template (its {@code tools} variable);
 * this says what the decoder enforces: a call's name is one of these and its arguments a JSON document
 * valid for the function's parameter schema.
 *
 * @param functions the functions offered; empty for none
 * @param choice whether the answer may, must or must not call one
 * @param only with {@link Choice#FUNCTION}, the function that must be called
 * @param parallel whether one answer may make more than one call
 */
public record ToolUse(List<Function> functions, Choice choice, Optional<String> only, boolean parallel) {
    /** No tools. */
    public static final ToolUse NONE = new ToolUse(List.of(), Choice.NONE, Optional.empty(), false);

    public enum Choice {
        /** The model decides: text, calls, or text then calls. */
        AUTO,
        /** Text only. */
        NONE,
        /** At least one call, and nothing before it. */
        REQUIRED,
        /** One call of {@link #only}. */
        FUNCTION
    }

    /**
     * @param parameters the JSON schema of the arguments (its text); {@code {}} for any object
     */
    public record Function(String name, String description, String parameters) {
        public Function {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(description, "description");
            Objects.requireNonNull(parameters, "parameters");
        }
    }

    public ToolUse {
        functions = List.copyOf(functions);
        Objects.requireNonNull(choice, "choice");
        Objects.requireNonNull(only, "only");
        if (choice == Choice.FUNCTION && (only.isEmpty()
                || functions.stream().noneMatch(f -> f.name().equals(only.get())))) {
            throw new IllegalArgumentException("the function to call must be one of the tools");
        }
        if (choice != Choice.NONE && functions.isEmpty()) {
            throw new IllegalArgumentException("tool choice " + choice + " needs tools");
        }
    }

    /** Whether the model may call anything. */
    public boolean active() {
        return choice != Choice.NONE && !functions.isEmpty();
    }
}
