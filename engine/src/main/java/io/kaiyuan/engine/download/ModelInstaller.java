package io.kaiyuan.engine.download;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kaiyuan.engine.api.CancellationToken;
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
import java.util.Set;

/**
 * Installs a model from a hub into the models folder: only the chosen variant's graph and its _data
 * files plus config, generation config, tokenizer and template files; everything lands in a staging
 * folder first (partial files resume after a restart) and the model appears under its id only after
 * every file is verified, with an atomic move and a manifest. Call from a background thread.
 */
public final class ModelInstaller {
    /** Written into each installed model's folder. */
    public static final String MANIFEST = ModelRegistry.MANIFEST;
    private static final Set<String> REQUIRED = Set.of("config.json", "tokenizer.json", "tokenizer_config.json");
    private static final Set<String> OPTIONAL = Set.of("generation_config.json", "chat_template.jinja",
            "special_tokens_map.json");
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Progress of a whole install: bytes on disk of all chosen files; never goes backwards. */
    @FunctionalInterface
    public interface Progress {
        void update(long doneBytes, long totalBytes, String currentFile);
    }

    /** An installed model. */
    public record Installed(String id, Path dir, String repo, String commit, Variant variant, long bytes) {}

    private final Path modelsDir;
    private final FileTransfer transfer;
    private final java.util.function.ToLongFunction<Path> freeSpace;

    public ModelInstaller(Path modelsDir, FileTransfer transfer) {
        this(modelsDir, transfer, ModelInstaller::usableSpace);
    }

    /** For tests: how much space the models folder's disk has free. */
    ModelInstaller(Path modelsDir, FileTransfer transfer, java.util.function.ToLongFunction<Path> freeSpace) {
        this.modelsDir = modelsDir;
        this.transfer = transfer;
        this.freeSpace = freeSpace;
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

    /** The files to fetch for a variant (the best CPU variant present when empty). */
    static List<RemoteFile> choose(RepoListing listing, Optional<Variant> requested, List<Variant> preference) {
        List<RemoteFile> files = listing.files();
        Variant variant = requested.orElseGet(() -> preference.stream()
                .filter(v -> files.stream().anyMatch(f -> f.path().equals("onnx/" + v.fileName())))
                .findFirst()
                .orElseThrow(() -> new HubException(listing.repo() + " has no ONNX graph in onnx/: it is not an"
                        + " onnx-community style repository.", false)));
        String graph = "onnx/" + variant.fileName();
        if (files.stream().noneMatch(f -> f.path().equals(graph))) {
            throw new HubException(listing.repo() + " has no " + graph + " (variant " + variant.cliName() + ").", false);
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
                throw new HubException(listing.repo() + " has no " + required + ".", false);
            }
        }
        return chosen;
    }

    /** The variant the chosen files are for. */
    static Variant variantOf(List<RemoteFile> chosen) {
        for (Variant v : Variant.values()) {
            if (chosen.stream().anyMatch(f -> f.path().equals("onnx/" + v.fileName()))) {
                return v;
            }
        }
        throw new IllegalStateException("no graph chosen");
    }

    /**
     * Downloads and installs {@code repo} at {@code revision} as {@code id}, trying {@code sources} in order
     * for each file. A second call after an interruption resumes the staged files.
     */
    public Installed install(String id, List<Origin> origins, Optional<Variant> variant, Progress progress,
            CancellationToken cancel) throws IOException {
        Path target = modelsDir.resolve(folderName(id));
        if (Files.exists(target)) {
            throw new HubException(id + " is already installed in " + target + ": remove it first to install again.", false);
        }
        if (origins.isEmpty()) {
            throw new HubException("No source given.", false);
        }
        Origin first = origins.get(0);
        String repo = first.repo();
        String revision = first.revision();
        RepoListing listing = first.source().list(repo, revision);
        // The listed commit pins every source speaking the same protocol (mirrors); others keep their revision.
        List<Origin> pinned = new ArrayList<>();
        for (Origin o : origins) {
            pinned.add(o.source().getClass() == first.source().getClass() ? o.at(listing.commit()) : o);
        }
        List<RemoteFile> files = choose(listing, variant, Variant.CPU_PREFERENCE);
        Path staging = modelsDir.resolve(".staging").resolve(folderName(id) + "@" + listing.commit());
        Files.createDirectories(staging);
        long total = files.stream().mapToLong(RemoteFile::size).sum();
        long present = 0;
        for (RemoteFile f : files) {
            Path partial = partial(staging, f);
            present += Files.exists(partial) ? Math.min(Files.size(partial), f.size()) : 0;
        }
        long free = freeSpace.applyAsLong(Files.createDirectories(modelsDir));
        if (total - present > free) {
            throw new HubException(repo + " needs " + humanBytes(total - present) + " more but only " + humanBytes(free)
                    + " are free in " + modelsDir + ": free some space or set KAIYUAN_HOME to a larger disk.", false);
        }
        ObjectNode manifest = JSON.createObjectNode();
        ArrayNode manifestFiles = JSON.createArrayNode();
        long[] done = new long[files.size()];
        // A file that restarts (a server ignoring Range) must not make the bar jump back: hold the shown value.
        long[] shown = {0};
        for (int i = 0; i < files.size(); i++) {
            RemoteFile f = files.get(i);
            Path partial = partial(staging, f);
            int index = i;
            String sha256 = transfer.fetch(pinned, f, partial, bytes -> {
                done[index] = bytes;
                long sum = 0;
                for (long d : done) {
                    sum += d;
                }
                shown[0] = Math.max(shown[0], sum);
                progress.update(shown[0], total, f.path());
            }, cancel);
            Path complete = staging.resolve(f.path());
            Files.createDirectories(complete.getParent());
            Files.move(partial, complete, StandardCopyOption.REPLACE_EXISTING);
            manifestFiles.addObject().put("path", f.path()).put("size", f.size()).put("sha256", sha256);
        }
        manifest.put("id", id);
        manifest.put("source", first.source().name());
        manifest.put("repo", repo);
        manifest.put("revision", revision);
        manifest.put("commit", listing.commit());
        manifest.put("variant", variantOf(files).cliName());
        manifest.put("installed_at", Instant.now().toString());
        manifest.set("files", manifestFiles);
        JSON.writerWithDefaultPrettyPrinter().writeValue(staging.resolve(MANIFEST).toFile(), manifest);
        Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
        return new Installed(id, target, repo, listing.commit(), variantOf(files), total);
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
    private static Path partial(Path staging, RemoteFile f) {
        return staging.resolve(f.path() + ".incomplete");
    }
}
