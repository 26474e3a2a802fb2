package io.kaiyuan.engine.remote;

import java.util.Optional;

/**
 * A remote endpoint could not be reached or answered with an error; the message says which and what to do
 * (in English, for the command line and the log). Its {@link Kind}, endpoint and detail let a window say
 * the same in its own language.
 */
public class RemoteException extends RuntimeException {
    /** What went wrong. */
    public enum Kind {
        /** No connection: the server is down, the address wrong, or the connection broke. */
        UNREACHABLE,
        /** No answer in time. */
        TIMEOUT,
        /** The endpoint refused the API key (HTTP 401 or 403). */
        KEY_REFUSED,
        /** The endpoint has no such address or model (HTTP 404). */
        NOT_FOUND,
        /** Too many requests or the quota is used up (HTTP 429). */
        BUSY,
        /** The endpoint answered with an error; {@link #detail()} is its message. */
        SERVER_ERROR,
        /** The answer was not the OpenAI API's (no model list, an event that is not JSON, an answer cut short). */
        BAD_ANSWER,
        /** The endpoint was removed from Settings. */
        REMOVED,
        /** Anything else. */
        OTHER
    }

    private final int status;
    private final Kind kind;
    private final String endpoint;
    private final String detail;

    public RemoteException(String message) {
        this(message, 0);
    }

    public RemoteException(String message, int status) {
        this(Kind.OTHER, null, message, status, "");
    }

    /**
     * @param endpoint the endpoint's name; null when none
     * @param detail what the endpoint or the connection said, as it said it; empty for nothing
     */
    public RemoteException(Kind kind, String endpoint, String message, int status, String detail) {
        super(message);
        this.status = status;
        this.kind = kind;
        this.endpoint = endpoint;
        this.detail = detail == null ? "" : detail;
    }

    /** The HTTP status the endpoint answered with; 0 when it was not reached or the failure came later. */
    public int status() {
        return status;
    }

    public Kind kind() {
        return kind;
    }

    /** The endpoint's name, when known. */
    public Optional<String> endpoint() {
        return Optional.ofNullable(endpoint);
    }

    /** What the endpoint or the connection said; empty for nothing. */
    public String detail() {
        return detail;
    }
}
