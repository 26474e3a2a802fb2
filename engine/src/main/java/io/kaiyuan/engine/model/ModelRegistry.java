package io.kaiyuan.engine.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kaiyuan.engine.api.ModelLoadException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The installed models: one folder per model under the models folder, each with a manifest (source,
 * repo, commit, variant, every file with size and sha256). A model imported "in place" has only the
 * manifest, which points at its folder. Partial downloads live in .staging and are never listed.
 */
public final class ModelRegistry {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Written into each installed model's folder. */
    public static final String MANIFEST = "kaiyuan-manifest.json";

    /** The folder name of a model id (org/name becomes org--name); refuses ids that could leave the folder. */
    public static String folderName(String id) {
        String name = id.replace("/", "--");
        if (id.isBlank() || name.contains("\\") || name.equals(".") || name.equals("..") || name.startsWith(".")
                || name.contains("/") || name.contains(":") || name.contains("\0")) {
            throw new ModelLoadException("'" + id + "' cannot be a model id: use letters, digits, '-', '_', '.' and one '/'.");
        }
        return name;
    }

    /** An installed model. {@code dir} is where its files are (the imported folder for in-place imports). */
    public record InstalledModel(String id, Path dir, String source, String repo, String commit, String variant,
            long bytes, String installedAt, String runs) {}

    /** What {@link #verify} found. */
    public record VerifyReport(String id, List<String> missing, List<String> altered, int checked) {
        public boolean ok() {
            return missing.isEmpty() && altered.isEmpty();
        }
    }

    private final Path modelsDir;

    public ModelRegistry(Path modelsDir) {
        this.modelsDir = modelsDir;
    }

    public Path modelsDir() {
        return modelsDir;
    }

    /** Every installed model, by id. */
    public List<InstalledModel> list() {
        if (!Files.isDirectory(modelsDir)) {
            return List.of();
        }
        List<InstalledModel> out = new ArrayList<>();
        try (Stream<Path> dirs = Files.list(modelsDir)) {
            for (Path dir : dirs.sorted().toList()) {
                if (!dir.getFileName().toString().startsWith(".") && Files.isRegularFile(dir.resolve(MANIFEST))) {
                    out.add(read(dir));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    /** The sha256 the manifest of the model in {@code dir} records for {@code path}, if it has one. */
    public static Optional<String> manifestSha256(Path dir, String path) {
        Path manifest = dir.resolve(MANIFEST);
        if (!Files.isRegularFile(manifest)) {
            return Optional.empty();
        }
        try {
            for (JsonNode f : JSON.readTree(manifest.toFile()).path("files")) {
                if (f.path("path").asText().equals(path) && f.path("sha256").isTextual()) {
                    return Optional.of(f.get("sha256").asText());
                }
            }
        } catch (IOException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }

    /**
     * Bytes of a partial download of {@code id} waiting in the staging folder (0 when none): an install of
     * the same id resumes them.
     */
    public long stagedBytes(String id) {
        Path staging = modelsDir.resolve(".staging");
        if (!Files.isDirectory(staging)) {
            return 0;
        }
        String prefix = folderName(id) + "@";
        long bytes = 0;
        try (Stream<Path> dirs = Files.list(staging)) {
            for (Path dir : dirs.filter(d -> d.getFileName().toString().startsWith(prefix)).toList()) {
                try (Stream<Path> files = Files.walk(dir)) {
                    for (Path f : files.filter(Files::isRegularFile).toList()) {
                        bytes += Files.size(f);
                    }
                }
            }
        } catch (IOException e) {
            return bytes;
        }
        return bytes;
    }

    /** The installed model with this id (org/name or its folder name). */
    public Optional<InstalledModel> find(String id) {
        Path dir = modelsDir.resolve(folderName(id));
        return Files.isRegularFile(dir.resolve(MANIFEST)) ? Optional.of(read(dir)) : Optional.empty();
    }

    /** The model whose install manifest is in {@code dir}; empty when there is none (a plain model folder). */
    public static Optional<InstalledModel> installedAt(Path dir) {
        return Files.isRegularFile(dir.resolve(MANIFEST)) ? Optional.of(read(dir)) : Optional.empty();
    }

    private static InstalledModel read(Path dir) {
        try {
            JsonNode m = JSON.readTree(dir.resolve(MANIFEST).toFile());
            long bytes = 0;
            for (JsonNode f : m.path("files")) {
                bytes += f.path("size").asLong();
            }
            Path location = m.hasNonNull("location") ? Path.of(m.get("location").asText()) : dir;
            return new InstalledModel(m.path("id").asText(dir.getFileName().toString()), location, m.path("source").asText(""),
                    m.path("repo").asText(""), m.path("commit").asText(""), m.path("variant").asText(""), bytes,
                    m.path("installed_at").asText(""), OptimisationRecord.runs(location, m.path("variant").asText("")));
        } catch (IOException e) {
            throw new ModelLoadException(dir.resolve(MANIFEST) + " cannot be read: " + e.getMessage(), e);
        }
    }

    private InstalledModel require(String id) {
        return find(id).orElseThrow(() -> new ModelLoadException("No installed model " + id + " in " + modelsDir
                + ": see './kaiyuan models list'."));
    }

    /** Re-hashes every file of the manifest and reports the missing and altered ones. */
    public VerifyReport verify(String id) throws IOException {
        InstalledModel model = require(id);
        JsonNode manifest = JSON.readTree(modelsDir.resolve(folderName(id)).resolve(MANIFEST).toFile());
        List<String> missing = new ArrayList<>();
        List<String> altered = new ArrayList<>();
        int checked = 0;
        for (JsonNode f : manifest.path("files")) {
            String path = f.path("path").asText();
            Path file = model.dir().resolve(path);
            checked++;
            if (!Files.isRegularFile(file)) {
                missing.add(path);
            } else if (Files.size(file) != f.path("size").asLong() || !sha256(file).equals(f.path("sha256").asText())) {
                altered.add(path);
            }
        }
        return new VerifyReport(model.id(), missing, altered, checked);
    }

    /** Removes a model completely: its folder (not an in-place import's own files) and any staged download. */
    public void remove(String id) throws IOException {
        InstalledModel model = require(id);
        deleteTree(modelsDir.resolve(folderName(id)));
        Path staging = modelsDir.resolve(".staging");
        if (Files.isDirectory(staging)) {
            try (Stream<Path> staged = Files.list(staging)) {
                for (Path p : staged.toList()) {
                    if (p.getFileName().toString().startsWith(folderName(model.id()) + "@")) {
                        deleteTree(p);
                    }
                }
            }
        }
    }

    /**
     * Imports a local model folder (checked to be runnable first) under {@code id}: copied into the models
     * folder, or, with {@code inPlace}, referenced where it is.
     */
    public InstalledModel importFolder(Path folder, String id, boolean inPlace) throws IOException {
        ModelFolder checked = ModelFolder.open(folder);
        ModelFiles.check(checked);
        Path target = modelsDir.resolve(folderName(id));
        if (Files.exists(target)) {
            throw new ModelLoadException(id + " is already installed: remove it first, or choose another --id.");
        }
        Path staging = modelsDir.resolve(".staging").resolve(folderName(id) + "@import");
        deleteTree(staging);
        Files.createDirectories(staging);
        ArrayNode files = JSON.createArrayNode();
        // The model's own files only: nothing else in the folder (a note, a link to a file elsewhere) is copied
        // or listed.
        List<Path> regular = ModelFiles.own(checked);
        for (Path f : regular) {
            String rel = folder.relativize(f).toString().replace('\\', '/');
            if (rel.equals(MANIFEST)) {
                continue;
            }
            if (!inPlace) {
                Path dest = staging.resolve(rel);
                Files.createDirectories(dest.getParent());
                Files.copy(f, dest, StandardCopyOption.COPY_ATTRIBUTES);
            }
            files.addObject().put("path", rel).put("size", Files.size(f)).put("sha256", sha256(f));
        }
        ObjectNode manifest = JSON.createObjectNode();
        manifest.put("id", id);
        manifest.put("source", "local");
        manifest.put("repo", folder.toAbsolutePath().toString());
        manifest.put("commit", "");
        manifest.put("variant", checked.chooseVariant(Optional.empty(), false).cliName());
        manifest.put("installed_at", Instant.now().toString());
        if (inPlace) {
            manifest.put("location", folder.toAbsolutePath().toString());
        }
        manifest.set("files", files);
        JSON.writerWithDefaultPrettyPrinter().writeValue(staging.resolve(MANIFEST).toFile(), manifest);
        Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
        return read(target);
    }

    static String sha256(Path file) throws IOException {
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), MessageDigest.getInstance("SHA-256"))) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
            return HexFormat.of().formatHex(((DigestInputStream) in).getMessageDigest().digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException exc) throws IOException {
                Files.delete(d);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
