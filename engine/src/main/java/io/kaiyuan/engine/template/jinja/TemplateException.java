package io.kaiyuan.engine.template.jinja;

/** A template that cannot be parsed or rendered, or that called raise_exception. */
public class TemplateException extends RuntimeException {
    public TemplateException(String message) {
        super(message);
    }

    public TemplateException(String message, Throwable cause) {
        super(message, cause);
    }

    /** An exception whose message says it all: no stack trace (it may be thrown hundreds of frames deep). */
    protected TemplateException(String message, boolean writableStackTrace) {
        super(message, null, false, writableStackTrace);
    }
}
