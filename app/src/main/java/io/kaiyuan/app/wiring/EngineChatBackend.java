package io.kaiyuan.app.wiring;

import io.kaiyuan.engine.api.CancellationToken;
import io.kaiyuan.engine.api.ChatMessage;
import io.kaiyuan.engine.api.ExecutionProvider;
import io.kaiyuan.engine.api.GenerationRequest;
import io.kaiyuan.engine.api.ResponseFormat;
import io.kaiyuan.engine.api.GenerationResult;
import io.kaiyuan.engine.api.SamplingOverrides;
import io.kaiyuan.engine.api.TokenListener;
import io.kaiyuan.engine.generate.ContextWindow;
import io.kaiyuan.engine.generate.LanguageModel;
import io.kaiyuan.engine.host.ModelHost;
import io.kaiyuan.engine.model.ModelRegistry;
import io.kaiyuan.engine.ort.OrtRuntime;
import io.kaiyuan.engine.remote.Endpoint;
import io.kaiyuan.engine.remote.RemoteEndpoints;
import io.kaiyuan.ui.chat.ChatBackend;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The chat page's engine: its models load and run on the app's {@link ModelHost} (each on the model's own thread,
 * shared with comparisons and the local API server when they use the same model), one chat request at a time in
 * the order asked. Safe from any thread.
 */
public final class EngineChatBackend implements ChatBackend, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EngineChatBackend.class);
    private static final int MAX_NEW_TOKENS = 2048;

    private final ModelRegistry registry;
    private final ModelHost host;
    private final boolean ownsHost;
    /** Takes the chat's requests in order and waits for each (the models run on the host's threads). */
    private final ExecutorService generation = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "kaiyuan-chat");
        t.setDaemon(true);
        return t;
    });
    private volatile int threads;
    private volatile String activeProvider;

    private final RemoteEndpoints remotes;
    /** Remote answers wait on the network, not on the local model: a thread of their own. */
    private final ExecutorService remoteThread = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "kaiyuan-chat-remote");
        t.setDaemon(true);
        return t;
    });

    /** A chat on a model host of its own, closed with it. */
    public EngineChatBackend(ModelRegistry registry) {
        this(ModelHost.forThisMachine(new OrtRuntime()), true, registry, null);
    }

    /** A chat on a model host of its own, closed with it; {@code remotes}: see below. */
    public EngineChatBackend(ModelRegistry registry, RemoteEndpoints remotes) {
        this(ModelHost.forThisMachine(new OrtRuntime()), true, registry, remotes);
    }

    /**
     * @param host where the models load and run (left open when this closes)
     * @param remotes remote endpoints whose models the chat can use too; null for none
     */
    public EngineChatBackend(ModelHost host, ModelRegistry registry, RemoteEndpoints remotes) {
        this(host, false, registry, remotes);
    }

    /** The MCP servers whose tools a local model's answers may call; null for none. */
    private volatile io.kaiyuan.engine.mcp.McpServers mcp;
    /** The servers connected so far, kept for later turns; closed with the chat. */
    private final java.util.Map<io.kaiyuan.engine.mcp.McpServers.Server, io.kaiyuan.app.mcp.McpConnection> connections =
            new java.util.HashMap<>();
    /** How long an MCP server may take to start, and to answer one request. */
    static final java.time.Duration MCP_TIMEOUT = java.time.Duration.ofSeconds(60);

    /** Offers the tools of {@code servers}' MCP servers to every local answer from now on (text answers only). */
    public void setMcpServers(io.kaiyuan.engine.mcp.McpServers servers) {
        this.mcp = servers;
    }

    private EngineChatBackend(ModelHost host, boolean ownsHost, ModelRegistry registry, RemoteEndpoints remotes) {
        this.host = host;
        this.ownsHost = ownsHost;
        this.registry = registry;
        this.remotes = remotes;
    }

    @Override
    public List<String> installedModels() {
        List<String> ids = new java.util.ArrayList<>(registry.list().stream().map(ModelRegistry.InstalledModel::id).toList());
        if (remotes != null) {
            ids.addAll(remotes.modelIds());
        }
        return ids;
    }

    /** Memory available when the app started, for the picker's fit marks. */
    private final long availableMemory = io.kaiyuan.engine.model.MemoryFit.availableMemory();
    /** The tokenizer last used to count an attachment's tokens, and whose it is. */
    private String countingId;
    private io.kaiyuan.engine.tokenize.Tokenizer counting;

    @Override
    public List<ModelChoice> modelChoices() {
        List<ModelChoice> out = new java.util.ArrayList<>();
        for (ModelRegistry.InstalledModel m : registry.list()) {
            out.add(choice(m));
        }
        if (remotes != null) {
            remotes.modelIds().forEach(id -> out.add(ModelChoice.of(id)));
        }
        return out;
    }

    /** An installed model with its size, variant and whether it fits at the context the chat reserves. */
    private ModelChoice choice(ModelRegistry.InstalledModel m) {
        io.kaiyuan.engine.model.MemoryFit.Fit fit = null;
        long bytes = m.bytes();
        String variant = m.variant();
        try {
            io.kaiyuan.engine.model.ModelFolder folder = io.kaiyuan.engine.model.ModelFolder.open(m.dir());
            io.kaiyuan.engine.model.Variant v = folder.chooseVariant(variant.isEmpty() ? Optional.empty()
                    : Optional.of(io.kaiyuan.engine.model.Variant.parse(variant)), false);
            if (bytes == 0) {
                bytes = folder.weightsBytes(v);
            }
            variant = v.cliName();
            int context = Math.min(4096, folder.config().maxPositions());
            fit = io.kaiyuan.engine.model.MemoryFit.estimate(bytes, folder.config(), v.kvBytesPerValue(), context,
                    availableMemory).fit();
        } catch (RuntimeException e) {
            LOG.debug("{}: no size or fit ({})", m.id(), e.getMessage());
        }
        return new ModelChoice(m.id(), false, bytes, variant, fit);
    }

    @Override
    public synchronized java.util.OptionalInt countTokens(String modelId, String text) {
        if (Endpoint.isRemote(modelId)) {
            return java.util.OptionalInt.empty();
        }
        try {
            if (!modelId.equals(countingId)) {
                Optional<ModelRegistry.InstalledModel> m = registry.find(modelId);
                if (m.isEmpty()) {
                    return java.util.OptionalInt.empty();
                }
                if (counting != null) {
                    counting.close();
                    counting = null;
                    countingId = null;
                }
                counting = io.kaiyuan.engine.tokenize.Tokenizer.load(m.get().dir());
                countingId = modelId;
            }
            return java.util.OptionalInt.of(counting.encode(text).length);
        } catch (RuntimeException e) {
            LOG.debug("cannot count tokens for {}: {}", modelId, e.getMessage());
            return java.util.OptionalInt.empty();
        }
    }

    /** CPU threads for models loaded from now on; 0 lets ONNX Runtime decide. Any thread. */
    public void setThreads(int threads) {
        this.threads = Math.max(0, threads);
    }

    @Override
    public Optional<String> variant(String modelId) {
        return registry.find(modelId).map(ModelRegistry.InstalledModel::variant).filter(v -> !v.isEmpty());
    }

    @Override
    public java.util.OptionalInt contextWindow(String modelId) {
        try {
            return registry.find(modelId).map(m -> java.util.OptionalInt.of(
                    io.kaiyuan.engine.model.ModelFolder.open(m.dir()).config().maxPositions())).orElse(java.util.OptionalInt.empty());
        } catch (RuntimeException e) {
            LOG.debug("{}: no context window ({})", modelId, e.getMessage());
            return java.util.OptionalInt.empty();
        }
    }

    @Override
    public Optional<io.kaiyuan.engine.api.SamplingParams> samplingDefaults(String modelId) {
        try {
            return registry.find(modelId).map(m -> io.kaiyuan.engine.model.ModelFolder.open(m.dir()).generation().sampling());
        } catch (RuntimeException e) {
            LOG.debug("{}: no sampling defaults ({})", modelId, e.getMessage());
            return Optional.empty();
        }
    }

    @Override
    public boolean hasThinkingSwitch(String modelId) {
        try {
            return registry.find(modelId).map(m -> io.kaiyuan.engine.template.ChatTemplates.hasThinkingSwitch(
                    io.kaiyuan.engine.model.ModelFolder.open(m.dir()))).orElse(false);
        } catch (RuntimeException e) {
            LOG.debug("{}: no thinking switch ({})", modelId, e.getMessage()); // a broken folder says so when it loads
            return false;
        }
    }

    @Override
    public void answer(String modelId, List<ChatMessage> conversation, Map<String, Object> templateVariables,
            SamplingOverrides sampling, TokenListener listener, CancellationToken cancel, Completion completion) {
        answer(modelId, conversation, templateVariables, sampling, ResponseFormat.TEXT, listener, cancel, completion);
    }

    @Override
    public void answer(String modelId, List<ChatMessage> conversation, Map<String, Object> templateVariables,
            SamplingOverrides sampling, ResponseFormat format, TokenListener listener, CancellationToken cancel,
            Completion completion) {
        if (Endpoint.isRemote(modelId)) {
            remoteThread.execute(() -> {
                try {
                    if (remotes == null) {
                        throw new IllegalArgumentException("Remote endpoints are not available: see the warning at start.");
                    }
                    // The endpoint's own answer limit applies: reasoning models there may think long.
                    completion.finished(remotes.chat(modelId, new GenerationRequest(new GenerationRequest.Prompt.Chat(
                            conversation, templateVariables), sampling, io.kaiyuan.engine.remote.RemoteClient.ENDPOINT_LIMIT,
                            List.of()).withFormat(format), listener, cancel));
                } catch (RuntimeException | java.io.IOException e) {
                    LOG.warn("chat with {} failed: {}", modelId, e.getMessage());
                    completion.failed(e);
                }
            });
            return;
        }
        generation.execute(() -> {
            try {
                GenerationRequest request = new GenerationRequest(new GenerationRequest.Prompt.Chat(conversation,
                        templateVariables), sampling, MAX_NEW_TOKENS, List.of()).withFormat(format);
                completion.finished(ModelHost.await(host.submit(key(modelId), Integer.MAX_VALUE, () -> { }, completion::loading,
                        cancel, hosted -> {
                            activeProvider = hosted.model().provider().cliName();
                            return answerWithTools(hosted.model(), request, listener, cancel, completion);
                        })));
            } catch (java.util.concurrent.CancellationException e) {
                completion.finished(stoppedWhileLoading()); // Stop while the model loaded: an empty, cancelled answer
            } catch (io.kaiyuan.engine.api.GenerationException e) {
                LOG.warn("chat with {} failed: {}", modelId, e.getMessage()); // the message says it all
                completion.failed(e);
            } catch (RuntimeException e) {
                LOG.warn("chat with {} failed", modelId, e);
                completion.failed(e);
            }
        });
    }

    /**
     * One turn on the model's thread: with MCP servers configured (and a text answer, from a model whose
     * template writes tool calls), their tools are offered and the calls run (see {@link io.kaiyuan.app.mcp.ToolLoop});
     * else a plain answer.
     */
    private GenerationResult answerWithTools(LanguageModel model, GenerationRequest request, TokenListener listener,
            CancellationToken cancel, Completion completion) {
        io.kaiyuan.engine.mcp.McpServers servers = mcp;
        List<io.kaiyuan.engine.mcp.McpServers.Server> list = servers == null ? List.of() : servers.list();
        if (list.isEmpty() || !request.format().isText() || model.toolCallFormat().isEmpty()) {
            return ContextWindow.answer(model, request, listener, cancel, completion::trimmed);
        }
        java.util.Map<io.kaiyuan.app.mcp.McpConnection, List<io.kaiyuan.engine.api.ToolUse.Function>> tools =
                new java.util.LinkedHashMap<>();
        java.util.Map<String, Boolean> ask = new java.util.HashMap<>();
        for (io.kaiyuan.engine.mcp.McpServers.Server server : list) {
            ask.put(server.name(), server.ask());
            try {
                io.kaiyuan.app.mcp.McpConnection c = connection(server);
                tools.put(c, c.tools());
            } catch (java.io.IOException e) {
                LOG.warn("MCP server {} left out: {}", server.name(), e.getMessage());
                forget(server);
                completion.toolServerFailed(server.name(), e.getMessage());
            }
        }
        return io.kaiyuan.app.mcp.ToolLoop.run(q -> ContextWindow.answer(model, q, listener, cancel, completion::trimmed),
                request, List.copyOf(tools.keySet()), tools,
                (server, call) -> !ask.getOrDefault(server, true) || completion.allowToolCall(server, call),
                (round, server, call, r) -> completion.toolCalled(round, server, call, r.text(), r.error(), r.millis()),
                cancel).last();
    }

    /** The server's connection, opened on first use and kept. */
    private io.kaiyuan.app.mcp.McpConnection connection(io.kaiyuan.engine.mcp.McpServers.Server server) throws java.io.IOException {
        synchronized (connections) {
            io.kaiyuan.app.mcp.McpConnection c = connections.get(server);
            if (c != null) {
                return c;
            }
        }
        io.kaiyuan.app.mcp.McpConnection opened = io.kaiyuan.app.mcp.McpConnection.open(server, MCP_TIMEOUT);
        synchronized (connections) {
            io.kaiyuan.app.mcp.McpConnection raced = connections.putIfAbsent(server, opened);
            if (raced != null) {
                opened.close();
                return raced;
            }
        }
        return opened;
    }

    /** Closes the connections of servers no longer in the list (removed or changed in Settings). */
    public void retainMcpServers() {
        io.kaiyuan.engine.mcp.McpServers servers = mcp;
        List<io.kaiyuan.engine.mcp.McpServers.Server> kept = servers == null ? List.of() : servers.list();
        List<io.kaiyuan.app.mcp.McpConnection> stale = new java.util.ArrayList<>();
        synchronized (connections) {
            connections.entrySet().removeIf(e -> {
                if (!kept.contains(e.getKey())) {
                    stale.add(e.getValue());
                    return true;
                }
                return false;
            });
        }
        stale.forEach(io.kaiyuan.app.mcp.McpConnection::close);
    }

    private void forget(io.kaiyuan.engine.mcp.McpServers.Server server) {
        io.kaiyuan.app.mcp.McpConnection c;
        synchronized (connections) {
            c = connections.remove(server);
        }
        if (c != null) {
            c.close();
        }
    }

    @Override
    public Optional<String> activeProvider() {
        return Optional.ofNullable(activeProvider);
    }

    @Override
    public void preload(String modelId, LoadListener listener, CancellationToken cancel) {
        if (Endpoint.isRemote(modelId)) {
            listener.loaded(); // nothing to load here
            return;
        }
        generation.execute(() -> {
            try {
                ModelHost.await(host.submit(key(modelId), Integer.MAX_VALUE, () -> { }, listener::loading, cancel, hosted -> {
                    activeProvider = hosted.model().provider().cliName();
                    return hosted;
                }));
                listener.loaded();
            } catch (java.util.concurrent.CancellationException e) {
                LOG.info("loading {} was cancelled", modelId);
                listener.cancelled();
            } catch (RuntimeException e) {
                LOG.warn("loading {} failed", modelId, e);
                listener.failed(e);
            }
        });
    }

    /** The answer of a turn stopped before its model had loaded. */
    private static GenerationResult stoppedWhileLoading() {
        return new GenerationResult(List.of(), List.of(), "", "", "", false, io.kaiyuan.engine.api.FinishReason.CANCELLED,
                new io.kaiyuan.engine.api.GenerationMetrics(0, 0, 0, 0, 0, 0, 0, 0));
    }

    /** The host's key of an installed model, loaded with the chat's threads. */
    private ModelHost.Key key(String modelId) {
        ModelRegistry.InstalledModel installed = registry.find(modelId).orElseThrow(() ->
                new IllegalArgumentException(modelId + " is not installed any more: pick another model."));
        return host.key(installed.dir(), new LanguageModel.LoadOptions(Optional.empty(), ExecutionProvider.AUTO, threads));
    }

    @Override
    public void close() {
        synchronized (this) {
            if (counting != null) {
                counting.close();
                counting = null;
            }
        }
        generation.shutdown();
        remoteThread.shutdownNow();
        synchronized (connections) {
            connections.values().forEach(io.kaiyuan.app.mcp.McpConnection::close);
            connections.clear();
        }
        if (ownsHost) {
            host.close();
        }
    }
}
