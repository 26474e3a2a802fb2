package io.kaiyuan.engine.download;

import io.kaiyuan.engine.api.CancellationToken;

/**
 * Pauses, resumes and cancels a running install from any thread. A pause stops the transfers in flight
 * and keeps their partial files; resume continues each from the byte where it stopped (Range). Cancel ends
 * the install, keeping the partial files for a later install to resume.
 */
public final class DownloadControl {
    private final Object lock = new Object();
    private boolean paused;
    private boolean cancelled;
    private CancellationToken run = new CancellationToken();

    /** Stops the transfers in flight until {@link #resume()}; idempotent. */
    public void pause() {
        CancellationToken stopping;
        synchronized (lock) {
            if (paused || cancelled) {
                return;
            }
            paused = true;
            stopping = run;
        }
        stopping.cancel();
    }

    /** Lets a paused install continue; idempotent. */
    public void resume() {
        synchronized (lock) {
            if (!paused) {
                return;
            }
            paused = false;
            run = new CancellationToken();
            lock.notifyAll();
        }
    }

    /** Ends the install; the partial files stay for a later install to resume. Idempotent. */
    public void cancel() {
        CancellationToken stopping;
        synchronized (lock) {
            cancelled = true;
            lock.notifyAll();
            stopping = run;
        }
        stopping.cancel();
    }

    public boolean isPaused() {
        synchronized (lock) {
            return paused;
        }
    }

    public boolean isCancelled() {
        synchronized (lock) {
            return cancelled;
        }
    }

    /** The token the transfers of the current run watch: cancelled by a pause, a cancel or {@link #abort()}. */
    CancellationToken run() {
        synchronized (lock) {
            return run;
        }
    }

    /** Stops the transfers in flight without pausing (one file failed, so the install ends). */
    void abort() {
        run().cancel();
    }

    /** Waits while paused; returns when running again or cancelled. */
    void awaitRunning() throws InterruptedException {
        synchronized (lock) {
            while (paused && !cancelled) {
                lock.wait();
            }
        }
    }
}
