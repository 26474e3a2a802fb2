package io.kaiyuan.engine.generate;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.kaiyuan.engine.api.CancellationToken;
import io.kaiyuan.engine.api.FinishReason;
import io.kaiyuan.engine.api.GenerationException;
import io.kaiyuan.engine.ort.DecoderSession;
import io.kaiyuan.engine.sample.TokenChooser;
import java.util.Arrays;
import java.util.Set;

/**
 * Token-level generation on a decoder and its KV cache, in the manner of onnxruntime-genai's generator:
 * {@link #append} tokens, ask for the {@link #next} one until {@link #isDone}, {@link #rewindTo} an
 * earlier length to go on from there. Text (detokenizing, stop strings, reasoning) is the caller's.
 *
 * <p>The tokens appended are run lazily by the next {@link #next()}: a prompt is prefilled there, then
 * each chosen token is run by the call after it. The cache outlives the generator: a later one on the same
 * decoder starts from the tokens it holds, so a prompt that extends them prefills only what is new.
 *
 * <p>Not thread-safe: use it on the model's thread. A cancel from any thread stops a run in flight.
 */
public final class Generator implements AutoCloseable {

    /** What {@link #next()} returns when the generation was cancelled. */
    public static final int CANCELLED = -1;

    /**
     * How tokens are chosen and when it ends.
     *
     * @param chooser the logits processors and sampler
     * @param eos the ids that end it; empty to go on to {@code maxLength}
     * @param maxLength the most tokens, prompt included (at most the model's context)
     * @param keepLogits whether {@link #logits()} gives each step's logits before they are processed
     */
    public record Search(TokenChooser chooser, Set<Integer> eos, int maxLength, boolean keepLogits) {}

    private final DecoderSession decoder;
    private final Search search;
    private final CancellationToken cancel;
    private final Terminator terminator = new Terminator();
    private final CancellationToken.Registration registration;
    /** The tokens so far: the first {@code decoder.cacheLength()} are in the cache, the rest wait to be run. */
    private int[] tokens;
    private int length;
    private float[] rawLogits;
    private long lastRunNanos;
    private FinishReason finish;

    /** A generator that goes on from the tokens in {@code decoder}'s cache. */
    public Generator(DecoderSession decoder, Search search, CancellationToken cancel) {
        this.decoder = decoder;
        this.search = search;
        this.cancel = cancel;
        this.tokens = decoder.cachedTokens();
        this.length = tokens.length;
        this.registration = cancel.onCancel(terminator::terminate);
    }

    /** Adds tokens to be run before the next one is chosen. */
    public void append(int[] ids, int from, int to) {
        if (length + (to - from) > search.maxLength()) {
            throw new IllegalArgumentException((length + to - from) + " tokens exceed the most of " + search.maxLength());
        }
        room(length + to - from);
        System.arraycopy(ids, from, tokens, length, to - from);
        length += to - from;
        finish = null;
    }

    /**
     * Rewinds to the longest prefix of {@code prompt} that is already here, keeping at least one prompt token
     * to run (its logits choose the first new token), and appends the rest. Returns the tokens kept.
     */
    public int appendReusing(int[] prompt) {
        int max = Math.min(Math.min(length, decoder.cacheLength()), prompt.length - 1);
        int common = 0;
        while (common < max && tokens[common] == prompt[common]) {
            common++;
        }
        rewindTo(common);
        append(prompt, common, prompt.length);
        return common;
    }

    /**
     * Keeps the first {@code n} tokens (and their cache) and forgets the rest; the next {@link #next()}
     * goes on from there.
     */
    public void rewindTo(int n) {
        if (n < 0 || n > length) {
            throw new IllegalArgumentException("cannot rewind " + length + " tokens to " + n);
        }
        if (n < decoder.cacheLength()) {
            try {
                decoder.truncate(n);
            } catch (OrtException e) {
                throw new GenerationException("The model's cache could not be cut to " + n + " tokens: " + e.getMessage(), e);
            }
        }
        length = n;
        finish = null;
    }

    /**
     * Runs the tokens not yet run, chooses the next one and appends it. Returns it, or {@link #CANCELLED}
     * when the generation was cancelled before or during the run.
     */
    public int next() {
        if (finish != null) {
            throw new IllegalStateException("the generation has ended (" + finish + ")");
        }
        if (cancel.isCancelled()) {
            finish = FinishReason.CANCELLED;
            return CANCELLED;
        }
        long start = System.nanoTime();
        float[] logits = forward();
        lastRunNanos = System.nanoTime() - start;
        if (logits == null) {
            finish = FinishReason.CANCELLED;
            return CANCELLED;
        }
        if (search.keepLogits()) {
            rawLogits = logits.clone();
        }
        int id = search.chooser().choose(logits, tokens, length);
        room(length + 1);
        tokens[length++] = id;
        if (search.eos().contains(id)) {
            finish = FinishReason.STOP;
        } else if (length >= search.maxLength()) {
            finish = FinishReason.LENGTH;
        }
        return id;
    }

    /**
     * Runs tokens[cacheLength, length); when all are in the cache (after a rewind), runs the last one again
     * for its logits. Null when the run was cancelled.
     */
    private float[] forward() {
        if (length == 0) {
            throw new IllegalStateException("no token to run: append one first");
        }
        try {
            if (decoder.cacheLength() >= length) {
                decoder.truncate(length - 1);
            }
            return decoder.forward(tokens, decoder.cacheLength(), length, terminator.options);
        } catch (OrtException e) {
            if (cancel.isCancelled()) {
                return null;
            }
            throw new GenerationException("The model run failed on " + decoder.provider().cliName() + ": " + e.getMessage(), e);
        }
    }

    /** Whether an end-of-sequence token, the length limit or a cancel has ended it. */
    public boolean isDone() {
        return finish != null || cancel.isCancelled();
    }

    /** Why it ended: {@code STOP} (end of sequence), {@code LENGTH} or {@code CANCELLED}; null while it goes on. */
    public FinishReason finishReason() {
        return finish == null && cancel.isCancelled() ? FinishReason.CANCELLED : finish;
    }

    /** Tokens so far, prompt included. */
    public int length() {
        return length;
    }

    /** The tokens so far. */
    public int[] tokens() {
        return Arrays.copyOf(tokens, length);
    }

    /** The logits the last {@link #next()} chose from, before any processor (with {@link Search#keepLogits}). */
    public float[] logits() {
        return rawLogits;
    }

    /** Nanoseconds the model ran in the last {@link #next()} (for the first after a prompt, its prefill). */
    public long lastRunNanos() {
        return lastRunNanos;
    }

    private void room(int needed) {
        if (tokens.length < needed) {
            tokens = Arrays.copyOf(tokens, Math.max(needed, Math.min(search.maxLength(), 2 * tokens.length + 16)));
        }
    }

    @Override
    public void close() {
        registration.close();
        terminator.close();
    }

    /**
     * Lets another thread stop a model run in flight (a cancel can come from any thread at any time), but
     * never touches the RunOptions once they are closed: a cancel racing the end of a generation does nothing.
     */
    private static final class Terminator implements AutoCloseable {
        final OrtSession.RunOptions options;
        private boolean closed;

        Terminator() {
            try {
                options = new OrtSession.RunOptions();
            } catch (OrtException e) {
                throw new GenerationException("Cannot prepare a model run: " + e.getMessage(), e);
            }
        }

        synchronized void terminate() {
            if (closed) {
                return;
            }
            try {
                options.setTerminate(true);
            } catch (OrtException e) {
                throw new IllegalStateException("cannot stop the model run", e);
            }
        }

        @Override
        public synchronized void close() {
            closed = true;
            options.close();
        }
    }
}
