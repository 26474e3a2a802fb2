package io.kaiyuan.engine.server;

import io.kaiyuan.engine.api.CancellationToken;
import io.kaiyuan.engine.api.GenerationRequest;
import io.kaiyuan.engine.api.GenerationResult;
import io.kaiyuan.engine.api.TokenListener;
import io.kaiyuan.engine.generate.LanguageModel;
import io.kaiyuan.engine.host.ModelHost;
import io.kaiyuan.engine.ort.OrtRuntime;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The models the server answers with, by id, on the process's {@link ModelHost}: each is loaded on its first
 * request and kept warm, its requests run one at a time in arrival order on the model's thread (shared with the
 * chat and comparisons when they use the same model). A model's queue holds at most {@code maxQueue} requests
 * waiting behind the one running; one more is refused with {@link QueueFullException}. Thread-safe.
 */
public final class ModelPool implements AutoCloseable {
    /** Thrown when a model's queue is full: the client should retry later (HTTP 429). */
    public static final class QueueFullException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        QueueFullException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** Thrown for a model id that is not installed (HTTP 404). */
    public static final class UnknownModelException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        UnknownModelException(String message) {
            super(message);
        }
    }

    private final ModelHost host;
    private final boolean ownsHost;
    private final Supplier<List<String>> ids;
    private final Function<String, Optional<Path>> locate;
    private final LanguageModel.LoadOptions load;
    private final int maxQueue;
    /** The keys of the ids asked for, in the order first asked. */
    private final Map<String, ModelHost.Key> keys = new LinkedHashMap<>();
    private volatile boolean closed;
    private volatile java.util.function.BiConsumer<String, GenerationResult> onFinished = (id, r) -> { };

    /**
     * @param host where the models load and run
     * @param ids the ids of the models that can be served (installed models)
     * @param locate an id's model folder; empty when it is not installed
     * @param maxQueue requests that may wait behind a model's running one
     */
    public ModelPool(ModelHost host, Supplier<List<String>> ids, Function<String, Optional<Path>> locate,
            LanguageModel.LoadOptions load, int maxQueue) {
        this(host, false, ids, locate, load, maxQueue);
    }

    /** A pool on a host of its own (a server alone in its process), which it closes when closed. */
    public ModelPool(OrtRuntime runtime, Supplier<List<String>> ids, Function<String, Optional<Path>> locate,
            LanguageModel.LoadOptions load, int maxQueue, java.util.function.LongSupplier availableMemory) {
        this(new ModelHost(runtime, availableMemory), true, ids, locate, load, maxQueue);
    }

    private ModelPool(ModelHost host, boolean ownsHost, Supplier<List<String>> ids, Function<String, Optional<Path>> locate,
            LanguageModel.LoadOptions load, int maxQueue) {
        if (maxQueue < 0) {
            throw new IllegalArgumentException("the queue length must be 0 or more, got " + maxQueue);
        }
        this.host = host;
        this.ownsHost = ownsHost;
        this.ids = ids;
        this.locate = locate;
        this.load = load;
        this.maxQueue = maxQueue;
    }

    /** A pool over the models installed in {@code registry}, on {@code host} (which it leaves open when closed). */
    public static ModelPool installed(ModelHost host, io.kaiyuan.engine.model.ModelRegistry registry,
            LanguageModel.LoadOptions load, int maxQueue) {
        return new ModelPool(host, false, ids(registry), locate(registry), load, maxQueue);
    }

    /** A pool over the models installed in {@code registry}, on a host of its own that it closes when closed. */
    public static ModelPool installed(OrtRuntime runtime, io.kaiyuan.engine.model.ModelRegistry registry,
            LanguageModel.LoadOptions load, int maxQueue) {
        return new ModelPool(ModelHost.forThisMachine(runtime), true, ids(registry), locate(registry), load, maxQueue);
    }

    private static Supplier<List<String>> ids(io.kaiyuan.engine.model.ModelRegistry registry) {
        return () -> registry.list().stream().map(io.kaiyuan.engine.model.ModelRegistry.InstalledModel::id).toList();
    }

    private static Function<String, Optional<Path>> locate(io.kaiyuan.engine.model.ModelRegistry registry) {
        return id -> registry.find(id).map(io.kaiyuan.engine.model.ModelRegistry.InstalledModel::dir);
    }

    /** Hears each finished generation (the model id and its result) on the model's thread, e.g. for a request log. */
    public void onFinished(java.util.function.BiConsumer<String, GenerationResult> listener) {
        this.onFinished = listener;
    }

    /** Requests running or waiting for a model (the chat's and comparisons' on the same model included). Any thread. */
    public int pending(String modelId) {
        ModelHost.Key key;
        synchronized (this) {
            key = keys.get(modelId);
        }
        return key == null ? 0 : host.pending(key);
    }

    /** The ids of the models that can be served. Any thread. */
    public List<String> models() {
        return ids.get();
    }

    /** The ids of the models loaded now, in the order first asked for. Any thread. */
    public List<String> loaded() {
        List<ModelHost.Key> loaded = host.loaded();
        synchronized (this) {
            return keys.entrySet().stream().filter(e -> loaded.contains(e.getValue())).map(Map.Entry::getKey).toList();
        }
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
        if (closed) {
            throw new IllegalStateException("the server is stopping");
        }
        ModelHost.Key key = key(modelId);
        try {
            Runnable start = () -> {
                // a request whose client went away while it waited neither starts nor loads its model
                if (cancel.isCancelled()) {
                    throw new java.util.concurrent.CancellationException("the client went away");
                }
                onStart.run();
            };
            return host.submit(key, maxQueue, start, io.kaiyuan.engine.api.LoadProgress.NONE, cancel, hosted -> {
                GenerationResult r = hosted.model().generate(request, listener, cancel);
                onFinished.accept(modelId, r);
                return r;
            });
        } catch (ModelHost.QueueFullException e) {
            throw new QueueFullException(modelId + " is busy and its queue (" + maxQueue + " waiting) is full: try again"
                    + " shortly.", e);
        }
    }

    private synchronized ModelHost.Key key(String modelId) {
        ModelHost.Key key = keys.get(modelId);
        if (key != null) {
            return key;
        }
        Optional<Path> found;
        try {
            found = locate.apply(modelId);
        } catch (IllegalArgumentException | io.kaiyuan.engine.api.ModelLoadException notAnId) {
            found = Optional.empty(); // an id no model can have (qwen2.5:0.5b, .., .staging)
        }
        Path folder = found.orElseThrow(() -> new UnknownModelException("The model '" + modelId
                + "' does not exist: GET /v1/models lists the installed models."));
        key = host.key(folder, load);
        keys.put(modelId, key);
        return key;
    }

    /** Stops taking requests; closes the models too when the host is the pool's own. */
    @Override
    public void close() {
        closed = true;
        if (ownsHost) {
            host.close();
        }
    }
}
