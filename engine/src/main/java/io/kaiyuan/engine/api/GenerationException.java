package io.kaiyuan.engine.api;

/** A generation that could not run (a prompt longer than the context, a failed model run). */
public class GenerationException extends RuntimeException {
    /** The request field at fault ({@code messages}, {@code tools}, ...), as an API reports it. */
    private final String field;

    public GenerationException(String message) {
        this(message, "messages", null);
    }

    /** A request this model cannot answer because of {@code field}. */
    public static GenerationException of(String field, String message) {
        return new GenerationException(message, field, null);
    }

    private GenerationException(String message, String field, Throwable cause) {
        super(message, cause);
        this.field = field;
    }

    /** The request field at fault; {@code messages} unless another was named. */
    public String field() {
        return field;
    }

    public GenerationException(String message, Throwable cause) {
        this(message, "messages", cause);
    }
}
