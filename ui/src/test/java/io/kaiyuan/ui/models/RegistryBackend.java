package io.kaiyuan.ui.models;

import io.kaiyuan.engine.api.CancellationToken;
import io.kaiyuan.engine.api.ChatMessage;
import io.kaiyuan.engine.api.ExecutionProvider;
import io.kaiyuan.engine.api.GenerationRequest;
import io.kaiyuan.engine.api.SamplingOverrides;
import io.kaiyuan.engine.api.TokenListener;
import io.kaiyuan.engine.generate.ContextWindow;
import io.kaiyuan.engine.generate.LanguageModel;
import io.kaiyuan.engine.model.ModelRegistry;
import io.kaiyuan.engine.ort.OrtRuntime;
import io.kaiyuan.ui.chat.ChatBackend;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/** A chat backend over the models installed in a registry, loading each on one generation thread. */
final class RegistryBackend implements ChatBackend, AutoCloseable {
    private final ModelRegistry registry;
    private final ExecutorService generation = Executors.newSingleThreadExecutor();
    private final Map<String, LanguageModel> loaded = new HashMap<>();

    RegistryBackend(ModelRegistry registry) {
        this.registry = registry;
    }

    @Override
    public List<String> installedModels() {
        return registry.list().stream().map(ModelRegistry.InstalledModel::id).toList();
    }

    private volatile String provider;

    @Override
    public Optional<String> activeProvider() {
        return Optional.ofNullable(provider);
    }

    @Override
    public void answer(String modelId, List<ChatMessage> conversation, Map<String, Object> vars, SamplingOverrides sampling,
            TokenListener listener, CancellationToken cancel, Completion completion) {
        generation.execute(() -> {
            try {
                LanguageModel model = loaded.computeIfAbsent(modelId, id -> LanguageModel.load(new OrtRuntime(),
                        registry.find(id).orElseThrow().dir(), new LanguageModel.LoadOptions(Optional.empty(), ExecutionProvider.CPU, 1)));
                provider = model.provider().cliName();
                completion.finished(ContextWindow.answer(model, new GenerationRequest(new GenerationRequest.Prompt.Chat(conversation, vars),
                    sampling, 20, List.of(), true), listener, cancel, completion::trimmed));
            } catch (RuntimeException e) {
                completion.failed(e.getMessage());
            }
        });
    }

    @Override
    public void close() {
        generation.submit(() -> loaded.values().forEach(LanguageModel::close));
        generation.shutdown();
    }
}
