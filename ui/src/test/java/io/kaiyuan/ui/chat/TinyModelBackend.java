package io.kaiyuan.ui.chat;

import io.kaiyuan.engine.api.CancellationToken;
import io.kaiyuan.engine.api.ChatMessage;
import io.kaiyuan.engine.api.ExecutionProvider;
import io.kaiyuan.engine.api.GenerationRequest;
import io.kaiyuan.engine.api.SamplingOverrides;
import io.kaiyuan.engine.api.TokenListener;
import io.kaiyuan.engine.generate.LanguageModel;
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
    private final LanguageModel model;
    private final Executor executor;
    private final int maxNewTokens;

    TinyModelBackend(Path dir, Executor executor, int maxNewTokens) throws Exception {
        this.model = LanguageModel.load(new OrtRuntime(), TestModels.withTokenizer(TestModels.chatSized(), dir),
                new LanguageModel.LoadOptions(Optional.empty(), ExecutionProvider.CPU, 1));
        this.executor = executor;
        this.maxNewTokens = maxNewTokens;
    }

    @Override
    public List<String> installedModels() {
        return List.of("tiny/qwen");
    }

    @Override
    public void answer(String modelId, List<ChatMessage> conversation, Map<String, Object> vars, TokenListener listener,
            CancellationToken cancel, Completion completion) {
        requests.add(List.copyOf(conversation));
        executor.execute(() -> {
            if (!modelId.equals("tiny/qwen")) {
                completion.failed(modelId + " is not installed");
                return;
            }
            completion.finished(model.generate(new GenerationRequest(new GenerationRequest.Prompt.Chat(conversation, vars),
                    SamplingOverrides.NONE, maxNewTokens, List.of(), true), listener, cancel));
        });
    }

    @Override
    public void close() {
        model.close();
    }
}
