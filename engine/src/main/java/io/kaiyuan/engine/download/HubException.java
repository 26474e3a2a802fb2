package io.kaiyuan.engine.download;

import java.util.Locale;
import java.util.Optional;

/**
 * A hub refused or failed a request; the message says what happened and what to do (without command-line
 * flags, as the window shows it too). Its {@link Kind} lets a caller offer what to do next (retry, another
 * source, a token or a proxy) in its own words and language.
 */
public class HubException extends RuntimeException {
    /** What went wrong, for the caller to offer what to do next. */
    public enum Kind {
        /** The source could not be reached or the transfer broke off: network, proxy, firewall. */
        UNREACHABLE,
        /** The model needs an account's access (a gated licence, a token). */
        NEEDS_ACCESS,
        /** The source has no such model, revision or file. */
        NOT_FOUND,
        /** The source answered with an error (5xx, 429) or an answer that cannot be used. */
        SERVER_ERROR,
        /** A file arrived damaged (size or checksum) and was not installed. */
        DAMAGED,
        /** Not enough free disk space. */
        NO_SPACE,
        /** Cancelled or interrupted by the user or the app closing; it resumes. */
        CANCELLED,
        /** Anything else. */
        OTHER
    }

    /** Whether trying again (or another source) may help. */
    private final boolean retryable;
    private final Kind kind;
    private final String source;

    public HubException(String message, boolean retryable) {
        this(Kind.OTHER, null, message, retryable, null);
    }

    public HubException(String message, boolean retryable, Throwable cause) {
        this(Kind.OTHER, null, message, retryable, cause);
    }

    /** @param source the source's name (huggingface, hf-mirror, modelscope, a base URL); null when none */
    public HubException(Kind kind, String source, String message, boolean retryable) {
        this(kind, source, message, retryable, null);
    }

    public HubException(Kind kind, String source, String message, boolean retryable, Throwable cause) {
        super(message, cause);
        this.retryable = retryable;
        this.kind = kind;
        this.source = source;
    }

    public boolean retryable() {
        return retryable;
    }

    public Kind kind() {
        return kind;
    }

    /** The source that failed, when one did. */
    public Optional<String> source() {
        return Optional.ofNullable(source);
    }

    /**
     * What a network failure was, in words, never "null": its message when it has one, else what its type
     * means (connection refused, timed out, host not found, ...).
     */
    public static String describe(Throwable e) {
        String message = e.getMessage();
        if (message != null && !message.isBlank() && !message.equals("null")) {
            return message;
        }
        if (e instanceof java.net.ConnectException) {
            return "connection refused";
        }
        if (e instanceof java.net.http.HttpTimeoutException || e instanceof java.net.SocketTimeoutException) {
            return "timed out";
        }
        if (e instanceof java.net.UnknownHostException || e instanceof java.nio.channels.UnresolvedAddressException) {
            return "host not found";
        }
        if (e instanceof javax.net.ssl.SSLException) {
            return "the secure connection failed";
        }
        if (e instanceof java.io.EOFException || e instanceof java.net.SocketException) {
            return "the connection was closed";
        }
        if (e.getCause() != null && e.getCause() != e) {
            return describe(e.getCause());
        }
        return e.getClass().getSimpleName().replaceAll("(?<=[a-z])(?=[A-Z])", " ").toLowerCase(Locale.ROOT);
    }
}
