package io.kaiyuan.app.wiring;

import io.kaiyuan.engine.api.ExecutionProvider;
import io.kaiyuan.engine.generate.LanguageModel;
import io.kaiyuan.engine.host.ModelHost;
import io.kaiyuan.engine.model.ModelRegistry;
import io.kaiyuan.engine.ort.OrtRuntime;
import io.kaiyuan.engine.remote.Secrets;
import io.kaiyuan.engine.server.ModelPool;
import io.kaiyuan.engine.server.OpenAiServer;
import io.kaiyuan.engine.server.ServerConfig;
import io.kaiyuan.ui.settings.ApiServerControl;
import java.io.IOException;
import java.net.BindException;
import java.util.Optional;
import java.util.function.IntSupplier;

/**
 * The desktop app's OpenAI-compatible server over the installed models, switched from Settings. Its models load
 * and run on the app's {@link ModelHost}: a model the chat has loaded answers the server too, and is never closed
 * while either uses it. Its API key lives in the key file.
 */
public final class LocalApiServer implements ApiServerControl, AutoCloseable {
    /** The key file entry of the server's API key. */
    static final String KEY_NAME = "local-server";

    private final ModelHost host;
    private final boolean ownsHost;
    private final ModelRegistry registry;
    private final Secrets secrets;
    private final IntSupplier threads;
    private OpenAiServer server;

    /** A server on a model host of its own, closed with this; {@code threads}: see below. */
    public LocalApiServer(ModelRegistry registry, Secrets secrets, IntSupplier threads) {
        this(ModelHost.forThisMachine(new OrtRuntime()), true, registry, secrets, threads);
    }

    /**
     * @param host where the models load and run (left open when this closes)
     * @param threads the CPU threads the Settings page chose (0: ONNX Runtime's choice)
     */
    public LocalApiServer(ModelHost host, ModelRegistry registry, Secrets secrets, IntSupplier threads) {
        this(host, false, registry, secrets, threads);
    }

    private LocalApiServer(ModelHost host, boolean ownsHost, ModelRegistry registry, Secrets secrets, IntSupplier threads) {
        this.host = host;
        this.ownsHost = ownsHost;
        this.registry = registry;
        this.secrets = secrets;
        this.threads = threads;
    }

    @Override
    public synchronized Optional<String> apply(boolean on, int port, String apiKey) throws IOException {
        if (server != null) {
            server.close();
            server = null;
        }
        secrets.put(KEY_NAME, apiKey);
        if (!on) {
            return Optional.empty();
        }
        ModelPool pool = ModelPool.installed(host, registry,
                new LanguageModel.LoadOptions(Optional.empty(), ExecutionProvider.AUTO, threads.getAsInt()),
                ServerConfig.DEFAULT_MAX_QUEUE);
        try {
            server = OpenAiServer.start(ServerConfig.defaults().withPort(port).withApiKey(apiKey), pool);
        } catch (BindException e) {
            pool.close();
            BindException inUse = new BindException("Port " + port + " is in use, perhaps by another Kaiyuan: choose another port.");
            inUse.initCause(e);
            throw inUse;
        }
        return Optional.of(server.baseUrl());
    }

    @Override
    public String apiKey() throws IOException {
        return secrets.get(KEY_NAME).orElse("");
    }

    @Override
    public java.util.List<String> models() {
        return registry.list().stream().map(ModelRegistry.InstalledModel::id).toList();
    }

    @Override
    public synchronized void close() {
        if (server != null) {
            server.close();
            server = null;
        }
        if (ownsHost) {
            host.close();
        }
    }
}
