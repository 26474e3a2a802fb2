package io.kaiyuan.engine.host;

import io.kaiyuan.engine.api.CancellationToken;
import io.kaiyuan.engine.api.ExecutionProvider;
import io.kaiyuan.engine.api.LoadProgress;
import io.kaiyuan.engine.generate.LanguageModel;
import io.kaiyuan.engine.generate.MemoryProbe;
import io.kaiyuan.engine.model.ModelFolder;
import io.kaiyuan.engine.model.Variant;
import io.kaiyuan.engine.ort.OrtRuntime;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The models loaded in this process, for everyone who runs them (the chat, comparisons, the local API server, the
 * command line), over one {@link OrtRuntime}. The same model ({@link Key}: folder, variant, provider, threads,
 * exact) is loaded once whoever asks. Each loaded model has one named thread that loads it, runs the work given
 * for it one at a time in arrival order, and closes it: a {@link LanguageModel} never leaves its thread. Before a
 * model loads, idle models are closed, least recently used first, while the memory available is short of the new
 * one's estimate; a model with work running or waiting is never closed. Thread-safe.
 */
public final class ModelHost implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ModelHost.class);

    /** Context tokens the memory estimate allows for, as the length of what will run is not known in advance. */
    public static final int PLANNING_TOKENS = 4096;

    /**
     * One loaded model: its folder (absolute, normalised), the variant and provider it runs, CPU threads (0: ONNX
     * Runtime decides) and whether its graph runs as exported.
     */
    public record Key(Path folder, Variant variant, ExecutionProvider provider, int threads, boolean exact) {
        public Key {
            folder = folder.toAbsolutePath().normalize();
        }

        LanguageModel.LoadOptions loadOptions() {
            return new LanguageModel.LoadOptions(Optional.of(variant), provider, threads, exact);
        }

        /** The same model apart from its threads. */
        boolean sameModel(Key other) {
            return folder.equals(other.folder) && variant == other.variant && provider == other.provider
                    && exact == other.exact;
        }

        @Override
        public String toString() {
            return folder.getFileName() + "@" + variant.cliName() + "/" + provider.cliName()
                    + (threads > 0 ? "/" + threads + " threads" : "") + (exact ? "/exact" : "");
        }
    }

    /** A loaded model as the work given for it sees it, on the model's thread. */
    public record Hosted(LanguageModel model, long residentAdded) {}

    /** Work on a loaded model, run on its thread. */
    @FunctionalInterface
    public interface Work<T> {
        T run(Hosted hosted);
    }

    /** Thrown when more work already waits for a model than the caller allows (the server's HTTP 429). */
    public static final class QueueFullException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        QueueFullException(String message) {
            super(message);
        }
    }

    private final OrtRuntime runtime;
    private final LongSupplier availableMemory;
    private final Map<Key, Slot> slots = new LinkedHashMap<>();
    private boolean closed;

    /** @param availableMemory bytes a new model may use now */
    public ModelHost(OrtRuntime runtime, LongSupplier availableMemory) {
        this.runtime = runtime;
        this.availableMemory = availableMemory;
    }

    /** A host checking the memory this machine has available. */
    public static ModelHost forThisMachine(OrtRuntime runtime) {
        return new ModelHost(runtime, io.kaiyuan.engine.model.MemoryFit::availableMemory);
    }

    public OrtRuntime runtime() {
        return runtime;
    }

    /**
     * The key of the model in {@code folder} as {@code options} would load it: the variant chosen as
     * {@link LanguageModel#load} chooses it (so "the best variant" and that variant by name are the same model).
     *
     * @throws io.kaiyuan.engine.api.ModelLoadException when the folder is not a model or lacks the variant
     */
    public Key key(Path folder, LanguageModel.LoadOptions options) {
        ExecutionProvider provider = options.provider();
        boolean gpu = provider == ExecutionProvider.AUTO
                ? runtime.availableProviders().size() > 1
                : provider != ExecutionProvider.CPU;
        Variant variant = ModelFolder.open(folder).chooseVariant(options.variant(), gpu);
        if (provider == ExecutionProvider.AUTO && !gpu) {
            provider = ExecutionProvider.CPU;
        }
        return new Key(folder, variant, provider, Math.max(0, options.threads()), options.exact());
    }

    /** Runs {@code work} on the model's thread after the work already given for it, loading the model first if needed. */
    public <T> CompletableFuture<T> submit(Key key, Work<T> work) {
        return submit(key, Integer.MAX_VALUE, () -> { }, LoadProgress.NONE, new CancellationToken(), work);
    }

    /**
     * As {@link #submit(Key, Work)}, refusing when {@code maxQueue} pieces of work already wait behind the running one.
     *
     * @param onStart run on the model's thread when the work leaves the queue, before the model loads if it must
     * @param progress hears the steps of the model's load, on its thread (nothing when it is loaded already)
     * @param cancel stops the load this work waits for between its steps (the result then fails with a
     *     {@link java.util.concurrent.CancellationException} and the model stays unloaded; work given after this
     *     loads it again); the work itself hears it as it chooses
     * @throws QueueFullException when the queue is full
     * @throws IllegalStateException when the host is closed
     */
    public <T> CompletableFuture<T> submit(Key key, int maxQueue, Runnable onStart, LoadProgress progress,
            CancellationToken cancel, Work<T> work) {
        Slot slot;
        synchronized (this) {
            if (closed) {
                throw new IllegalStateException("the model host is closed");
            }
            slot = slots.computeIfAbsent(key, Slot::new);
            if (slot.pending.get() > maxQueue) {
                throw new QueueFullException(key.folder().getFileName() + " is busy and its queue (" + maxQueue
                        + " waiting) is full: try again shortly.");
            }
            slot.pending.incrementAndGet();
        }
        Slot s = slot;
        CompletableFuture<T> result = new CompletableFuture<>();
        try {
            s.thread.execute(() -> {
                T value = null;
                Throwable failure = null;
                try {
                    onStart.run();
                    value = work.run(s.hosted(progress, cancel));
                } catch (Throwable t) {
                    failure = t;
                } finally {
                    s.lastUsed = System.nanoTime();
                    s.pending.decrementAndGet();
                }
                // only now: whoever waits for the result may at once ask another model, whose load must find this
                // one idle (it counted as busy until here)
                if (failure != null) {
                    result.completeExceptionally(failure);
                } else {
                    result.complete(value);
                }
            });
        } catch (RejectedExecutionException e) {
            s.pending.decrementAndGet();
            throw new IllegalStateException("the model host is closed", e);
        }
        return result;
    }

    /**
     * Waits for work given to a host and returns its value; what the work threw is thrown here as it was thrown
     * there (an unchecked exception as itself). Not on a model's own thread.
     */
    public static <T> T await(CompletableFuture<T> work) {
        try {
            return work.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for a model", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    /** Pieces of work running or waiting for a model. Any thread. */
    public synchronized int pending(Key key) {
        Slot s = slots.get(key);
        return s == null ? 0 : s.pending.get();
    }

    /** The models loaded now, in the order first asked for. Any thread. */
    public synchronized List<Key> loaded() {
        return slots.values().stream().filter(s -> s.hosted != null).map(s -> s.key).toList();
    }

    /** Models the host keeps a thread for (loaded, loading or with work waiting). */
    synchronized int slotCount() {
        return slots.size();
    }

    public synchronized boolean isLoaded(Key key) {
        Slot s = slots.get(key);
        return s != null && s.hosted != null;
    }

    /** Closes a model after the work running or waiting for it; waits until it is closed. Any thread but its own. */
    public void unload(Key key) {
        Slot s;
        synchronized (this) {
            s = slots.get(key);
        }
        if (s != null) {
            s.unload();
            retire(s);
        }
    }

    /** Forgets a slot whose model is closed and that nothing waits for, and stops its thread. */
    private synchronized void retire(Slot s) {
        if (s.hosted == null && s.pending.get() == 0 && slots.get(s.key) == s) {
            slots.remove(s.key);
            s.thread.shutdown();
        }
    }

    /** Makes room for {@code next}: closes idle models, least recently used first, while memory is short. */
    private void makeRoom(Slot next) {
        List<Slot> idle;
        synchronized (this) {
            idle = new ArrayList<>(slots.values().stream()
                    .filter(s -> s != next && s.hosted != null && s.pending.get() == 0)
                    .sorted(Comparator.comparingLong(s -> s.lastUsed)).toList());
        }
        // the same model loaded with other threads (the setting changed) is not kept beside it
        for (Slot s : idle) {
            if (s.key.sameModel(next.key)) {
                LOG.info("closing {}: asked for again as {}", s.key, next.key);
                s.unload();
                retire(s);
            }
        }
        ModelFolder folder = ModelFolder.open(next.key.folder());
        long need = folder.memoryEstimate(next.key.variant(), PLANNING_TOKENS, availableMemory.getAsLong()).neededBytes();
        for (Slot s : idle) {
            if (availableMemory.getAsLong() >= need) {
                return;
            }
            if (s.hosted != null) {
                LOG.info("closing {} to make room for {}", s.key, next.key);
                s.unload();
                retire(s);
            }
        }
    }

    /** How long {@link #close()} waits for the work running on the models' threads. */
    private static final long CLOSE_WAIT_MS = 10_000;

    /**
     * Closes every model after the work given for it and stops their threads; waits at most 10 s for that (a long
     * generation nobody cancelled goes on, on its daemon thread, and its model is closed when it ends).
     */
    @Override
    public void close() {
        List<Slot> all;
        synchronized (this) {
            closed = true;
            all = new ArrayList<>(slots.values());
            slots.clear();
        }
        for (Slot s : all) {
            try {
                s.thread.execute(s::closeModel);
            } catch (RejectedExecutionException e) {
                // already stopped
            }
            s.thread.shutdown();
        }
        long deadline = System.nanoTime() + CLOSE_WAIT_MS * 1_000_000;
        for (Slot s : all) {
            try {
                if (!s.thread.awaitTermination(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                    LOG.warn("{} is still busy; it closes when its work ends", s.key);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** One model: its thread, what waits for it, the model once loaded. */
    private final class Slot {
        final Key key;
        final ExecutorService thread;
        final AtomicInteger pending = new AtomicInteger();
        volatile Hosted hosted;
        volatile long lastUsed = System.nanoTime();

        Slot(Key key) {
            this.key = key;
            String name = "kaiyuan-model-" + key.folder().getFileName();
            this.thread = Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, name);
                t.setDaemon(true);
                return t;
            });
        }

        /** The loaded model, loading it first; on this slot's thread. */
        Hosted hosted(LoadProgress progress, CancellationToken cancel) {
            if (hosted == null) {
                if (cancel.isCancelled()) {
                    throw new java.util.concurrent.CancellationException("loading " + key + " was cancelled");
                }
                makeRoom(this);
                long before = MemoryProbe.resident().orElse(-1);
                LanguageModel model = LanguageModel.load(runtime, key.folder(), key.loadOptions(), progress, cancel);
                long after = MemoryProbe.resident().orElse(-1);
                hosted = new Hosted(model, before < 0 || after < 0 ? -1 : Math.max(0, after - before));
                LOG.info("loaded {} in {} ms", key, model.loadMs());
            }
            return hosted;
        }

        /** On this slot's thread: closes the model, if loaded. */
        void closeModel() {
            Hosted h = hosted;
            hosted = null;
            if (h != null) {
                h.model().close();
            }
        }

        /** Closes the model on its own thread, after the work running there (if any); waits for it. */
        void unload() {
            try {
                thread.submit(this::closeModel).get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException | RejectedExecutionException e) {
                LOG.warn("closing {} failed", key, e);
            }
        }
    }
}
