package io.kaiyuan.engine.download;

/** A hub refused or failed a request; the message says what happened and what to do. */
public class HubException extends RuntimeException {
    /** Whether trying again (or another source) may help. */
    private final boolean retryable;

    public HubException(String message, boolean retryable) {
        super(message);
        this.retryable = retryable;
    }

    public HubException(String message, boolean retryable, Throwable cause) {
        super(message, cause);
        this.retryable = retryable;
    }

    public boolean retryable() {
        return retryable;
    }
}
