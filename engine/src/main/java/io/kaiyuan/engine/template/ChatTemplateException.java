package io.kaiyuan.engine.template;

import io.kaiyuan.engine.api.GenerationException;

/**
 * A chat template that cannot be parsed, that refused the conversation (raise_exception), or that went
 * past the limits every template runs within ({@link #pastLimits()}): the template's fault, not the
 * conversation's.
 */
public final class ChatTemplateException extends GenerationException {
    private final boolean pastLimits;

    public ChatTemplateException(String message, Throwable cause) {
        this(message, cause, false);
    }

    public ChatTemplateException(String message, Throwable cause, boolean pastLimits) {
        super(message, cause);
        this.pastLimits = pastLimits;
    }

    /** Whether the template was stopped for being too large, deep or slow. */
    public boolean pastLimits() {
        return pastLimits;
    }
}
