package io.kaiyuan.ui.common;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * Hands one answer from the generation thread to the FX thread in the order it was made: text, thinking,
 * and what happens between them (in the chat, a round of tool calls closing). Batched: one drain is scheduled at a time,
 * and text of one kind that follows text of the same kind goes as one piece, so 200 tokens/s become a few
 * updates per frame.
 */
public final class AnswerPump {
    private final Executor fxExecutor;
    private final Consumer<String> text;
    private final Consumer<String> reasoning;
    /** Pieces in order: {@link Piece} (text to append) or {@link Runnable} (an FX action). */
    private final List<Object> pending = new ArrayList<>();
    private final AtomicBoolean scheduled = new AtomicBoolean();

    private static final class Piece {
        final boolean thinking;
        final StringBuilder text = new StringBuilder();

        Piece(boolean thinking) {
            this.thinking = thinking;
        }
    }

    public AnswerPump(Executor fxExecutor, Consumer<String> text, Consumer<String> reasoning) {
        this.fxExecutor = fxExecutor;
        this.text = text;
        this.reasoning = reasoning;
    }

    /** Any thread: answer text. */
    public void text(String t) {
        add(t, false);
    }

    /** Any thread: thinking. */
    public void reasoning(String t) {
        add(t, true);
    }

    /** Any thread: {@code action} runs on the FX thread after everything handed over before it, and before anything after. */
    public void then(Runnable action) {
        synchronized (pending) {
            pending.add(action);
        }
        schedule();
    }

    private void add(String t, boolean thinking) {
        if (t.isEmpty()) {
            return;
        }
        synchronized (pending) {
            Object last = pending.isEmpty() ? null : pending.get(pending.size() - 1);
            if (last instanceof Piece p && p.thinking == thinking) {
                p.text.append(t);
            } else {
                Piece p = new Piece(thinking);
                p.text.append(t);
                pending.add(p);
            }
        }
        schedule();
    }

    private void schedule() {
        if (scheduled.compareAndSet(false, true)) {
            fxExecutor.execute(this::drain);
        }
    }

    /** FX thread: delivers everything pending, in order. Also called at the end of a turn. */
    public void drain() {
        scheduled.set(false);
        List<Object> batch;
        synchronized (pending) {
            batch = new ArrayList<>(pending);
            pending.clear();
        }
        for (Object o : batch) {
            if (o instanceof Piece p) {
                (p.thinking ? reasoning : text).accept(p.text.toString());
            } else {
                ((Runnable) o).run();
            }
        }
    }
}
