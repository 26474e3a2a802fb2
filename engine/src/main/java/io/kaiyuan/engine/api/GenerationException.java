package io.kaiyuan.engine.api;

/** A generation that could not run (a prompt longer than the context, a failed model run). */
public class GenerationException extends RuntimeException {
    public GenerationException(String message) {
        super(message);
    }

    public GenerationException(String message, Throwable cause) {
        super(message, cause);
    }
}
