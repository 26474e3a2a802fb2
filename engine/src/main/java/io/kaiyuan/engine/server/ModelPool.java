package io.kaiyuan.engine.server;

import io.kaiyuan.engine.api.CancellationToken;
import io.kaiyuan.engine.api.GenerationRequest;
import io.kaiyuan.engine.api.GenerationResult;
import io.kaiyuan.engine.api.TokenListener;
import io.kaiyuan.engine.generate.LanguageModel;
import io.kaiyuan.engine.model.ModelFolder;
import io.kaiyuan.engine.ort.OrtRuntime;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The models the server answers with: each is loaded on its first request and kept warm, and has one
 * named generation thread that runs its requests one at a time in arrival order. A model's queue holds
 * at most {@code maxQueue} requests waiting behind the one running; one more is refused with
 * {@link QueueFullException}. Before a model is loaded, idle models (least recently used first) are
 * closed while the memory available is short of the new one's estimate. Thread-safe.
 */
public final class ModelPool implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ModelPool.class);

    /** Thrown when a model's queue is full: the client should retry later (HTTP 429). */
    public static final class QueueFullException extends RuntimeException {
        QueueFullException(String message) {
            super(message);
        }
    }

    /** Thrown for a model id that is not installed (HTTP 404). */
    public static final class UnknownModelException extends RuntimeException {
        UnknownModelException(String message) {
            super(message);
        }
    }

    /** Context tokens the memory estimate allows for, as a request's length is not known in advance. */
    static final int PLANNING_TOKENS = 4096;

    private final OrtRuntime runtime;
    private final Supplier<List<String>> ids;
    private final Function<String, Optional<Path>> locate;
    private final LanguageModel.LoadOptions load;
    private final int maxQueue;
    private final LongSupplier availableMemory;
    private final Map<String, Slot> slots = new LinkedHashMap<>();
    private volatile boolean closed;
    private volatile java.util.function.BiConsumer<String, GenerationResult> onFinished = (id, r) -> { };

    /**
     * @param ids the ids of the models that can be served (installed models)
     * @param locate an id's model folder; empty when it is not installed
     * @param maxQueue requests that may wait behind a model's running one
     * @param availableMemory bytes a new model may use now
     */
    public ModelPool(OrtRuntime runtime, Supplier<List<String>> ids, Function<String, Optional<Path>> locate,
            LanguageModel.LoadOptions load, int maxQueue, LongSupplier availableMemory) {
        if (maxQueue < 0) {
            throw new IllegalArgumentException("the queue length must be 0 or more, got " + maxQueue);
        }
        this.runtime = runtime;
        this.ids = ids;
        this.locate = locate;
        this.load = load;
        this.maxQueue = maxQueue;
        this.availableMemory = availableMemory;
    }

    /** A pool over the models installed in {@code registry}, checking the memory the system has available. */
    public static ModelPool installed(OrtRuntime runtime, io.kaiyuan.engine.model.ModelRegistry registry,
            LanguageModel.LoadOptions load, int maxQueue) {
        return new ModelPool(runtime, () -> registry.list().stream().map(io.kaiyuan.engine.model.ModelRegistry.InstalledModel::id)
                .toList(), id -> registry.find(id).map(io.kaiyuan.engine.model.ModelRegistry.InstalledModel::dir), load, maxQueue,
                io.kaiyuan.engine.model.MemoryFit::availableMemory);
    }

    /** Hears each finished generation (the model id and its result) on the model's thread, e.g. for a request log. */
    public void onFinished(java.util.function.BiConsumer<String, GenerationResult> listener) {
        this.onFinished = listener;
    }

    /** Requests running or waiting for a model. Any thread. */
    public synchronized int pending(String modelId) {
        Slot s = slots.get(modelId);
        return s == null ? 0 : s.pending.get();
    }

    /** The ids of the models that can be served. Any thread. */
    public List<String> models() {
        return ids.get();
    }

    /** The ids of the models loaded now. Any thread. */
    public synchronized List<String> loaded() {
        return slots.values().stream().filter(s -> s.model != null).map(s -> s.id).toList();
    }

    /**
     * Queues a generation on the model's thread and returns at once; the future completes with the result
     * or the load or generation failure. Any thread.
     *
     * @throws UnknownModelException when no installed model has this id
     * @throws QueueFullException when {@code maxQueue} requests already wait for this model
     */
    public CompletableFuture<GenerationResult> submit(String modelId, GenerationRequest request, TokenListener listener,
            CancellationToken cancel) {
        return submit(modelId, request, listener, cancel, () -> { });
    }

    /**
     * As {@link #submit(String, GenerationRequest, TokenListener, CancellationToken)}, running {@code onStart}
     * on the model's thread when the request leaves the queue (before the model loads, if it must).
     */
    public CompletableFuture<GenerationResult> submit(String modelId, GenerationRequest request, TokenListener listener,
            CancellationToken cancel, Runnable onStart) {
        Slot slot;
        synchronized (this) {
            if (closed) {
                throw new IllegalStateException("the server is stopping");
            }
            slot = slots.get(modelId);
            if (slot == null) {
                Optional<Path> found;
                try {
                    found = locate.apply(modelId);
                } catch (IllegalArgumentException | io.kaiyuan.engine.api.ModelLoadException notAnId) {
                    found = Optional.empty(); // an id no model can have (qwen2.5:0.5b, .., .staging)
                }
                Path folder = found.orElseThrow(() -> new UnknownModelException("The model '" + modelId
                        + "' does not exist: GET /v1/models lists the installed models."));
                slot = new Slot(modelId, folder);
                slots.put(modelId, slot);
            }
            if (slot.pending.get() > maxQueue) {
                throw new QueueFullException(modelId + " is busy and its queue (" + maxQueue + " waiting) is full: try again"
                        + " shortly.");
            }
            slot.pending.incrementAndGet();
        }
        Slot s = slot;
        CompletableFuture<GenerationResult> result = new CompletableFuture<>();
        s.thread.execute(() -> {
            GenerationResult r = null;
            Throwable failure = null;
            try {
                if (cancel.isCancelled()) {
                    throw new java.util.concurrent.CancellationException("the client went away");
                }
                onStart.run();
                LanguageModel model = s.model();
                r = model.generate(request, listener, cancel);
                onFinished.accept(s.id, r);
            } catch (Throwable t) {
                failure = t;
            } finally {
                s.lastUsed = System.nanoTime();
                s.pending.decrementAndGet();
            }
            // Only now: whoever waits for the answer may at once ask another model, whose load must find
            // this one idle (it counted as busy until here).
            if (failure != null) {
                result.completeExceptionally(failure);
            } else {
                result.complete(r);
            }
        });
        return result;
    }

    /** Makes room for {@code next}: closes idle models, least recently used first, while memory is short. */
    private void makeRoom(Slot next) {
        ModelFolder folder = ModelFolder.open(next.folder);
        long need = folder.memoryEstimate(folder.chooseVariant(load.variant(), false), PLANNING_TOKENS,
                availableMemory.getAsLong()).neededBytes();
        List<Slot> idle;
        synchronized (this) {
            idle = new ArrayList<>(slots.values().stream().filter(s -> s != next && s.model != null && s.pending.get() == 0)
                    .sorted(Comparator.comparingLong(s -> s.lastUsed)).toList());
        }
        for (Slot s : idle) {
            if (availableMemory.getAsLong() >= need) {
                return;
            }
            LOG.info("unloading {} to make room for {}", s.id, next.id);
            s.unload();
        }
    }

    @Override
    public void close() {
        List<Slot> all;
        synchronized (this) {
            closed = true;
            all = new ArrayList<>(slots.values());
            slots.clear();
        }
        for (Slot s : all) {
            s.unload();
            s.thread.shutdown();
        }
    }

    /** One model: its folder, its generation thread, what waits for it. */
    private final class Slot {
        final String id;
        final Path folder;
        final ExecutorService thread;
        final AtomicInteger pending = new AtomicInteger();
        volatile LanguageModel model;
        volatile long lastUsed = System.nanoTime();

        Slot(String id, Path folder) {
            this.id = id;
            this.folder = folder;
            this.thread = Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "kaiyuan-serve-" + id);
                t.setDaemon(true);
                return t;
            });
        }

        /** The loaded model, loading it first (on this slot's thread). */
        LanguageModel model() {
            if (model == null) {
                makeRoom(this);
                model = LanguageModel.load(runtime, folder, load);
                LOG.info("loaded {} for the server in {} ms", id, model.loadMs());
            }
            return model;
        }

        /** Closes the model on its own thread, after the request running there (if any). */
        void unload() {
            try {
                thread.submit(() -> {
                    LanguageModel m = model;
                    model = null;
                    if (m != null) {
                        m.close();
                    }
                }).get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.RejectedExecutionException e) {
                LOG.warn("closing {} failed", id, e);
            }
        }
    }
}
