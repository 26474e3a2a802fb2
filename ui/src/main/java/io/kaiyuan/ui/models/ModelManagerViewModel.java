package io.kaiyuan.ui.models;

import io.kaiyuan.engine.api.CancellationToken;
import io.kaiyuan.engine.download.DownloadControl;
import io.kaiyuan.engine.download.HubException;
import io.kaiyuan.engine.download.HubSearch;
import io.kaiyuan.engine.download.HubSource;
import io.kaiyuan.engine.download.InstallProgress;
import io.kaiyuan.engine.download.Origin;
import io.kaiyuan.engine.model.CatalogEntry;
import io.kaiyuan.engine.model.MemoryFit;
import io.kaiyuan.engine.model.ModelConfig;
import io.kaiyuan.engine.model.ModelRegistry;
import io.kaiyuan.engine.model.Variant;
import io.kaiyuan.ui.common.Background;
import io.kaiyuan.ui.common.Errors;
import java.nio.file.Path;
import java.text.MessageFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.ResourceBundle;
import java.util.concurrent.Executor;
import java.util.stream.Collectors;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import javafx.collections.transformation.FilteredList;

/**
 * The model manager's state and actions, with no controls: the catalog with fit badges, search and
 * filters, downloads with progress, pause, resume and cancel, and the installed models. Properties change
 * on the FX thread ({@code fxExecutor}); disk work runs on {@code io}, each download on {@code downloads}.
 */
public final class ModelManagerViewModel {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ModelManagerViewModel.class);

    /** The context the fit badges assume. */
    public static final int FIT_CONTEXT = 4096;

    /** The catalog, the models folder, the hubs and the installer. */
    private final ModelsBackend backend;
    private final Executor fx;
    private final Executor io;
    private final Executor downloads;
    private volatile ResourceBundle messages;
    private final ObservableList<CatalogRow> rows = FXCollections.observableArrayList();
    private final FilteredList<CatalogRow> visible = new FilteredList<>(rows);
    /** Where each model stands in the last hub search's results (its id): those come first, in that order. */
    private final Map<String, Integer> hubOrder = new java.util.HashMap<>();
    private final javafx.collections.transformation.SortedList<CatalogRow> ordered = new javafx.collections.transformation
            .SortedList<>(visible, this::compareRows);
    private final ObservableList<ModelRegistry.InstalledModel> installed = FXCollections.observableArrayList();
    private final StringProperty search = new SimpleStringProperty("");
    private final ObjectProperty<String> family = new SimpleObjectProperty<>();
    private final BooleanProperty fitsOnly = new SimpleBooleanProperty(false);
    private final ObjectProperty<Long> maxBytes = new SimpleObjectProperty<>();
    private final StringProperty source = new SimpleStringProperty("huggingface");
    private final StringProperty message = new SimpleStringProperty("");
    private final ObjectProperty<CatalogRow> recommended = new SimpleObjectProperty<>();
    private final long availableMemory;
    /** A hub search in progress, and what it last said. */
    private final BooleanProperty hubSearching = new SimpleBooleanProperty(false);
    private final StringProperty hubStatus = new SimpleStringProperty("");
    private CancellationToken hubCancel = new CancellationToken();
    /** Catalog models the last hub search found: shown whatever the search text. */
    private final java.util.Set<String> hubFoundCatalogIds = new java.util.HashSet<>();
    /** Repositories a hub search looks at. */
    static final int HUB_SEARCH_LIMIT = 20;
    /** Hub searches wait on the network: their own daemon thread, never one of the page's I/O pool. */
    private static final Executor HUB_SEARCHES = java.util.concurrent.Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "kaiyuan-hub-search");
        t.setDaemon(true);
        return t;
    });
    private final StringProperty runtime = new SimpleStringProperty("");
    private Runnable onInstalledChanged = () -> { };
    private final DownloadJournal journal;
    /** Journal writes in the order they were asked for, on {@code io}. */
    private final Executor journalWrites;
    /** Reads and changes of the models folder off the FX thread, their outcome back on it. */
    private final Background background;
    /** The latest refresh: an older one's answer is not shown over it. */
    private final Background.Latest refreshes = new Background.Latest();
    private boolean journalRead;

    /**
     * @param backend what the page runs on
     * @param fx where the page's background work hands its outcome back (the FX thread)
     * @param io where disk work runs
     */
    public ModelManagerViewModel(ModelsBackend backend, Executor fx, Executor io, ResourceBundle messages) {
        this.backend = backend;
        this.journal = backend.journal().orElse(null);
        this.availableMemory = backend.availableMemory();
        this.journalWrites = new io.kaiyuan.ui.common.SerialExecutor(io);
        this.fx = fx;
        this.io = io;
        this.background = new Background(io, fx);
        this.downloads = backend.downloads();
        this.messages = messages;
        for (CatalogEntry e : backend.catalog()) {
            rows.add(new CatalogRow(e, e.fit(e.cpuVariant(), FIT_CONTEXT, availableMemory)));
        }
        recommended.set(rows.stream().filter(r -> r.fit().fit() == MemoryFit.Fit.FITS).findFirst().orElse(null));
        search.addListener((o, a, b) -> applyFilter());
        family.addListener((o, a, b) -> applyFilter());
        fitsOnly.addListener((o, a, b) -> applyFilter());
        maxBytes.addListener((o, a, b) -> applyFilter());
    }

    /** Runs after a model was installed, removed or imported (FX thread), e.g. to refresh the chat's picker. */
    public void setOnInstalledChanged(Runnable r) {
        this.onInstalledChanged = r;
    }

    /** Models the hub search found first (in its order), then the catalog's in the catalog's order. */
    private int compareRows(CatalogRow a, CatalogRow b) {
        int ra = hubOrder.getOrDefault(a.entry().id(), Integer.MAX_VALUE);
        int rb = hubOrder.getOrDefault(b.entry().id(), Integer.MAX_VALUE);
        if (ra != rb) {
            return Integer.compare(ra, rb);
        }
        return Integer.compare(rows.indexOf(a), rows.indexOf(b));
    }

    private void reorder() {
        ordered.setComparator(null);
        ordered.setComparator(this::compareRows);
    }

    private void applyFilter() {
        String q = search.get() == null ? "" : search.get().strip().toLowerCase(Locale.ROOT);
        String fam = family.get();
        boolean fits = fitsOnly.get();
        Long max = maxBytes.get();
        visible.setPredicate(r -> {
            CatalogEntry e = r.entry();
            if (fam != null && !fam.equals(e.family())) {
                return false;
            }
            if (fits && r.fit().fit() == MemoryFit.Fit.WONT_FIT) {
                return false;
            }
            if (max != null && r.fit().weightsBytes() > max) {
                return false;
            }
            if (q.isEmpty() || r.hub().isPresent() || hubFoundCatalogIds.contains(e.id())) {
                return true; // a model the hub search found stays in view
            }
            String haystack = String.join(" ", e.id(), e.name(Locale.ENGLISH), e.name(Locale.SIMPLIFIED_CHINESE), e.family(),
                    e.organisation(Locale.ENGLISH), e.organisation(Locale.SIMPLIFIED_CHINESE), e.huggingFaceRepo())
                    .toLowerCase(Locale.ROOT);
            return haystack.contains(q);
        });
    }

    /**
     * Searches the selected source for models Kaiyuan can run whose name holds the search text; each one
     * found joins the list as it is listed, with its real variants, sizes and fit, ready to download like a
     * catalog model. A catalog model it finds is shown as the catalog's. Call on the FX thread.
     */
    public void searchHub() {
        String q = search.get() == null ? "" : search.get().strip();
        if (q.isEmpty()) {
            return;
        }
        hubCancel.cancel();
        CancellationToken cancel = new CancellationToken();
        hubCancel = cancel;
        // The last search's models go, unless they are downloading or installed.
        rows.removeIf(r -> r.hub().isPresent() && (r.stateProperty().get() == CatalogRow.State.AVAILABLE
                || r.stateProperty().get() == CatalogRow.State.FAILED));
        hubFoundCatalogIds.clear();
        hubOrder.clear();
        applyFilter();
        reorder();
        String sourceName = source.get();
        String shown = sourceName(sourceName);
        List<HubSource> hubs;
        try {
            hubs = backend.hubs(sourceName);
        } catch (IllegalArgumentException e) {
            hubStatus.set(MessageFormat.format(messages.getString("models.hub.failed"), shown, e.getMessage()));
            return;
        }
        hubSearching.set(true);
        hubStatus.set(MessageFormat.format(messages.getString("models.hub.searching"), shown, q));
        background.task(() -> backend.search(hubs, q, HUB_SEARCH_LIMIT, cancel,
                hit -> fx.execute(() -> {
                    if (!cancel.isCancelled()) {
                        addHit(hit); // each hit as it is found
                    }
                }))).on(HUB_SEARCHES).onSuccess(results -> {
                    if (cancel.isCancelled()) {
                        return;
                    }
                    // Named after the source that answered: hf-mirror when Hugging Face could not be reached.
                    String answered = sourceName(results.source().name());
                    hubSearching.set(false);
                    hubStatus.set(results.hits().isEmpty()
                            ? MessageFormat.format(messages.getString("models.hub.none"), answered, q, results.skipped())
                            : MessageFormat.format(messages.getString("models.hub.found"), results.hits().size(),
                                    answered, results.skipped()));
                }).onFailure(e -> {
                    if (cancel.isCancelled()) {
                        return;
                    }
                    hubSearching.set(false);
                    hubStatus.set(MessageFormat.format(messages.getString("models.hub.failed"), shown, Errors.detail(e)));
                }).start();
    }

    /** Stops the hub search in progress; what it found stays (FX thread). */
    public void cancelHubSearch() {
        if (hubSearching.get()) {
            hubCancel.cancel();
            hubSearching.set(false);
            hubStatus.set(messages.getString("models.hub.cancelled"));
        }
    }

    private void addHit(HubSearch.Hit hit) {
        if (hit.catalogEntry().isPresent()) {
            String id = hit.catalogEntry().get().id();
            hubFoundCatalogIds.add(id);
            hubOrder.putIfAbsent(id, hubOrder.size());
            applyFilter();
            reorder();
            return;
        }
        hubOrder.putIfAbsent(hit.repo(), hubOrder.size());
        if (hit.offers().isEmpty() || rows.stream().anyMatch(r -> r.entry().id().equals(hit.repo()))) {
            return;
        }
        CatalogEntry entry = entryOf(hit.source(), hit);
        CatalogRow row = new CatalogRow(entry, entry.fit(entry.cpuVariant(), FIT_CONTEXT, availableMemory), hit.summary());
        boolean isInstalled = installed.stream().anyMatch(m -> m.id().equals(entry.id()));
        if (isInstalled) {
            row.stateProperty().set(CatalogRow.State.INSTALLED);
        }
        rows.add(row);
        reorder();
    }

    /** A model found on a hub as the page shows catalog models: its real variants, sizes, context and cache. */
    static CatalogEntry entryOf(HubSource hub, HubSearch.Hit hit) {
        String repo = hit.repo();
        String org = repo.substring(0, repo.indexOf('/'));
        String name = repo.substring(repo.indexOf('/') + 1);
        Map<Variant, List<CatalogEntry.CatalogFile>> variants = new java.util.EnumMap<>(Variant.class);
        for (HubSearch.Offer offer : hit.offers()) {
            List<CatalogEntry.CatalogFile> files = offer.files().stream().map(f -> new CatalogEntry.CatalogFile(f.path(),
                    java.util.OptionalLong.of(f.size()), f.sha256())).toList();
            // the first GenAI offer is the folder a pull takes (the CPU build first)
            offer.variants().forEach(v -> variants.putIfAbsent(v, files));
        }
        Variant cpu = Variant.CPU_PREFERENCE.stream().filter(variants::containsKey).findFirst().orElseThrow();
        Variant gpu = Variant.GPU_PREFERENCE.stream().filter(variants::containsKey).findFirst().orElseThrow();
        ModelConfig config = hit.config().orElseThrow();
        return new CatalogEntry(repo, Map.of("en", name, "zh-CN", name), Map.of("en", org, "zh-CN", org), "", 0,
                new CatalogEntry.Licence(hit.summary().licence().orElse(""),
                        hub.endpoint() + (hub instanceof io.kaiyuan.engine.download.ModelScopeSource ? "/models/" : "/") + repo),
                config.maxPositions(), Optional.of(new CatalogEntry.Architecture(config.layers(), config.kvHeads(),
                        config.headDim())), false, Map.of("huggingface", repo), cpu, gpu, variants,
                Map.of("en", "", "zh-CN", ""), true, "listed from " + hub.name());
    }

    public BooleanProperty hubSearchingProperty() {
        return hubSearching;
    }

    public StringProperty hubStatusProperty() {
        return hubStatus;
    }

    /** Reads the installed models and partial downloads from disk (on {@code io}) and updates the page. */
    public void refresh() {
        record Found(List<ModelRegistry.InstalledModel> list, Map<String, Long> staged, List<DownloadJournal.Entry> pending) {}
        List<String> ids = rows.stream().map(r -> r.entry().id()).toList();
        background.task(() -> new Found(backend.installed(), stagedBytes(ids), journal == null ? List.of() : journal.load())).in(refreshes).onSuccess(found -> {
            List<ModelRegistry.InstalledModel> list = found.list();
            Map<String, Long> staged = found.staged();
            List<DownloadJournal.Entry> pending = found.pending();
            installed.setAll(list);
            for (CatalogRow r : rows) {
                boolean isInstalled = list.stream().anyMatch(m -> m.id().equals(r.entry().id()));
                CatalogRow.State s = r.stateProperty().get();
                if (isInstalled) {
                    r.stateProperty().set(CatalogRow.State.INSTALLED);
                } else if (s == CatalogRow.State.INSTALLED) {
                    r.stateProperty().set(CatalogRow.State.AVAILABLE);
                }
                if (!isInstalled && r.stateProperty().get() == CatalogRow.State.AVAILABLE && staged.getOrDefault(r.entry().id(), 0L) > 0) {
                    r.detailProperty().set(MessageFormat.format(messages.getString("models.partial"),
                            gb(staged.get(r.entry().id()))));
                }
            }
            if (!journalRead) {
                journalRead = true;
                continueDownloads(pending, list, staged);
            }
        }).onFailure(e -> message.set(Errors.describe(e, messages))).start();
    }

    /**
     * Continues the downloads that were running when the app last stopped; a paused one is shown as
     * paused with what it kept, for Download to resume (FX thread, once at start).
     */
    private void continueDownloads(List<DownloadJournal.Entry> pending, List<ModelRegistry.InstalledModel> list,
            Map<String, Long> staged) {
        for (DownloadJournal.Entry e : pending) {
            Optional<CatalogRow> row = rows.stream().filter(r -> r.entry().id().equals(e.id())).findFirst();
            boolean done = list.stream().anyMatch(m -> m.id().equals(e.id()));
            if (row.isEmpty() && !done && e.id().contains("/")) {
                continueFromHub(e);
                continue;
            }
            if (row.isEmpty() || done) {
                journalWrites.execute(() -> journal.remove(e.id()));
                continue;
            }
            continueRow(row.get(), e, staged.getOrDefault(e.id(), 0L));
        }
    }

    /**
     * A download of a model found by a hub search, running when the app closed: the repository is looked
     * at again (on the hub-search thread), then its row comes back and the download continues (or shows
     * paused). A repository that cannot be looked at now stays in the journal for the next start.
     */
    private void continueFromHub(DownloadJournal.Entry e) {
        record Found(HubSearch.Hit hit, long stagedBytes) {}
        background.task(() -> {
            long stagedBytes = backend.stagedBytes(e.id());
            for (HubSource hub : backend.hubs(e.source())) {
                try {
                    Optional<HubSearch.Hit> hit = backend.lookup(hub, e.id());
                    if (hit.isEmpty()) {
                        journalWrites.execute(() -> journal.remove(e.id())); // gone from the hub
                    }
                    return hit.map(h -> new Found(h, stagedBytes));
                } catch (io.kaiyuan.engine.download.HubException unreachable) {
                    // the next source, as downloads fall back
                }
            }
            return Optional.<Found>empty(); // no source answered: the next start tries again
        }).on(HUB_SEARCHES).onSuccess(found -> found.ifPresent(f -> {
            if (rows.stream().anyMatch(r -> r.entry().id().equals(e.id()))) {
                return;
            }
            addHit(f.hit());
            rows.stream().filter(r -> r.entry().id().equals(e.id())).findFirst()
                    .ifPresent(r -> continueRow(r, e, f.stagedBytes()));
        })).onFailure(ex -> LOG.info("{} cannot be looked at now; the next start tries again: {}", e.id(), ex.getMessage()))
                .start();
    }

    private void continueRow(CatalogRow r, DownloadJournal.Entry e, long stagedBytes) {
        if (e.paused()) {
            r.detailProperty().set(MessageFormat.format(messages.getString("models.pausedBefore"), gb(stagedBytes)));
            return;
        }
        Optional<Variant> v;
        try {
            v = Optional.of(Variant.parse(e.variant()));
        } catch (IllegalArgumentException ex) {
            v = Optional.empty();
        }
        download(r, v, e.source());
    }

    /**
     * Downloads a catalog model ({@code variant}, or its recommendation for the CPU) from the selected
     * source and installs it; a partial download of it resumes. Call on the FX thread.
     */
    public void download(CatalogRow row, Optional<Variant> variant) {
        download(row, variant, source.get());
    }

    private void download(CatalogRow row, Optional<Variant> variant, String sourceName) {
        CatalogRow.State s = row.stateProperty().get();
        if (s == CatalogRow.State.QUEUED || s == CatalogRow.State.DOWNLOADING || s == CatalogRow.State.PAUSED
                || s == CatalogRow.State.INSTALLED) {
            return;
        }
        CatalogEntry e = row.entry();
        List<Origin> origins;
        try {
            origins = backend.origins(sourceName, e);
        } catch (IllegalArgumentException ex) {
            CatalogRow.Failure failure = new CatalogRow.Failure(HubException.Kind.OTHER, sourceName, List.of(sourceName),
                    ex.getMessage());
            row.failureProperty().set(failure);
            row.errorProperty().set(failureText(row, failure));
            row.stateProperty().set(CatalogRow.State.FAILED);
            return;
        }
        List<String> tried = origins.stream().map(o -> o.source().name()).toList();
        row.lastVariant = variant;
        row.failureProperty().set(null);
        DownloadControl control = new DownloadControl();
        row.control = control;
        row.errorProperty().set("");
        row.sourceProperty().set(origins.stream().map(o -> sourceName(o.source().name())).collect(Collectors.joining(" → ")));
        row.stateProperty().set(CatalogRow.State.QUEUED);
        Variant chosen = variant.orElse(e.cpuVariant());
        record(new DownloadJournal.Entry(e.id(), chosen.cliName(), sourceName, false));
        background.run(() -> {
            fx.execute(() -> { // its turn in the download queue has come
                if (row.stateProperty().get() == CatalogRow.State.QUEUED) {
                    row.stateProperty().set(control.isPaused() ? CatalogRow.State.PAUSED : CatalogRow.State.DOWNLOADING);
                }
            });
            try {
                backend.install(e.id(), origins, chosen, p -> fx.execute(() -> show(row, p)), control);
            } catch (Exception ex) {
                if (!interrupted(ex)) {
                    forget(e.id()); // an app closing mid-download keeps its record, to continue next time
                }
                throw ex;
            }
            forget(e.id());
        }).on(downloads).onSuccess(done -> {
            row.stateProperty().set(CatalogRow.State.INSTALLED);
            row.detailProperty().set("");
            row.control = null;
            refresh();
            onInstalledChanged.run();
        }).onFailure(ex -> {
            String detail = ex instanceof HubException || ex instanceof IllegalArgumentException ? ex.getMessage()
                    : HubException.describe(ex);
            CatalogRow.Failure failure = ex instanceof HubException hub
                    ? new CatalogRow.Failure(hub.kind(), hub.source().orElse(null), tried, detail)
                    : new CatalogRow.Failure(HubException.Kind.OTHER, null, tried, detail);
            row.control = null;
            row.progressProperty().set(0);
            if (control.isCancelled()) {
                row.stateProperty().set(CatalogRow.State.AVAILABLE);
                row.detailProperty().set(messages.getString("models.cancelled"));
            } else {
                row.stateProperty().set(CatalogRow.State.FAILED);
                row.failureProperty().set(failure);
                row.errorProperty().set(failureText(row, failure));
            }
        }).start();
    }

    private void show(CatalogRow row, InstallProgress p) {
        if (row.control == null) {
            return; // a late event after the download ended
        }
        row.progressProperty().set(p.fraction());
        if (!p.source().isEmpty()) {
            row.activeSourceProperty().set(p.withoutToken()
                    ? MessageFormat.format(messages.getString("models.source.noToken"), sourceName(p.source()))
                    : sourceName(p.source()));
        }
        String eta = p.etaSeconds().stream().mapToObj(ModelManagerViewModel::duration).findFirst().orElse("--:--");
        row.detailProperty().set(p.paused()
                ? MessageFormat.format(messages.getString("models.progress.paused"), gb(p.doneBytes()), gb(p.totalBytes()))
                : MessageFormat.format(messages.getString("models.progress"), gb(p.doneBytes()), gb(p.totalBytes()),
                        String.format(Locale.ROOT, "%.1f", p.bytesPerSecond() / 1e6), eta));
    }

    /** Pauses a download in flight (FX thread); its files stay. */
    public void pause(CatalogRow row) {
        DownloadControl c = row.control;
        if (c != null && row.stateProperty().get() == CatalogRow.State.DOWNLOADING) {
            c.pause();
            row.stateProperty().set(CatalogRow.State.PAUSED);
            markPaused(row, true);
        }
    }

    /** Continues a paused download from where it stopped (FX thread). */
    public void resume(CatalogRow row) {
        DownloadControl c = row.control;
        if (c != null && row.stateProperty().get() == CatalogRow.State.PAUSED) {
            c.resume();
            row.stateProperty().set(CatalogRow.State.DOWNLOADING);
            markPaused(row, false);
        }
    }

    private void record(DownloadJournal.Entry entry) {
        if (journal != null) {
            journalWrites.execute(() -> journal.put(entry));
        }
    }

    private void forget(String id) {
        if (journal != null) {
            journalWrites.execute(() -> journal.remove(id));
        }
    }

    private void markPaused(CatalogRow row, boolean paused) {
        if (journal != null) {
            String id = row.entry().id();
            journalWrites.execute(() -> journal.load().stream().filter(x -> x.id().equals(id)).findFirst()
                    .ifPresent(x -> journal.put(new DownloadJournal.Entry(id, x.variant(), x.source(), paused))));
        }
    }

    /** Whether a download ended because its thread was interrupted: the app is closing. */
    private static boolean interrupted(Throwable t) {
        // The installer keeps the interrupt flag set when it stops for an interrupt.
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof InterruptedException) {
                return true;
            }
        }
        return Thread.currentThread().isInterrupted();
    }

    /** Downloads again what failed, from the same source (FX thread). */
    public void retry(CatalogRow row) {
        download(row, row.lastVariant);
    }

    /** Downloads from another source than the page's, e.g. ModelScope after Hugging Face failed (FX thread). */
    public void downloadFrom(CatalogRow row, String sourceName) {
        download(row, row.lastVariant, sourceName);
    }

    /**
     * The sources worth offering after {@code failure}: hf-mirror and ModelScope when the download did not
     * try them already (ModelScope only for a model it has).
     */
    public List<String> otherSources(CatalogRow row, CatalogRow.Failure failure) {
        List<String> out = new java.util.ArrayList<>();
        if (!failure.tried().contains("hf-mirror")) {
            out.add("hf-mirror");
        }
        if (!failure.tried().contains("modelscope") && row.entry().modelScopeId().isPresent()) {
            out.add("modelscope");
        }
        return out;
    }

    /** A source's name as people read it: Hugging Face, hf-mirror, ModelScope, a base URL, Custom URL…. */
    public String sourceName(String name) {
        if (name == null) {
            return "";
        }
        return switch (name) {
            case "huggingface" -> messages.getString("models.source.huggingface");
            case "hf-mirror" -> messages.getString("models.source.hf-mirror");
            case "modelscope" -> messages.getString("models.source.modelscope");
            case "local" -> messages.getString("models.source.local");
            case ModelManagerView.CUSTOM_SOURCE -> messages.getString("models.source.custom");
            default -> name;
        };
    }

    /** What went wrong with a download and what to do, in the page's language. */
    public String failureText(CatalogRow row, CatalogRow.Failure f) {
        String source = sourceName(f.source() != null ? f.source() : f.tried().isEmpty() ? "" : f.tried().get(f.tried().size() - 1));
        String text = MessageFormat.format(messages.getString("models.error." + f.kind().name()), source,
                row.entry().name(locale()), f.detail());
        List<String> others = otherSources(row, f);
        if (!others.isEmpty() && (f.kind() == HubException.Kind.UNREACHABLE
                || f.kind() == HubException.Kind.NOT_FOUND
                || f.kind() == HubException.Kind.SERVER_ERROR)) {
            String tryOthers = MessageFormat.format(messages.getString("models.error.tryOthers"),
                    String.join(messages.getString("models.error.or"), others.stream().map(this::sourceName).toList()));
            // Two sentences: a space between them in English, none in Chinese.
            text = MessageFormat.format(messages.getString("models.error.then"), text, tryOthers);
        }
        return text;
    }

    private Locale locale() {
        return messages.getLocale().getLanguage().equals("zh") ? Locale.SIMPLIFIED_CHINESE : Locale.ENGLISH;
    }

    /** Whether an installed model is used where it was imported from (deleting it keeps its files). */
    public boolean inPlace(ModelRegistry.InstalledModel m) {
        return !m.dir().toAbsolutePath().normalize().startsWith(backend.modelsDir().toAbsolutePath().normalize());
    }

    /** Clears the search and every filter (FX thread). */
    public void clearFilters() {
        cancelHubSearch();
        rows.removeIf(r -> r.hub().isPresent() && (r.stateProperty().get() == CatalogRow.State.AVAILABLE
                || r.stateProperty().get() == CatalogRow.State.FAILED));
        hubFoundCatalogIds.clear();
        hubOrder.clear();
        hubStatus.set("");
        search.set("");
        family.set(null);
        fitsOnly.set(false);
        maxBytes.set(null);
        reorder();
    }

    /** Ends a download (FX thread); the partial files stay, so downloading again resumes them. */
    public void cancel(CatalogRow row) {
        DownloadControl c = row.control;
        if (c != null) {
            c.cancel();
        }
    }

    /** Removes an installed model completely (after the view asked for confirmation). */
    public void remove(String id) {
        background.run(() -> backend.remove(id)).onSuccess(done -> {
            message.set(MessageFormat.format(messages.getString("models.removed"), id));
            onInstalledChanged.run();
        }).onFailure(e -> message.set(Errors.describe(e, messages))).onFinally(this::refresh).start();
    }

    /** Re-hashes an installed model's files and says what it found. */
    public void verify(String id) {
        message.set(MessageFormat.format(messages.getString("models.verifying"), id));
        background.task(() -> backend.verify(id)).onSuccess(r -> message.set(r.ok()
                ? MessageFormat.format(messages.getString("models.verify.ok"), id, r.checked())
                : MessageFormat.format(messages.getString("models.verify.damaged"), id,
                        String.join(", ", concat(r.missing(), r.altered())))))
                .onFailure(e -> message.set(Errors.describe(e, messages))).start();
    }

    private static List<String> concat(List<String> a, List<String> b) {
        return java.util.stream.Stream.concat(a.stream(), b.stream()).toList();
    }

    /** Registers a local model folder where it is (nothing is copied). */
    public void importFolder(Path folder) {
        background.task(() -> backend.importFolder(folder)).onSuccess(m -> {
            message.set(MessageFormat.format(messages.getString("models.imported"), m.id()));
            onInstalledChanged.run();
        }).onFailure(e -> message.set(Errors.describe(e, messages))).onFinally(this::refresh).start();
    }

    private Map<String, Long> stagedBytes(List<String> ids) throws java.io.IOException {
        Map<String, Long> staged = new java.util.HashMap<>();
        for (String id : ids) {
            staged.put(id, backend.stagedBytes(id));
        }
        return staged;
    }

    public static String gb(long bytes) {
        return String.format(Locale.ROOT, "%.2f GB", bytes / 1e9);
    }

    static String duration(long seconds) {
        return seconds >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", seconds / 3600, seconds / 60 % 60, seconds % 60)
                : String.format(Locale.ROOT, "%d:%02d", seconds / 60, seconds % 60);
    }

    /** The strings for texts made from now on (after a language switch). */
    public void setMessages(ResourceBundle messages) {
        this.messages = messages;
    }

    /** The catalog rows that pass the search and filters. */
    public ObservableList<CatalogRow> visibleRows() {
        return ordered;
    }

    public List<CatalogRow> rows() {
        return rows;
    }

    /** The families in the catalog, for the filter. */
    public List<String> families() {
        return rows.stream().map(r -> r.entry().family()).distinct().toList();
    }

    public ObservableList<ModelRegistry.InstalledModel> installed() {
        return installed;
    }

    public StringProperty searchProperty() {
        return search;
    }

    /** The family filter; null for all. */
    public ObjectProperty<String> familyProperty() {
        return family;
    }

    /** The size filter: the recommended variant's weights at most this many bytes; null for any size. */
    public ObjectProperty<Long> maxBytesProperty() {
        return maxBytes;
    }

    public BooleanProperty fitsOnlyProperty() {
        return fitsOnly;
    }

    /** huggingface, hf-mirror, modelscope or a base URL. */
    public StringProperty sourceProperty() {
        return source;
    }

    /** The last outcome of verify, remove or import, or an error. */
    public StringProperty messageProperty() {
        return message;
    }

    /** Where models run here: the execution providers found, the one in use, the CPU threads. */
    public StringProperty runtimeProperty() {
        return runtime;
    }

    /** The first catalog model that fits this machine comfortably: shown to a newcomer. */
    public ObjectProperty<CatalogRow> recommendedProperty() {
        return recommended;
    }
}
