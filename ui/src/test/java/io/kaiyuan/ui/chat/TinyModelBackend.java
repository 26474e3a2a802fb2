package io.kaiyuan.ui.chat;

import io.kaiyuan.engine.api.CancellationToken;
import io.kaiyuan.engine.api.ChatMessage;
import io.kaiyuan.engine.api.ExecutionProvider;
import io.kaiyuan.engine.api.GenerationRequest;
import io.kaiyuan.engine.api.SamplingOverrides;
import io.kaiyuan.engine.api.TokenListener;
import io.kaiyuan.engine.generate.ContextWindow;
import io.kaiyuan.engine.generate.LanguageModel;
import io.kaiyuan.engine.model.ModelFolder;
import io.kaiyuan.engine.template.ChatTemplates;
import io.kaiyuan.engine.ort.OrtRuntime;
import io.kaiyuan.engine.testing.TestModels;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executor;

/** A chat backend on a real tiny model (built by the tests), running on the given executor. */
final class TinyModelBackend implements ChatBackend, AutoCloseable {
    final List<List<ChatMessage>> requests = new ArrayList<>();
    final List<Map<String, Object>> variables = new ArrayList<>();
    final List<SamplingOverrides> samplings = new ArrayList<>();
    final List<io.kaiyuan.engine.api.ResponseFormat> formats = new ArrayList<>();
    private final LanguageModel model;
    private final Path dir;
    private final Executor executor;
    private final int maxNewTokens;

    TinyModelBackend(Path dir, Executor executor, int maxNewTokens) throws Exception {
        this(dir, executor, maxNewTokens, null);
    }

    /** With {@code chatTemplate} (when not null) as the model's chat_template.jinja. */
    TinyModelBackend(Path dir, Executor executor, int maxNewTokens, String chatTemplate) throws Exception {
        this(dir, executor, maxNewTokens, chatTemplate, 4096);
    }

    /** A model that reads at most {@code maxPositions} tokens. */
    TinyModelBackend(Path dir, Executor executor, int maxNewTokens, String chatTemplate, int maxPositions) throws Exception {
        this.dir = TestModels.withTokenizer(TestModels.chatSized().maxPositions(maxPositions), dir);
        if (chatTemplate != null) {
            java.nio.file.Files.writeString(this.dir.resolve("chat_template.jinja"), chatTemplate);
        }
        this.model = LanguageModel.load(new OrtRuntime(), this.dir,
                new LanguageModel.LoadOptions(Optional.empty(), ExecutionProvider.CPU, 1));
        this.executor = executor;
        this.maxNewTokens = maxNewTokens;
    }

    @Override
    public List<String> installedModels() {
        return List.of("tiny/qwen");
    }

    @Override
    public java.util.OptionalInt contextWindow(String modelId) {
        return java.util.OptionalInt.of(model.contextLimit());
    }

    @Override
    public Optional<io.kaiyuan.engine.api.SamplingParams> samplingDefaults(String modelId) {
        return Optional.of(model.folder().generation().sampling());
    }

    @Override
    public boolean hasThinkingSwitch(String modelId) {
        return ChatTemplates.hasThinkingSwitch(ModelFolder.open(dir));
    }

    @Override
    public void answer(String modelId, List<ChatMessage> conversation, Map<String, Object> vars, SamplingOverrides sampling,
            TokenListener listener, CancellationToken cancel, Completion completion) {
        answer(modelId, conversation, vars, sampling, io.kaiyuan.engine.api.ResponseFormat.TEXT, listener, cancel, completion);
    }

    @Override
    public void answer(String modelId, List<ChatMessage> conversation, Map<String, Object> vars, SamplingOverrides sampling,
            io.kaiyuan.engine.api.ResponseFormat format, TokenListener listener, CancellationToken cancel,
            Completion completion) {
        formats.add(format);
        requests.add(List.copyOf(conversation));
        variables.add(Map.copyOf(vars));
        samplings.add(sampling);
        executor.execute(() -> {
            if (!modelId.equals("tiny/qwen")) {
                completion.failed(modelId + " is not installed");
                return;
            }
            completion.finished(ContextWindow.answer(model, new GenerationRequest(new GenerationRequest.Prompt.Chat(conversation, vars),
                    sampling, maxNewTokens, List.of(), true).withFormat(format), listener, cancel, completion::trimmed));
        });
    }

    @Override
    public void close() {
        model.close();
    }
}
