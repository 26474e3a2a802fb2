package io.kaiyuan.engine.remote;

/** A remote endpoint could not be reached or answered with an error; the message says which and what to do. */
public class RemoteException extends RuntimeException {
    private final int status;

    public RemoteException(String message) {
        this(message, 0);
    }

    public RemoteException(String message, int status) {
        super(message);
        this.status = status;
    }

    /** The HTTP status the endpoint answered with; 0 when it was not reached or the failure came later. */
    public int status() {
        return status;
    }
}
