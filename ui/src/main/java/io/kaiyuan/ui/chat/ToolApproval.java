package io.kaiyuan.ui.chat;

import io.kaiyuan.engine.api.CancellationToken;
import io.kaiyuan.engine.api.ToolCall;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A tool call the model made, waiting for the user to allow or deny it: the generation thread waits in
 * {@link #await}, the page answers with {@link #answer} (FX thread). Stop denies it.
 */
public final class ToolApproval {
    /** How long a call waits for an answer before it is denied. */
    static final long WAIT_MINUTES = 10;

    private final String server;
    private final ToolCall call;
    private final CompletableFuture<Boolean> answer = new CompletableFuture<>();

    ToolApproval(String server, ToolCall call) {
        this.server = server;
        this.call = call;
    }

    public String server() {
        return server;
    }

    public ToolCall call() {
        return call;
    }

    /** Allows ({@code true}) or denies the call; a second answer changes nothing. */
    public void answer(boolean allow) {
        answer.complete(allow);
    }

    /** Waits for the answer; false when the turn is stopped or nobody answers in time. */
    boolean await(CancellationToken cancel) {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(WAIT_MINUTES);
        while (System.nanoTime() < deadline) {
            if (cancel.isCancelled()) {
                answer.complete(false);
            }
            try {
                return answer.get(200, TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                // ask again whether the turn was stopped
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            } catch (ExecutionException e) {
                return false;
            }
        }
        answer.complete(false);
        return false;
    }
}
