package io.kaiyuan.ui.compare;

import io.kaiyuan.engine.api.CancellationToken;
import io.kaiyuan.engine.api.ChatMessage;
import io.kaiyuan.engine.api.ExecutionProvider;
import io.kaiyuan.engine.api.GenerationRequest;
import io.kaiyuan.engine.chat.ChatStore;
import io.kaiyuan.engine.chat.Conversation;
import io.kaiyuan.engine.compare.Comparison;
import io.kaiyuan.engine.compare.Vote;
import io.kaiyuan.engine.compare.VoteStore;
import io.kaiyuan.engine.generate.LanguageModel;
import io.kaiyuan.engine.model.ModelFolder;
import io.kaiyuan.engine.model.Variant;
import io.kaiyuan.engine.ort.OrtRuntime;
import io.kaiyuan.engine.testing.TestModels;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;

/** Comparisons of two real tiny models ("tiny/a", "tiny/b") on one thread; votes and conversations in real SQLite files. */
public final class TinyCompareBackend implements CompareBackend, AutoCloseable {
    private final Map<String, Path> models = new LinkedHashMap<>();
    private final ChatStore store;
    private final VoteStore votes;
    private final ExecutorService worker = Executors.newSingleThreadExecutor();

    public TinyCompareBackend(Path dir) throws Exception {
        models.put("tiny/a", TestModels.withTokenizer(TestModels.chatSized(), dir.resolve("a")));
        models.put("tiny/b", TestModels.withTokenizer(TestModels.chatSized().seed(11), dir.resolve("b")));
        store = ChatStore.open(dir.resolve("chats.db"));
        votes = VoteStore.open(dir.resolve("votes.db"));
    }

    @Override
    public List<String> installedModels() {
        return List.copyOf(models.keySet());
    }

    @Override
    public List<Variant> variants(String modelId) {
        Path folder = models.get(modelId);
        return folder == null ? List.of() : ModelFolder.open(folder).variants();
    }

    @Override
    public List<ExecutionProvider> providers() {
        return List.of(ExecutionProvider.CPU);
    }

    @Override
    public List<Conversation> conversations() throws Exception {
        return store.list();
    }

    @Override
    public List<ChatMessage> conversation(long id) throws Exception {
        return store.chatMessages(id);
    }

    /** The chat history, to put conversations in. */
    ChatStore store() {
        return store;
    }

    @Override
    public void run(List<Choice> choices, GenerationRequest request, Comparison.Listener listener,
            Consumer<Comparison.Schedule> schedule, CancellationToken cancel, Done done) {
        worker.execute(() -> {
            try {
                List<Comparison.Column> columns = new ArrayList<>();
                for (Choice choice : choices) {
                    Path folder = models.get(choice.modelId());
                    if (folder == null) {
                        throw new IllegalArgumentException(choice.modelId() + " is not installed: install it or pick another model.");
                    }
                    columns.add(new Comparison.Column(choice.modelId(), folder,
                            new LanguageModel.LoadOptions(choice.variant(), choice.provider() == ExecutionProvider.AUTO
                                    ? ExecutionProvider.CPU : choice.provider(), 1), choice.sampling()));
                }
                Comparison.Schedule plan = Comparison.plan(columns, 1024, 16L << 30);
                schedule.accept(plan);
                done.finished(Comparison.run(new OrtRuntime(), columns, request, plan, listener, cancel, c -> Comparison.Origin.UNKNOWN));
            } catch (RuntimeException e) {
                done.failed(e.getMessage());
            }
        });
    }

    @Override
    public void vote(List<Vote> votes) throws Exception {
        this.votes.addVotes(votes);
    }

    @Override
    public List<Vote> votes() throws Exception {
        return votes.votes();
    }

    @Override
    public void close() {
        worker.shutdownNow();
        store.close();
        votes.close();
    }
}
