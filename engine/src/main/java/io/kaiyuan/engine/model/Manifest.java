package io.kaiyuan.engine.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * An installed model's record, {@code kaiyuan-manifest.json} in its folder: where it came from and every file with its
 * size and sha256 as verified when it was installed. Written only by {@link ModelRegistry#commit} (for downloads and
 * imports alike); read here.
 *
 * @param source where it came from: the hub ({@code HUGGING_FACE}, {@code MODELSCOPE}, ...) or {@code local}
 * @param repo the hub repository, or the imported folder
 * @param revision the revision asked for (a branch or commit); empty for an import
 * @param commit the commit the files came from; empty for an import
 * @param variant the graph variant it runs, by its command-line name
 * @param folder the GenAI folder inside the repository it came from; empty for none
 * @param location where an import in place keeps its files; empty when they are in the model's folder
 * @param installedAt when it was installed (ISO-8601)
 */
public record Manifest(String id, String source, String repo, String revision, String commit, String variant,
        String folder, String location, String installedAt, List<Entry> files) {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** A manifest is a few kilobytes per thousand files; larger, it is not one. */
    private static final long MAX_BYTES = 16L << 20;

    /**
     * One file: its path in the model's folder, size and sha256; {@code repoPath} is its path in the repository
     * when that differs (a GenAI folder's files), else empty.
     */
    public record Entry(String path, long size, String sha256, String repoPath) {
        public Entry(String path, long size, String sha256) {
            this(path, size, sha256, "");
        }
    }

    public Manifest {
        revision = revision == null ? "" : revision;
        commit = commit == null ? "" : commit;
        folder = folder == null ? "" : folder;
        location = location == null ? "" : location;
        files = List.copyOf(files);
    }

    /** Bytes of all its files. */
    public long bytes() {
        return files.stream().mapToLong(Entry::size).sum();
    }

    /** The entry of {@code path}, if the manifest lists it. */
    public Optional<Entry> file(String path) {
        return files.stream().filter(f -> f.path().equals(path)).findFirst();
    }

    /** The manifest in {@code dir}; empty when there is none. */
    public static Optional<Manifest> in(Path dir) throws IOException {
        Path file = dir.resolve(ModelRegistry.MANIFEST);
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        if (Files.size(file) > MAX_BYTES) {
            throw new IOException(file + " is larger than a manifest can be");
        }
        JsonNode m = JSON.readTree(file.toFile());
        if (m == null || !m.isObject()) {
            throw new IOException(file + " is not a JSON object");
        }
        List<Entry> files = new ArrayList<>();
        for (JsonNode f : m.path("files")) {
            files.add(new Entry(f.path("path").asText(""), f.path("size").asLong(), f.path("sha256").asText(""),
                    f.path("repo_path").asText("")));
        }
        return Optional.of(new Manifest(m.path("id").asText(dir.getFileName().toString()), m.path("source").asText(""),
                m.path("repo").asText(""), m.path("revision").asText(""), m.path("commit").asText(""),
                m.path("variant").asText(""), m.path("folder").asText(""), m.path("location").asText(""),
                m.path("installed_at").asText(""), files));
    }

    /** As written to disk (the fields of older manifests, so that older versions of the app read it too). */
    ObjectNode toJson() {
        ObjectNode m = JSON.createObjectNode();
        m.put("id", id);
        m.put("source", source);
        m.put("repo", repo);
        if (!revision.isEmpty()) {
            m.put("revision", revision);
        }
        m.put("commit", commit);
        m.put("variant", variant);
        if (!folder.isEmpty()) {
            m.put("folder", folder);
        }
        m.put("installed_at", installedAt);
        if (!location.isEmpty()) {
            m.put("location", location);
        }
        var list = m.putArray("files");
        for (Entry f : files) {
            ObjectNode e = list.addObject().put("path", f.path()).put("size", f.size()).put("sha256", f.sha256());
            if (!f.repoPath().isEmpty()) {
                e.put("repo_path", f.repoPath());
            }
        }
        return m;
    }

    void write(Path dir) throws IOException {
        JSON.writerWithDefaultPrettyPrinter().writeValue(dir.resolve(ModelRegistry.MANIFEST).toFile(), toJson());
    }
}
