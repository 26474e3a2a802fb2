package io.kaiyuan.engine.download;

import io.kaiyuan.engine.api.CancellationToken;
import io.kaiyuan.engine.model.Manifest;
import io.kaiyuan.engine.model.ModelRegistry;
import io.kaiyuan.engine.model.Variant;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Comparator;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.ToLongFunction;

/**
 * Installs a model from a hub into the models folder: only the chosen variant's graph and its _data
 * files plus config, generation config, tokenizer and template files (or, for an ONNX Runtime GenAI
 * folder, that folder's own files, placed at the top of the model's folder and never the onnx/ files beside
 * them); everything lands in a staging
 * folder first (partial files resume after a restart) and the model appears under its id only after
 * every file is verified, with an atomic move and a manifest. Call from a background thread.
 */
public final class ModelInstaller {
    /** Written into each installed model's folder. */
    public static final String MANIFEST = ModelRegistry.MANIFEST;
    private static final Set<String> REQUIRED = Set.of("config.json", "tokenizer.json", "tokenizer_config.json");
    private static final Set<String> OPTIONAL = Set.of("generation_config.json", "chat_template.jinja",
            "special_tokens_map.json");

    /**
     * Receives an install's progress: at most every {@value #PROGRESS_INTERVAL_MS} ms while bytes arrive, at
     * least every {@value #TICK_MS} ms while nothing does (so a stall shows as a falling rate), and whenever a
     * file changes state. Calls come from the installer's threads, one at a time.
     */
    @FunctionalInterface
    public interface Progress {
        void update(InstallProgress progress);
    }

    /** An installed model. */
    public record Installed(String id, Path dir, String repo, String commit, Variant variant, long bytes) {}

    /** Files downloaded at the same time by default. */
    public static final int DEFAULT_PARALLEL_FILES = 3;
    static final long PROGRESS_INTERVAL_MS = 100;
    static final long TICK_MS = 500;

    private final Path modelsDir;
    private final FileTransfer transfer;
    private final ToLongFunction<Path> freeSpace;
    private final int parallelFiles;

    public ModelInstaller(Path modelsDir, FileTransfer transfer) {
        this(modelsDir, transfer, DEFAULT_PARALLEL_FILES);
    }

    /** @param parallelFiles how many files download at the same time (at least 1) */
    public ModelInstaller(Path modelsDir, FileTransfer transfer, int parallelFiles) {
        this(modelsDir, transfer, ModelInstaller::usableSpace, parallelFiles);
    }

    /** For tests: how much space the models folder's disk has free. */
    ModelInstaller(Path modelsDir, FileTransfer transfer, ToLongFunction<Path> freeSpace) {
        this(modelsDir, transfer, freeSpace, DEFAULT_PARALLEL_FILES);
    }

    private ModelInstaller(Path modelsDir, FileTransfer transfer, ToLongFunction<Path> freeSpace, int parallelFiles) {
        if (parallelFiles < 1) {
            throw new IllegalArgumentException("parallelFiles must be at least 1");
        }
        this.modelsDir = modelsDir;
        this.transfer = transfer;
        this.freeSpace = freeSpace;
        this.parallelFiles = parallelFiles;
    }

    private static long usableSpace(Path dir) {
        try {
            return Files.getFileStore(dir).getUsableSpace();
        } catch (IOException e) {
            return Long.MAX_VALUE;
        }
    }

    /** The folder name of a model id (org/name becomes org--name). */
    public static String folderName(String id) {
        return ModelRegistry.folderName(id);
    }

    /**
     * What a pull fetches: a variant, the files (paths in the repository) and the folder they come from
     * ("" for the transformers.js layout; a GenAI folder's path, whose files go to the model's top).
     */
    record Choice(Variant variant, String folder, List<RemoteFile> files) {
        /** Where a file goes in the installed model. */
        String local(RemoteFile f) {
            return folder.isEmpty() ? f.path() : f.path().substring(folder.length() + 1);
        }
    }

    /** The files to fetch for a variant (the best CPU variant present when empty). */
    static List<RemoteFile> choose(RepoListing listing, Optional<Variant> requested, List<Variant> preference) {
        return choose(listing, requested, Optional.empty(), preference).files();
    }

    /**
     * The files to fetch: a GenAI folder's when {@code genaiFolder} names one or the variant asked for is
     * {@link Variant#GENAI} (the CPU build first), else the variant's from onnx/ (the best for the CPU present when
     * none is asked for; a repository with no onnx/ graph but a GenAI folder gives that folder).
     */
    static Choice choose(RepoListing listing, Optional<Variant> requested, Optional<String> genaiFolder,
            List<Variant> preference) {
        List<RemoteFile> files = listing.files();
        if (genaiFolder.isPresent() || requested.equals(Optional.of(Variant.GENAI))) {
            return genai(listing, genaiFolder);
        }
        Optional<Variant> best = requested.or(() -> preference.stream()
                .filter(v -> v != Variant.GENAI && files.stream().anyMatch(f -> f.path().equals("onnx/" + v.fileName())))
                .findFirst());
        if (best.isEmpty()) {
            if (!GenAiFolders.of(listing).isEmpty()) {
                return genai(listing, Optional.empty());
            }
            throw new HubException(listing.repo() + " has no ONNX graph in onnx/ and no ONNX Runtime GenAI folder: it is not"
                    + " a layout Kaiyuan runs.", false);
        }
        Variant variant = best.get();
        String graph = "onnx/" + variant.fileName();
        if (files.stream().noneMatch(f -> f.path().equals(graph))) {
            throw new HubException(HubException.Kind.NOT_FOUND, null, listing.repo() + " has no " + graph + " (variant "
                    + variant.cliName() + ").", false);
        }
        List<RemoteFile> chosen = new ArrayList<>();
        for (RemoteFile f : files) {
            String p = f.path();
            if (REQUIRED.contains(p) || OPTIONAL.contains(p) || p.equals(graph) || p.startsWith(graph + "_data")) {
                chosen.add(f);
            }
        }
        for (String required : REQUIRED) {
            if (chosen.stream().noneMatch(f -> f.path().equals(required))) {
                throw new HubException(HubException.Kind.NOT_FOUND, null, listing.repo() + " has no " + required + ".", false);
            }
        }
        return new Choice(variant, "", chosen);
    }

    private static Choice genai(RepoListing listing, Optional<String> named) {
        List<GenAiFolders.Folder> folders = GenAiFolders.of(listing);
        if (folders.isEmpty()) {
            throw new HubException(HubException.Kind.NOT_FOUND, null, listing.repo() + " has no ONNX Runtime GenAI folder"
                    + " (genai_config.json with tokenizer.json, tokenizer_config.json and an .onnx graph).", false);
        }
        GenAiFolders.Folder folder;
        if (named.isPresent()) {
            String want = named.get().replaceAll("^/+|/+$", "");
            folder = folders.stream().filter(f -> f.path().equals(want)).findFirst().orElseThrow(() -> new HubException(
                    HubException.Kind.NOT_FOUND, null, listing.repo() + " has no GenAI folder '" + want + "'; it has: "
                    + String.join(", ", folders.stream().limit(12).map(f -> f.path().isEmpty() ? "(top)" : f.path()).toList())
                    + (folders.size() > 12 ? ", …" : "") + ".", false));
        } else {
            folder = folders.get(0);
        }
        return new Choice(Variant.GENAI, folder.path(), folder.files());
    }

    /** As {@link #install(String, List, Optional, Progress, DownloadControl)}, cancelled through a token. */
    public Installed install(String id, List<Origin> origins, Optional<Variant> variant, Progress progress,
            CancellationToken cancel) throws IOException {
        DownloadControl control = new DownloadControl();
        try (CancellationToken.Registration ignored = cancel.onCancel(control::cancel)) {
            return install(id, origins, variant, progress, control);
        }
    }

    /**
     * Downloads and installs the first origin's repository as {@code id}, trying the origins in order for
     * each file and downloading up to {@code parallelFiles} files at once. A second call after an
     * interruption (a cancel, a crash, a restart) resumes the staged files. Blocks until installed, failed
     * or cancelled; call from a background thread.
     *
     * @param variant the graph variant; the best present for the CPU when empty
     * @param control pauses, resumes or cancels this install from another thread
     * @throws HubException with a message for the user when the install cannot complete (nothing is
     *     installed then)
     */
    public Installed install(String id, List<Origin> origins, Optional<Variant> variant, Progress progress,
            DownloadControl control) throws IOException {
        return install(id, origins, variant, Optional.empty(), progress, control);
    }

    /** As {@link #install(String, List, Optional, Progress, CancellationToken)}, from a named GenAI folder. */
    public Installed install(String id, List<Origin> origins, Optional<Variant> variant, Optional<String> genaiFolder,
            Progress progress, CancellationToken cancel) throws IOException {
        DownloadControl control = new DownloadControl();
        try (CancellationToken.Registration ignored = cancel.onCancel(control::cancel)) {
            return install(id, origins, variant, genaiFolder, progress, control);
        }
    }

    /**
     * As {@link #install(String, List, Optional, Progress, DownloadControl)}; {@code genaiFolder} names the ONNX
     * Runtime GenAI folder to take (a repository may hold several models or builds), whose files go to the top of
     * the installed model.
     */
    public Installed install(String id, List<Origin> origins, Optional<Variant> variant, Optional<String> genaiFolder,
            Progress progress, DownloadControl control) throws IOException {
        Path target = modelsDir.resolve(folderName(id));
        if (Files.exists(target)) {
            throw new HubException(id + " is already installed in " + target + ": remove it first to install again.", false);
        }
        if (origins.isEmpty()) {
            throw new HubException("No source given.", false);
        }
        // The listing comes from the first source that can be reached; a source that answers (not found,
        // needs access) decides, as the files would come from it.
        Origin first = null;
        RepoListing listing = null;
        HubException unreachable = null;
        for (Origin o : origins) {
            try {
                listing = o.source().list(o.repo(), o.revision());
                first = o;
                break;
            } catch (HubException e) {
                boolean cannotReach = e.kind() == HubException.Kind.UNREACHABLE
                        || e.kind() == HubException.Kind.SERVER_ERROR && e.retryable();
                if (!cannotReach || control.isCancelled()) {
                    throw e;
                }
                unreachable = unreachable == null ? e : unreachable;
            }
        }
        if (listing == null) {
            throw unreachable;
        }
        String repo = first.repo();
        String revision = first.revision();
        // The listed commit pins every source speaking the same protocol (mirrors); others keep their revision.
        // The source that listed goes first, the others after it in their order.
        List<Origin> pinned = new ArrayList<>();
        for (Origin o : origins) {
            Origin p = o.source().getClass() == first.source().getClass() ? o.at(listing.commit()) : o;
            if (o == first) {
                pinned.add(0, p);
            } else {
                pinned.add(p);
            }
        }
        Choice choice = choose(listing, variant, genaiFolder, Variant.CPU_PREFERENCE);
        List<RemoteFile> files = choice.files();
        // a GenAI folder stages apart from the repository's other folders: the same names hold other bytes there
        String stagingName = folderName(id) + "@" + listing.commit()
                + (choice.folder().isEmpty() ? "" : "@" + FileTransfer.sha256Hex(choice.folder()).substring(0, 12));
        Path staging = modelsDir.resolve(".staging").resolve(stagingName);
        Files.createDirectories(staging);
        long[] present = new long[files.size()];
        for (int i = 0; i < files.size(); i++) {
            Path partial = partial(staging, choice.local(files.get(i)));
            present[i] = Files.exists(partial) ? Math.min(Files.size(partial), files.get(i).size()) : 0;
        }
        long total = files.stream().mapToLong(RemoteFile::size).sum();
        long missing = total - java.util.Arrays.stream(present).sum();
        long free = freeSpace.applyAsLong(Files.createDirectories(modelsDir));
        if (missing > free) {
            throw new HubException(HubException.Kind.NO_SPACE, null, repo + " needs " + humanBytes(missing) + " more but only "
                    + humanBytes(free)
                    + " are free in " + modelsDir + ": free some space or set KAIYUAN_HOME to a larger disk.", false);
        }
        Tracker tracker = new Tracker(files, present, progress, control);
        String[] sha256 = download(choice, pinned, staging, tracker, control);
        List<Manifest.Entry> entries = new ArrayList<>();
        for (int i = 0; i < files.size(); i++) {
            RemoteFile f = files.get(i);
            entries.add(new Manifest.Entry(choice.local(f), f.size(), sha256[i], choice.folder().isEmpty() ? "" : f.path()));
        }
        new ModelRegistry(modelsDir).commit(staging, new Manifest(id, first.source().name(), repo, revision, listing.commit(),
                choice.variant().cliName(), choice.folder(), "", Instant.now().toString(), entries));
        return new Installed(id, target, repo, listing.commit(), choice.variant(), total);
    }

    /**
     * Downloads the files, the largest first, on up to {@code parallelFiles} threads; returns their sha256s
     * in the files' order. The first failure stops the other transfers and is thrown.
     */
    private String[] download(Choice choice, List<Origin> origins, Path staging, Tracker tracker,
            DownloadControl control) throws IOException {
        List<RemoteFile> files = choice.files();
        String[] sha256 = new String[files.size()];
        AtomicReference<Exception> failure = new AtomicReference<>();
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < files.size(); i++) {
            order.add(i);
        }
        order.sort(Comparator.comparingLong((Integer i) -> files.get(i).size()).reversed());
        AtomicInteger threadNumber = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(parallelFiles, Math.max(1, files.size())), r -> {
            Thread t = new Thread(r, "kaiyuan-download-" + threadNumber.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        try {
            ExecutorCompletionService<Void> done = new ExecutorCompletionService<>(pool);
            for (int index : order) {
                done.submit(() -> {
                    fetchOne(index, files.get(index), choice.local(files.get(index)), origins, staging, tracker, control,
                            failure, sha256);
                    return null;
                });
            }
            for (int finished = 0; finished < files.size(); ) {
                Future<Void> f = done.poll(TICK_MS, TimeUnit.MILLISECONDS);
                if (f == null) {
                    tracker.emit(true);
                    continue;
                }
                finished++;
                try {
                    f.get();
                } catch (ExecutionException e) {
                    failure.compareAndSet(null, e.getCause() instanceof Exception ex ? ex : new IOException(e.getCause()));
                    control.abort();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            control.cancel();
            throw new HubException(HubException.Kind.CANCELLED, null, "Download interrupted; it resumes where it stopped.", false);
        } finally {
            pool.shutdownNow();
        }
        Exception e = failure.get();
        if (e instanceof IOException io) {
            throw io;
        }
        if (e instanceof RuntimeException rt) {
            throw rt;
        }
        if (e != null) {
            throw new IOException(e);
        }
        if (control.isCancelled()) {
            throw new HubException(HubException.Kind.CANCELLED, null, "Download cancelled; it resumes where it stopped.", false);
        }
        tracker.emit(true);
        return sha256;
    }

    /** Brings one file to its verified place in the staging folder, waiting out pauses. */
    private void fetchOne(int index, RemoteFile f, String local, List<Origin> origins, Path staging, Tracker tracker,
            DownloadControl control, AtomicReference<Exception> failure, String[] sha256)
            throws IOException, InterruptedException {
        Path partial = partial(staging, local);
        while (true) {
            control.awaitRunning();
            if (failure.get() != null) {
                return;
            }
            if (control.isCancelled()) {
                throw new HubException(HubException.Kind.CANCELLED, null, "Download cancelled; it resumes where it stopped.", false);
            }
            CancellationToken run = control.run();
            tracker.state(index, InstallProgress.FileState.DOWNLOADING);
            try {
                sha256[index] = transfer.fetch(origins, f, partial, bytes -> tracker.bytes(index, bytes), run,
                        origin -> tracker.source(origin.source().name(), origin.source().tokenWithheld()));
                break;
            } catch (HubException e) {
                if (!run.isCancelled() || failure.get() != null || control.isCancelled()) {
                    throw e;
                }
                tracker.state(index, InstallProgress.FileState.QUEUED); // paused: wait, then resume the file
            }
        }
        Path complete = staging.resolve(local);
        Files.createDirectories(complete.getParent());
        Files.move(partial, complete, StandardCopyOption.REPLACE_EXISTING);
        tracker.state(index, InstallProgress.FileState.VERIFIED);
    }

    /**
     * Collects the download threads' byte counts into {@link InstallProgress} events. Each file's count is
     * held at its highest value, so a file that restarts (a server ignoring Range) does not make the bars go
     * back; it catches up before it moves again.
     */
    private static final class Tracker {
        private final List<RemoteFile> files;
        private final long[] shown;
        private final InstallProgress.FileState[] states;
        private final Progress progress;
        private final DownloadControl control;
        private final RateMeter rate = new RateMeter(5_000_000_000L);
        private long lastEmit;
        private boolean wasPaused;
        private String source = "";
        private boolean withoutToken;

        Tracker(List<RemoteFile> files, long[] present, Progress progress, DownloadControl control) {
            this.files = files;
            this.shown = present.clone();
            this.states = new InstallProgress.FileState[files.size()];
            java.util.Arrays.fill(states, InstallProgress.FileState.QUEUED);
            this.progress = progress;
            this.control = control;
            emit(true);
        }

        synchronized void bytes(int index, long bytes) {
            if (bytes > shown[index]) {
                shown[index] = bytes;
                emit(false);
            }
        }

        synchronized void source(String name, boolean withheld) {
            if (!name.equals(source) || withheld != withoutToken) {
                source = name;
                withoutToken = withheld;
                emit(true);
            }
        }

        synchronized void state(int index, InstallProgress.FileState state) {
            if (states[index] != state) {
                states[index] = state;
                emit(true);
            }
        }

        synchronized void emit(boolean force) {
            long now = System.nanoTime();
            if (!force && now - lastEmit < PROGRESS_INTERVAL_MS * 1_000_000L) {
                return;
            }
            lastEmit = now;
            long done = 0;
            List<InstallProgress.FileProgress> list = new ArrayList<>(files.size());
            for (int i = 0; i < files.size(); i++) {
                done += shown[i];
                list.add(new InstallProgress.FileProgress(files.get(i).path(), shown[i], files.get(i).size(), states[i]));
            }
            boolean paused = control.isPaused();
            if (paused != wasPaused) {
                rate.reset(); // the time spent paused is not time spent downloading
                wasPaused = paused;
            }
            rate.add(now, done);
            long total = files.stream().mapToLong(RemoteFile::size).sum();
            progress.update(new InstallProgress(done, total, paused ? 0 : rate.rate(now), list, paused, source, withoutToken));
        }
    }

    /** 1.2 GB, 350.0 MB, 12.3 kB. */
    static String humanBytes(long bytes) {
        if (bytes >= 1_000_000_000L) {
            return String.format(java.util.Locale.ROOT, "%.1f GB", bytes / 1e9);
        }
        if (bytes >= 1_000_000L) {
            return String.format(java.util.Locale.ROOT, "%.1f MB", bytes / 1e6);
        }
        return String.format(java.util.Locale.ROOT, "%.1f kB", bytes / 1e3);
    }

    /** A file being downloaded: beside its final place, named .incomplete until verified. */
    private static Path partial(Path staging, String local) {
        return staging.resolve(local + ".incomplete");
    }
}
