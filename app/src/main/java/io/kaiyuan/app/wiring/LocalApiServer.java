package io.kaiyuan.app.wiring;

import io.kaiyuan.engine.api.ExecutionProvider;
import io.kaiyuan.engine.generate.LanguageModel;
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
 * The desktop app's OpenAI-compatible server over the installed models, switched from Settings. It has its
 * own models, so it never unloads the one the chat page uses. Its API key lives in the key file.
 */
public final class LocalApiServer implements ApiServerControl, AutoCloseable {
    /** The key file entry of the server's API key. */
    static final String KEY_NAME = "local-server";

    private final ModelRegistry registry;
    private final Secrets secrets;
    private final IntSupplier threads;
    private OpenAiServer server;

    /** @param threads the CPU threads the Settings page chose (0: ONNX Runtime's choice) */
    public LocalApiServer(ModelRegistry registry, Secrets secrets, IntSupplier threads) {
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
        ModelPool pool = ModelPool.installed(new OrtRuntime(), registry,
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
    }
}
