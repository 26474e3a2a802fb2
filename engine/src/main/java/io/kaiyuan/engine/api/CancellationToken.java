package io.kaiyuan.engine.api;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Cancels a generation from any thread. The engine checks it between steps and also aborts a model run
 * in flight (a long prefill) through the callbacks registered with {@link #onCancel(Runnable)}.
 */
public final class CancellationToken {
    private volatile boolean cancelled;
    private final List<Runnable> callbacks = new CopyOnWriteArrayList<>();

    /** Requests cancellation; safe from any thread, idempotent. */
    public void cancel() {
        if (!cancelled) {
            cancelled = true;
            callbacks.forEach(Runnable::run);
        }
    }

    public boolean isCancelled() {
        return cancelled;
    }

    /** A registered callback; closing it removes the callback and throws nothing. */
    @FunctionalInterface
    public interface Registration extends AutoCloseable {
        @Override
        void close();
    }

    /**
     * Registers a callback run once on cancellation (at once if already cancelled); returns a handle that
     * removes it.
     */
    public Registration onCancel(Runnable callback) {
        callbacks.add(callback);
        if (cancelled) {
            callback.run();
        }
        return () -> callbacks.remove(callback);
    }
}
