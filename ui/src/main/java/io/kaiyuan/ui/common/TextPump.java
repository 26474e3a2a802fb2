package io.kaiyuan.ui.common;

import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * Collects text from the generation thread and hands it to the FX thread in batches: one drain is
 * scheduled at a time, so 200 tokens/s become a few updates per frame, never one runLater per token.
 */
public final class TextPump {
    private final Executor fxExecutor;
    private final Consumer<String> sink;
    private final StringBuilder pending = new StringBuilder();
    private final AtomicBoolean scheduled = new AtomicBoolean();

    public TextPump(Executor fxExecutor, Consumer<String> sink) {
        this.fxExecutor = fxExecutor;
        this.sink = sink;
    }

    /** Any thread. */
    public void append(String text) {
        synchronized (pending) {
            pending.append(text);
        }
        if (scheduled.compareAndSet(false, true)) {
            fxExecutor.execute(this::drain);
        }
    }

    /** FX thread: delivers everything pending. Also called at the end of a turn. */
    public void drain() {
        scheduled.set(false);
        String text;
        synchronized (pending) {
            text = pending.toString();
            pending.setLength(0);
        }
        if (!text.isEmpty()) {
            sink.accept(text);
        }
    }
}
