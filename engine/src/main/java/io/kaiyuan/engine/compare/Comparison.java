package io.kaiyuan.engine.compare;

import io.kaiyuan.engine.api.CancellationToken;
import io.kaiyuan.engine.api.LoadProgress;
import io.kaiyuan.engine.api.GenerationRequest;
import io.kaiyuan.engine.api.GenerationResult;
import io.kaiyuan.engine.api.SamplingOverrides;
import io.kaiyuan.engine.api.TokenListener;
import io.kaiyuan.engine.generate.LanguageModel;
import io.kaiyuan.engine.generate.MemoryProbe;
import io.kaiyuan.engine.host.ModelHost;
import io.kaiyuan.engine.model.MemoryFit;
import io.kaiyuan.engine.model.ModelFolder;
import io.kaiyuan.engine.model.ModelRegistry;
import io.kaiyuan.engine.model.Variant;
import io.kaiyuan.engine.ort.OrtRuntime;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * Runs one prompt on 2 to 4 models (or one model with other settings) and records a {@link RunCard}:
 * all at once when the memory estimate allows every model to be loaded together, otherwise one after
 * another, loading each only for its run. Load time is kept apart from generation.
 */
public final class Comparison {
    /**
     * One column: a name for it, the model folder, how to load it, and its own sampling settings over the
     * ones every column shares (none by default).
     */
    public record Column(String name, Path folder, LanguageModel.LoadOptions load, SamplingOverrides sampling,
            Optional<Remote> remote) {
        public Column {
            sampling = sampling == null ? SamplingOverrides.NONE : sampling;
            remote = remote == null ? Optional.empty() : remote;
        }

        public Column(String name, Path folder, LanguageModel.LoadOptions load, SamplingOverrides sampling) {
            this(name, folder, load, sampling, Optional.empty());
        }

        public Column(String name, Path folder, LanguageModel.LoadOptions load) {
            this(name, folder, load, SamplingOverrides.NONE);
        }

        /** A column answered by a remote OpenAI-compatible endpoint: nothing is loaded here. */
        public static Column remote(String name, Remote remote, SamplingOverrides sampling) {
            return new Column(name, null, LanguageModel.LoadOptions.DEFAULT, sampling, Optional.of(remote));
        }

        /** The request this column runs: its own sampling settings where set, the shared ones elsewhere. */
        public GenerationRequest request(GenerationRequest shared) {
            return shared.withSampling(sampling.orElse(shared.sampling()));
        }
    }

    /** A model answering on another machine, such as a remote OpenAI-compatible endpoint's. */
    public interface Remote {
        /** Streams the answer to {@code request} on the calling thread. */
        GenerationResult chat(GenerationRequest request, TokenListener listener, CancellationToken cancel);

        /** Where it runs, for the run card (the endpoint's base URL). */
        String location();
    }

    /**
     * Where a column's files came from: the hub repository and revision, and the folder of the install
     * manifest that holds the files' sha256 as verified at download; {@link #UNKNOWN} for a plain folder,
     * whose graph is then hashed.
     */
    public record Origin(String repo, String revision, Optional<Path> manifestDir) {
        public static final Origin UNKNOWN = new Origin("", "", Optional.empty());

        /** From the install manifest in {@code manifestDir}; {@link #UNKNOWN} when there is none. */
        public static Origin installedAt(Path manifestDir) {
            return ModelRegistry.installedAt(manifestDir)
                    .map(m -> new Origin(m.repo(), m.commit(), Optional.of(manifestDir))).orElse(UNKNOWN);
        }
    }

    /** How the columns run, and why. */
    /**
     * How the columns run and why.
     *
     * @param reason the reason in English, for the command line and run cards
     * @param localModels the columns that run on this machine; -1 when not known (an older run card)
     * @param neededBytes the memory they need together; -1 when not known
     * @param availableBytes the memory available when planned; -1 when not known
     */
    public record Schedule(boolean parallel, String reason, int localModels, long neededBytes, long availableBytes) {
        /** A schedule known only by its decision and reason (run cards from before the figures were kept). */
        public Schedule(boolean parallel, String reason) {
            this(parallel, reason, -1, -1, -1);
        }
    }

    /** Hears each column's text as it streams and its result; called on the column's thread. */
    public interface Listener {
        default TokenListener tokens(int column) {
            return TokenListener.NONE;
        }

        default void finished(int column, RunCard.ColumnRun run) {
        }

        /** Stops one column alone (the run's own token stops them all); none by default. */
        default CancellationToken cancel(int column) {
            return new CancellationToken();
        }
    }

    private Comparison() {}

    /** Tokens allowed for the prompt when planning, as its length is known only once a tokenizer has run. */
    public static final int PROMPT_ALLOWANCE = 1024;

    /** {@link #plan(List, int, long)} for a request: the prompt allowance plus its token budget. */
    public static Schedule plan(List<Column> columns, GenerationRequest request, long availableBytes) {
        int tokens = (int) Math.min(Integer.MAX_VALUE, (long) PROMPT_ALLOWANCE + request.maxNewTokens());
        return plan(columns, tokens, availableBytes);
    }

    /**
     * Whether all columns fit in memory together: the sum of their weights and KV caches (at the prompt
     * plus {@code maxNewTokens}) and working memory against {@code availableBytes}.
     */
    public static Schedule plan(List<Column> columns, int tokens, long availableBytes) {
        long need = 0;
        for (Column c : columns.stream().filter(c -> c.remote().isEmpty()).toList()) {
            ModelFolder folder = ModelFolder.open(c.folder());
            Variant v = folder.chooseVariant(c.load().variant(), false);
            need += folder.memoryEstimate(v, tokens, availableBytes).neededBytes();
        }
        boolean parallel = need <= availableBytes * 0.7;
        int local = (int) columns.stream().filter(c -> c.remote().isEmpty()).count();
        String how = parallel ? "all at once" : "one after another";
        String reason = local == 0 ? how + ": every column runs on a remote endpoint"
                : String.format(java.util.Locale.ROOT, "%s: %s about %.2f GB%s and %.2f GB %s available", how,
                        local == 1 ? "the local model needs" : "the " + local + " local models need", need / 1e9,
                        local == 1 ? "" : " together", availableBytes / 1e9, "are");
        return new Schedule(parallel, reason, local, need, availableBytes);
    }

    /** {@link #run(ModelHost, List, GenerationRequest, Schedule, Listener, CancellationToken, Function)} on a host of its own. */
    public static RunCard run(OrtRuntime runtime, List<Column> columns, GenerationRequest request, Schedule schedule,
            Listener listener, CancellationToken cancel, Function<Column, Origin> origin) {
        try (ModelHost host = ModelHost.forThisMachine(runtime)) {
            return run(host, columns, request, schedule, listener, cancel, origin);
        }
    }

    /**
     * Runs {@code request} on every column and returns the run card. {@code origin} says where a column's
     * files came from (repository, revision, the manifest with their sha256); for a plain folder the graph
     * file is hashed. Each model runs on {@code host}'s thread for it; a model two columns share (the same model
     * with other sampling) is loaded once and runs their requests one after the other.
     *
     * <p>All at once: the models are loaded one by one (so each load's memory is measured on its own and
     * no column gets a head start), then generate together, and those it loaded are closed at the end. One after
     * another: each is loaded and run before the next, and closed after its run unless a later column needs it. A
     * model that was loaded before (the chat's, say) stays loaded either way.
     */
    public static RunCard run(ModelHost host, List<Column> columns, GenerationRequest request, Schedule schedule,
            Listener listener, CancellationToken cancel, Function<Column, Origin> origin) {
        if (columns.size() < 2 || columns.size() > 4) {
            throw new IllegalArgumentException("A comparison has 2 to 4 columns, not " + columns.size() + ".");
        }
        List<ModelHost.Key> keys = new ArrayList<>();
        for (Column c : columns) {
            keys.add(c.remote().isPresent() ? null : host.key(c.folder(), c.load()));
        }
        List<RunCard.ColumnRun> runs = new ArrayList<>();
        if (schedule.parallel()) {
            // the models nobody had loaded are closed after the run, as they would be without the host
            List<ModelHost.Key> loadedHere = new ArrayList<>();
            try {
                runTogether(host, columns, keys, loadedHere, request, listener, cancel, origin, runs);
            } finally {
                loadedHere.forEach(host::unload);
            }
        } else {
            java.util.Set<ModelHost.Key> loadedHere = new java.util.HashSet<>();
            for (int i = 0; i < columns.size(); i++) {
                int index = i;
                ModelHost.Key key = keys.get(i);
                try (PeakMemory peak = new PeakMemory()) {
                    if (key == null) {
                        runs.add(generate(null, columns.get(i), i, request, listener, cancel, origin, peak));
                        continue;
                    }
                    if (!host.isLoaded(key)) {
                        loadedHere.add(key);
                    }
                    try {
                        runs.add(ModelHost.await(host.submit(key, Integer.MAX_VALUE, () -> { }, LoadProgress.NONE, cancel,
                                hosted -> generate(hosted, columns.get(index), index, request, listener, cancel, origin, peak))));
                    } finally {
                        if (loadedHere.contains(key) && !keys.subList(i + 1, keys.size()).contains(key)) {
                            host.unload(key);
                        }
                    }
                }
            }
        }
        return new RunCard(Instant.now().toString(), host.runtime().environment().getVersion(), request, schedule, runs);
    }

    /** All at once: each model loaded in turn (its load measured alone), then every column generates. */
    private static void runTogether(ModelHost host, List<Column> columns, List<ModelHost.Key> keys,
            List<ModelHost.Key> loadedHere, GenerationRequest request, Listener listener, CancellationToken cancel,
            Function<Column, Origin> origin, List<RunCard.ColumnRun> runs) {
        for (ModelHost.Key key : new java.util.LinkedHashSet<>(keys)) {
            if (key != null) {
                if (!host.isLoaded(key)) {
                    loadedHere.add(key);
                }
                // Stop ends a load between its steps (the run then fails with a CancellationException)
                ModelHost.await(host.submit(key, Integer.MAX_VALUE, () -> { }, LoadProgress.NONE, cancel, hosted -> hosted));
            }
        }
        ExecutorService remotes = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "kaiyuan-compare-remote");
            t.setDaemon(true);
            return t;
        });
        try (PeakMemory peak = new PeakMemory()) {
            List<CompletableFuture<RunCard.ColumnRun>> futures = new ArrayList<>();
            for (int i = 0; i < columns.size(); i++) {
                int index = i;
                futures.add(keys.get(i) == null
                        ? CompletableFuture.supplyAsync(() -> generate(null, columns.get(index), index, request,
                                listener, cancel, origin, peak), remotes)
                        : host.submit(keys.get(i), Integer.MAX_VALUE, () -> { }, LoadProgress.NONE, cancel,
                                hosted -> generate(hosted, columns.get(index), index, request, listener, cancel, origin, peak)));
            }
            for (CompletableFuture<RunCard.ColumnRun> f : futures) {
                runs.add(ModelHost.await(f));
            }
        } finally {
            remotes.shutdownNow();
        }
    }

    /** Runs one column: on its model's thread ({@code hosted}), or for a remote column (null) on the caller's. */
    private static RunCard.ColumnRun generate(ModelHost.Hosted hosted, Column column, int index, GenerationRequest shared,
            Listener listener, CancellationToken cancel, Function<Column, Origin> origin, PeakMemory peak) {
        // This column stops when the whole run or the column alone is stopped.
        CancellationToken columnCancel = new CancellationToken();
        LanguageModel model = hosted == null ? null : hosted.model();
        GenerationRequest request = column.request(shared);
        try (CancellationToken.Registration all = cancel.onCancel(columnCancel::cancel);
                CancellationToken.Registration one = listener.cancel(index).onCancel(columnCancel::cancel)) {
            if (column.remote().isPresent()) {
                Remote remote = column.remote().get();
                GenerationResult result = remote.chat(request, listener.tokens(index), columnCancel);
                // The tokenizer is on the other machine: the text's cost in tokens is not known here (the
                // endpoint's prompt count includes its chat template).
                RunCard.ColumnRun run = new RunCard.ColumnRun(column.name(), remote.location(), "", "remote", "remote",
                        request.sampling(), "", "", -1, 0, -1, peak.peak(), result);
                listener.finished(index, run);
                return run;
            }
            String promptText = promptText(request);
            double perThousand = promptText.isEmpty() ? 0
                    : model.tokenizer().encode(promptText).length * 1000.0 / promptText.length();
            GenerationResult result = model.generate(request, listener.tokens(index), columnCancel);
            ModelFolder folder = model.folder();
            Origin from = origin.apply(column);
            String graphPath = folder.dir().relativize(folder.graphFile(model.variant())).toString().replace('\\', '/');
            String sha = from.manifestDir().flatMap(d -> ModelRegistry.manifestSha256(d, graphPath))
                    .orElseGet(() -> sha256(folder.graphFile(model.variant())));
            RunCard.ColumnRun run = new RunCard.ColumnRun(column.name(), from.repo(), from.revision(), model.variant().cliName(),
                    model.provider().cliName(), request.sampling(), sha, templateSha256(model), perThousand, model.loadMs(), hosted.residentAdded(),
                    peak.peak(), result);
            listener.finished(index, run);
            return run;
        }
    }

    /** The user's text of the request: the messages' contents, or the raw prompt. */
    static String promptText(GenerationRequest request) {
        if (request.prompt() instanceof GenerationRequest.Prompt.Chat chat) {
            StringBuilder sb = new StringBuilder();
            chat.messages().forEach(m -> sb.append(m.content() == null ? "" : m.content()));
            return sb.toString();
        }
        if (request.prompt() instanceof GenerationRequest.Prompt.Raw raw) {
            return raw.text();
        }
        return "";
    }

    private static String templateSha256(LanguageModel model) {
        Path jinja = model.folder().dir().resolve("chat_template.jinja");
        String template = Files.isRegularFile(jinja) ? read(jinja)
                : model.folder().tokenizerConfig().path("chat_template").toString();
        return sha256(template.getBytes(StandardCharsets.UTF_8));
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static String sha256(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            byte[] buffer = new byte[1 << 20];
            for (int n; (n = in.read(buffer)) > 0; ) {
                digest.update(buffer, 0, n);
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The process's peak resident memory while it is open, sampled every 20 ms (Linux; -1 elsewhere). */
    private static final class PeakMemory implements AutoCloseable {
        private final AtomicLong peak = new AtomicLong(MemoryProbe.resident().orElse(-1));
        private final Thread sampler;

        PeakMemory() {
            sampler = new Thread(() -> {
                while (!Thread.currentThread().isInterrupted()) {
                    MemoryProbe.resident().ifPresent(r -> peak.accumulateAndGet(r, Math::max));
                    try {
                        Thread.sleep(20);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "kaiyuan-memory-sampler");
            sampler.setDaemon(true);
            sampler.start();
        }

        long peak() {
            MemoryProbe.resident().ifPresent(r -> peak.accumulateAndGet(r, Math::max));
            return peak.get();
        }

        @Override
        public void close() {
            sampler.interrupt();
        }
    }
}
