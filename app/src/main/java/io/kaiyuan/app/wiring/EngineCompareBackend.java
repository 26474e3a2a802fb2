package io.kaiyuan.app.wiring;

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
import io.kaiyuan.engine.host.ModelHost;
import io.kaiyuan.engine.model.MemoryFit;
import io.kaiyuan.engine.model.ModelFolder;
import io.kaiyuan.engine.model.ModelRegistry;
import io.kaiyuan.engine.model.Variant;
import io.kaiyuan.engine.ort.OrtRuntime;
import io.kaiyuan.engine.remote.Endpoint;
import io.kaiyuan.engine.remote.RemoteEndpoints;
import io.kaiyuan.ui.compare.CompareBackend;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs comparisons for the desktop app on installed models, one at a time on a named thread, the models on the app's
 * {@link ModelHost} (a model the chat has loaded is not loaded again); votes go to the app's database.
 */
public final class EngineCompareBackend implements CompareBackend, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EngineCompareBackend.class);
    private final ModelRegistry registry;
    private final ChatStore store;
    private final VoteStore votes;
    private final ModelHost host;
    private final boolean ownsHost;
    private final java.util.function.IntSupplier threads;
    private final ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "kaiyuan-compare");
        t.setDaemon(true);
        return t;
    });

    private final RemoteEndpoints remotes;

    /** Comparisons on a model host of their own, closed with this; {@code store}, {@code votes}: see below. */
    public EngineCompareBackend(ModelRegistry registry, ChatStore store, VoteStore votes) {
        this(ModelHost.forThisMachine(new OrtRuntime()), true, () -> 0, registry, store, votes, null);
    }

    /**
     * @param host where the models load and run (left open when this closes)
     * @param threads the CPU threads the Settings page chose (0: ONNX Runtime's choice)
     * @param store the conversations a comparison can start from; null when the app has no chat history
     * @param votes where votes are kept; null when their file could not be opened (votes are then refused)
     * @param remotes remote endpoints whose models can be columns too; null for none
     */
    public EngineCompareBackend(ModelHost host, java.util.function.IntSupplier threads, ModelRegistry registry,
            ChatStore store, VoteStore votes, RemoteEndpoints remotes) {
        this(host, false, threads, registry, store, votes, remotes);
    }

    private EngineCompareBackend(ModelHost host, boolean ownsHost, java.util.function.IntSupplier threads,
            ModelRegistry registry, ChatStore store, VoteStore votes, RemoteEndpoints remotes) {
        this.host = host;
        this.ownsHost = ownsHost;
        this.threads = threads;
        this.registry = registry;
        this.store = store;
        this.votes = votes;
        this.remotes = remotes;
    }

    @Override
    public List<String> installedModels() {
        List<String> ids = new ArrayList<>(registry.list().stream().map(ModelRegistry.InstalledModel::id).toList());
        if (remotes != null) {
            ids.addAll(remotes.modelIds());
        }
        return ids;
    }

    @Override
    public List<Variant> variants(String modelId) {
        if (Endpoint.isRemote(modelId)) {
            return List.of();
        }
        return registry.find(modelId).map(m -> ModelFolder.open(m.dir()).variants()).orElse(List.of());
    }

    @Override
    public List<ExecutionProvider> providers() {
        return List.copyOf(host.runtime().availableProviders());
    }

    @Override
    public List<Conversation> conversations() throws IOException {
        return store == null ? List.of() : store.list();
    }

    @Override
    public List<ChatMessage> conversation(long id) throws IOException {
        if (store == null) {
            throw new IOException("Conversations need the app's database, which could not be opened.");
        }
        return store.chatMessages(id);
    }

    @Override
    public void run(List<Choice> choices, GenerationRequest request, Comparison.Listener listener,
            Consumer<Comparison.Schedule> schedule, CancellationToken cancel, Done done) {
        worker.execute(() -> {
            try {
                List<Comparison.Column> columns = new ArrayList<>();
                for (Choice choice : choices) {
                    String id = choice.modelId();
                    if (Endpoint.isRemote(id)) {
                        Comparison.Remote remote = (remotes == null ? java.util.Optional.<Comparison.Remote>empty()
                                : remotes.column(id)).orElseThrow(() -> new IllegalArgumentException(id
                                + " is not served by any remote endpoint in Settings: add the endpoint again or pick another model."));
                        columns.add(Comparison.Column.remote(id, remote, choice.sampling()));
                        continue;
                    }
                    ModelRegistry.InstalledModel m = registry.find(id).orElseThrow(() ->
                            new IllegalArgumentException(id + " is not installed: install it or pick another model."));
                    columns.add(new Comparison.Column(id, m.dir(), new LanguageModel.LoadOptions(choice.variant(),
                            choice.provider(), threads.getAsInt()), choice.sampling()));
                }
                Comparison.Schedule plan = Comparison.plan(columns, request, MemoryFit.availableMemory());
                schedule.accept(plan);
                done.finished(Comparison.run(host, columns, request, plan, listener, cancel, c -> Comparison.Origin.installedAt(
                        registry.modelsDir().resolve(ModelRegistry.folderName(c.name())))));
            } catch (java.util.concurrent.CancellationException e) {
                LOG.info("comparison stopped while a model loaded");
                done.failed(e);
            } catch (RuntimeException e) {
                LOG.warn("comparison failed", e);
                done.failed(e);
            }
        });
    }

    @Override
    public void vote(List<Vote> votes) throws IOException {
        if (this.votes == null) {
            throw new IOException("Votes need their file, which could not be opened.");
        }
        this.votes.addVotes(votes);
    }

    @Override
    public List<Vote> votes() throws IOException {
        return votes == null ? List.of() : votes.votes();
    }

    @Override
    public void close() {
        worker.shutdownNow();
        if (ownsHost) {
            host.close();
        }
    }
}
