package io.kaiyuan.engine.template.jinja;

/** A template that cannot be parsed or rendered, or that called raise_exception. */
public class TemplateException extends RuntimeException {
    public TemplateException(String message) {
        super(message);
    }

    public TemplateException(String message, Throwable cause) {
        super(message, cause);
    }
}
