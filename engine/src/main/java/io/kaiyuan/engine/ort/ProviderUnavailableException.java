package io.kaiyuan.engine.ort;

import io.kaiyuan.engine.api.ModelLoadException;

/** An execution provider was asked for that this machine or build does not have; says what to install. */
public final class ProviderUnavailableException extends ModelLoadException {
    public ProviderUnavailableException(String message) {
        super(message);
    }

    public ProviderUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
