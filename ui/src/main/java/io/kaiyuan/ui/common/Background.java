package io.kaiyuan.ui.common;

import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Work off the FX thread with its outcome back on it: {@code background.task(() -> read()).onSuccess(show)
 * .onFailure(say).start()} runs {@code read} on the io executor, then {@code show} with its value or {@code say} with
 * its exception on the FX executor, then what {@link Task#onFinally} gave. A failure nobody handles is logged, never
 * lost. A task started in a {@link Latest} replaces the one started there before: the older one is cancelled (it
 * does not start if it has not, and its outcome is dropped), as when a picker changes faster than the disk answers.
 */
public final class Background {
    private static final Logger LOG = LoggerFactory.getLogger(Background.class);

    private final Executor io;
    private final Executor fx;

    /**
     * @param io where the work runs
     * @param fx the FX thread's executor ({@code Platform::runLater}), where outcomes are delivered
     */
    public Background(Executor io, Executor fx) {
        this.io = io;
        this.fx = fx;
    }

    /** Work that gives a value or throws. */
    @FunctionalInterface
    public interface Work<T> {
        T call() throws Exception;
    }

    /** Work that gives nothing or throws. */
    @FunctionalInterface
    public interface Action {
        void run() throws Exception;
    }

    /** A started task: cancelling it drops its outcome (and keeps it from starting if it has not). Any thread. */
    public interface Handle {
        void cancel();

        boolean isCancelled();
    }

    /** Where the newest task started replaces the one before it. FX thread. */
    public static final class Latest {
        private final AtomicReference<Handle> current = new AtomicReference<>();

        /** Cancels the task started here last, if any. */
        public void cancel() {
            Handle h = current.getAndSet(null);
            if (h != null) {
                h.cancel();
            }
        }
    }

    /** Describes work whose value goes to {@link Task#onSuccess}. */
    public <T> Task<T> task(Work<T> work) {
        return new Task<>(work);
    }

    /** Describes work without a value; {@link Task#onSuccess} gets null. */
    public Task<Void> run(Action action) {
        return new Task<>(() -> {
            action.run();
            return null;
        });
    }

    /** Work and what follows it on the FX thread; {@link #start()} runs it. */
    public final class Task<T> {
        private final Work<T> work;
        private Consumer<? super T> onSuccess = value -> { };
        private Consumer<? super Exception> onFailure;
        private Runnable onFinally = () -> { };
        private Latest latest;
        private Executor executor = io;

        private Task(Work<T> work) {
            this.work = work;
        }

        /** On the FX thread with the work's value. */
        public Task<T> onSuccess(Consumer<? super T> c) {
            this.onSuccess = c;
            return this;
        }

        /** On the FX thread with what the work threw (it is logged as well at debug level). */
        public Task<T> onFailure(Consumer<? super Exception> c) {
            this.onFailure = c;
            return this;
        }

        /** On the FX thread after success or failure (not when cancelled): e.g. a busy mark cleared. */
        public Task<T> onFinally(Runnable r) {
            this.onFinally = r;
            return this;
        }

        /** Replaces, and is replaced by, the tasks started in {@code l}. */
        public Task<T> in(Latest l) {
            this.latest = l;
            return this;
        }

        /**
         * Runs the work on {@code where} instead of the io executor: a serial executor, for writes that
         * must apply in the order they were asked for.
         */
        public Task<T> on(Executor where) {
            this.executor = where;
            return this;
        }

        /** Runs the work on the io executor (or the one {@link #on} gave). */
        public Handle start() {
            AtomicBoolean cancelled = new AtomicBoolean();
            Handle handle = new Handle() {
                @Override
                public void cancel() {
                    cancelled.set(true);
                }

                @Override
                public boolean isCancelled() {
                    return cancelled.get();
                }
            };
            if (latest != null) {
                Handle before = latest.current.getAndSet(handle);
                if (before != null) {
                    before.cancel();
                }
            }
            try {
                executor.execute(() -> {
                    if (cancelled.get()) {
                        return;
                    }
                    T value;
                    try {
                        value = work.call();
                    } catch (Exception e) {
                        deliver(cancelled, () -> fail(e));
                        return;
                    } catch (Error e) {
                        LOG.error("background work failed", e);
                        throw e;
                    }
                    deliver(cancelled, () -> {
                        try {
                            onSuccess.accept(value);
                        } finally {
                            onFinally.run();
                        }
                    });
                });
            } catch (RejectedExecutionException e) {
                // the app is closing: its pools take no more work
                LOG.debug("background work not started: {}", e.getMessage());
                cancelled.set(true);
            }
            return handle;
        }

        private void fail(Exception e) {
            try {
                if (onFailure == null) {
                    LOG.warn("background work failed", e);
                } else {
                    LOG.debug("background work failed", e);
                    onFailure.accept(e);
                }
            } finally {
                onFinally.run();
            }
        }

        private void deliver(AtomicBoolean cancelled, Runnable outcome) {
            fx.execute(() -> {
                if (!cancelled.get()) {
                    outcome.run();
                }
            });
        }
    }
}
