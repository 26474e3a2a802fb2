package io.kaiyuan.engine.template.jinja;

import io.kaiyuan.engine.template.jinja.TemplateLimitException.Kind;
import java.time.Duration;
import java.util.Collection;
import java.util.Locale;
import java.util.Map;

/**
 * What one render has spent of its {@link TemplateLimits}. A render runs on one thread, so the budget
 * in force is kept per thread ({@link #current()}) for the helpers that build text deep inside filters.
 */
final class Budget {
    private static final ThreadLocal<Budget> CURRENT = new ThreadLocal<>();

    final TemplateLimits limits;
    private final long deadlineNanos;
    private long operations;
    private long built;
    private int depth;
    private int maxDepthSeen;
    private long maxCharsSeen;
    private long maxItemsSeen;

    Budget(TemplateLimits limits) {
        this.limits = limits;
        this.deadlineNanos = System.nanoTime() + limits.deadline().toNanos();
    }

    /** The budget of the render running on this thread, or one with the default limits. */
    static Budget current() {
        Budget b = CURRENT.get();
        return b != null ? b : new Budget(TemplateLimits.DEFAULT);
    }

    /** Makes this the budget of the calling thread; returns the one it replaces. */
    Budget install() {
        Budget previous = CURRENT.get();
        CURRENT.set(this);
        return previous;
    }

    static void restore(Budget previous) {
        if (previous == null) {
            CURRENT.remove();
        } else {
            CURRENT.set(previous);
        }
    }

    /** One step of evaluation, one level deeper. */
    void enter() {
        if (++operations > limits.maxOperations()) {
            throw tooManySteps();
        }
        if ((operations & 1023) == 0) {
            checkTime();
        }
        if (++depth > limits.maxEvaluationDepth()) {
            throw new TemplateLimitException(Kind.DEEP, "it nests more than " + limits.maxEvaluationDepth()
                    + " levels deep when run (a macro that calls itself without end, or a very long expression)");
        }
        if (depth > maxDepthSeen) {
            maxDepthSeen = depth;
        }
    }

    private TemplateLimitException tooManySteps() {
        return new TemplateLimitException(Kind.SLOW, String.format(Locale.ROOT, "it takes more than %,d steps",
                limits.maxOperations()));
    }

    private static String seconds(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s"
                : String.format(Locale.ROOT, "%.1f s", d.toMillis() / 1000.0);
    }

    void leave() {
        depth--;
    }

    /** Counts steps done inside one construct (a loop over a long list, a long filter). */
    void steps(long n) {
        operations += n;
        if (operations > limits.maxOperations()) {
            throw tooManySteps();
        }
        checkTime();
    }

    void checkTime() {
        if (System.nanoTime() - deadlineNanos > 0) {
            throw new TemplateLimitException(Kind.SLOW, "it did not finish within "
                    + seconds(limits.deadline()));
        }
        if (Thread.currentThread().isInterrupted()) {
            throw new TemplateException("rendering was interrupted");
        }
    }

    /** A text about to reach {@code length} characters. */
    void chars(long length) {
        if (length > maxCharsSeen) {
            maxCharsSeen = length;
        }
        if (length > limits.maxChars()) {
            throw new TemplateLimitException(Kind.LARGE, String.format(Locale.ROOT,
                    "it builds a text longer than %,d characters", limits.maxChars()));
        }
    }

    /** A list about to reach {@code size} items. */
    void items(long size) {
        if (size > maxItemsSeen) {
            maxItemsSeen = size;
        }
        if (size > limits.maxItems()) {
            throw new TemplateLimitException(Kind.LARGE, String.format(Locale.ROOT,
                    "it builds a list of more than %,d items", limits.maxItems()));
        }
    }

    /** A value written out at this nesting level (tojson, printing). */
    void valueDepth(int level) {
        if (level > limits.maxValueDepth()) {
            throw new TemplateLimitException(Kind.DEEP, "it writes out a value nested more than "
                    + limits.maxValueDepth() + " levels deep");
        }
    }

    /** A value built by the render: counted against its size limits and the total it may build. */
    void built(Object value) {
        long units;
        if (value instanceof String s) {
            chars(s.length());
            units = s.length();
        } else if (value instanceof Collection<?> c) {
            items(c.size());
            units = c.size();
        } else if (value instanceof Map<?, ?> m) {
            items(m.size());
            units = m.size();
        } else {
            return;
        }
        charge(units);
    }

    /** Characters or items built, counted against the total. */
    void charge(long units) {
        built += units;
        if (built > limits.maxBuilt()) {
            throw new TemplateLimitException(Kind.LARGE, String.format(Locale.ROOT,
                    "it builds more than %,d characters and list items in all", limits.maxBuilt()));
        }
    }

    /** What this render used: for measuring the headroom real templates leave. */
    Usage usage() {
        return new Usage(operations, maxDepthSeen, maxCharsSeen, maxItemsSeen, built);
    }

    /** The most a render used of each limit. */
    record Usage(long operations, int evaluationDepth, long chars, long items, long built) {}
}
