package io.kaiyuan.engine.template;

import io.kaiyuan.engine.api.GenerationException;

/** A chat template that cannot be parsed, or that refused the conversation (raise_exception). */
public final class ChatTemplateException extends GenerationException {
    public ChatTemplateException(String message, Throwable cause) {
        super(message, cause);
    }
}
