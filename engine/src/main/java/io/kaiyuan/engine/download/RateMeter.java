package io.kaiyuan.engine.download;

import java.util.ArrayDeque;

/** The rate of a growing byte count over a sliding window of recent samples. Not thread-safe. */
final class RateMeter {
    private record Sample(long nanos, long bytes) {}

    private final long windowNanos;
    private final ArrayDeque<Sample> samples = new ArrayDeque<>();

    RateMeter(long windowNanos) {
        this.windowNanos = windowNanos;
    }

    /** Records the count at a moment; moments must not go backwards. */
    void add(long nanos, long bytes) {
        samples.addLast(new Sample(nanos, bytes));
        while (samples.size() > 2 && nanos - samples.peekFirst().nanos() > windowNanos) {
            samples.removeFirst();
        }
    }

    /** Forgets the samples (after a pause, so the pause does not count as time without bytes). */
    void reset() {
        samples.clear();
    }

    /** Bytes per second between the oldest sample in the window and {@code nanos}; 0 without two samples. */
    double rate(long nanos) {
        if (samples.size() < 2) {
            return 0;
        }
        Sample first = samples.peekFirst();
        Sample last = samples.peekLast();
        // A window that ends long before now means nothing arrived since: count the time up to now.
        long span = Math.max(nanos, last.nanos()) - first.nanos();
        return span <= 0 ? 0 : (last.bytes() - first.bytes()) * 1e9 / span;
    }
}
