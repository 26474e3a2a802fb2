package io.kaiyuan.engine.api;

/** A model folder that cannot be run; the message says what is missing or unsupported and what to do. */
public class ModelLoadException extends RuntimeException {
    public ModelLoadException(String message) {
        super(message);
    }

    public ModelLoadException(String message, Throwable cause) {
        super(message, cause);
    }
}
