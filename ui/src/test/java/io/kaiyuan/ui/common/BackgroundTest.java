package io.kaiyuan.ui.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import org.junit.jupiter.api.Test;

/** Work runs on the io executor, its outcome on the FX one; the newest task in a Latest replaces the older ones. */
class BackgroundTest {
    /** Executors that run what they get only when told, each remembering its tasks in order. */
    private static final class Stepped implements Executor {
        final Queue<Runnable> tasks = new ArrayDeque<>();

        @Override
        public void execute(Runnable r) {
            tasks.add(r);
        }

        void runAll() {
            for (Runnable r; (r = tasks.poll()) != null; ) {
                r.run();
            }
        }
    }

    private final Stepped io = new Stepped();
    private final Stepped fx = new Stepped();
    private final Background background = new Background(io, fx);
    private final List<String> seen = new CopyOnWriteArrayList<>();

    @Test
    void theValueGoesToOnSuccessOnTheFxExecutorThenOnFinally() {
        background.task(() -> "read").onSuccess(v -> seen.add("success " + v)).onFailure(e -> seen.add("failure"))
                .onFinally(() -> seen.add("finally")).start();
        assertTrue(seen.isEmpty(), "nothing runs on the calling thread");
        io.runAll();
        assertTrue(seen.isEmpty(), "the outcome waits for the FX thread");
        fx.runAll();
        assertEquals(List.of("success read", "finally"), seen);
    }

    @Test
    void whatTheWorkThrowsGoesToOnFailure() {
        background.run(() -> {
            throw new IOException("disk full");
        }).onSuccess(v -> seen.add("success")).onFailure(e -> seen.add("failure " + e.getMessage()))
                .onFinally(() -> seen.add("finally")).start();
        io.runAll();
        fx.runAll();
        assertEquals(List.of("failure disk full", "finally"), seen);
        // without a handler the failure is logged, and what follows still runs
        background.run(() -> {
            throw new IllegalStateException("unhandled");
        }).onFinally(() -> seen.add("finally again")).start();
        io.runAll();
        fx.runAll();
        assertEquals("finally again", seen.get(seen.size() - 1));
    }

    @Test
    void aNewerTaskInTheSameLatestCancelsTheOlderOne() {
        Background.Latest latest = new Background.Latest();
        List<String> ran = new CopyOnWriteArrayList<>();
        Background.Handle first = background.task(() -> {
            ran.add("first");
            return 1;
        }).onSuccess(v -> seen.add("first " + v)).in(latest).start();
        Background.Handle second = background.task(() -> {
            ran.add("second");
            return 2;
        }).onSuccess(v -> seen.add("second " + v)).in(latest).start();
        assertTrue(first.isCancelled());
        assertFalse(second.isCancelled());
        io.runAll();
        fx.runAll();
        assertEquals(List.of("second"), ran, "the replaced task did not start");
        assertEquals(List.of("second 2"), seen);

        // replaced after its work ran: its outcome is dropped
        Background.Handle third = background.task(() -> 3).onSuccess(v -> seen.add("third " + v)).in(latest).start();
        io.runAll();
        latest.cancel();
        fx.runAll();
        assertTrue(third.isCancelled());
        assertEquals(List.of("second 2"), seen);
    }
}
