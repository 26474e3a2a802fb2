package io.kaiyuan.ui.common;

import java.util.ArrayDeque;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * Runs tasks one at a time, in the order given, on another executor (the pattern of {@link Executor}'s
 * documentation): writes that must apply in order can share a pool that runs other work in parallel.
 * A task given while another runs waits for it. Any thread.
 */
public final class SerialExecutor implements Executor {
    private final ArrayDeque<Runnable> tasks = new ArrayDeque<>();
    private final Executor executor;
    private Runnable active;

    public SerialExecutor(Executor executor) {
        this.executor = executor;
    }

    @Override
    public synchronized void execute(Runnable r) {
        tasks.add(() -> {
            try {
                r.run();
            } finally {
                next();
            }
        });
        if (active == null) {
            next();
        }
    }

    private synchronized void next() {
        active = tasks.poll();
        if (active != null) {
            try {
                executor.execute(active);
            } catch (RejectedExecutionException e) {
                // the pool is shutting down with the app: nothing more runs
                tasks.clear();
                active = null;
            }
        }
    }
}
