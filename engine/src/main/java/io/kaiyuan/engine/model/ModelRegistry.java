package io.kaiyuan.engine.model;

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
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ModelRegistry.class);
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
        try {
            return Manifest.in(dir).flatMap(m -> m.file(path)).map(Manifest.Entry::sha256).filter(s -> !s.isEmpty());
        } catch (IOException | RuntimeException e) {
            LOG.debug("{}: its manifest cannot be read ({})", dir, e.getMessage());
            return Optional.empty();
        }
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
            Manifest m = Manifest.in(dir).orElseThrow(() -> new IOException("it is missing"));
            Path location = m.location().isEmpty() ? dir : Path.of(m.location());
            return new InstalledModel(m.id(), location, m.source(), m.repo(), m.commit(), m.variant(), m.bytes(),
                    m.installedAt(), OptimisationRecord.runs(location, m.variant()));
        } catch (IOException | RuntimeException e) {
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
        Manifest manifest = Manifest.in(modelsDir.resolve(folderName(id))).orElseThrow();
        List<String> missing = new ArrayList<>();
        List<String> altered = new ArrayList<>();
        int checked = 0;
        for (Manifest.Entry f : manifest.files()) {
            Path file = model.dir().resolve(f.path());
            checked++;
            if (!Files.isRegularFile(file)) {
                missing.add(f.path());
            } else if (Files.size(file) != f.size() || !sha256(file).equals(f.sha256())) {
                altered.add(f.path());
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
        List<Manifest.Entry> files = new ArrayList<>();
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
            files.add(new Manifest.Entry(rel, Files.size(f), sha256(f)));
        }
        return commit(staging, new Manifest(id, "local", folder.toAbsolutePath().toString(), "", "",
                checked.chooseVariant(Optional.empty(), false).cliName(), "", inPlace ? folder.toAbsolutePath().toString() : "",
                Instant.now().toString(), files));
    }

    /**
     * Installs what {@code staging} holds (every file verified) as {@code manifest}'s model: the manifest written into
     * it, then the folder moved into place in one atomic rename, so that a model is either installed with its
     * manifest or not at all. The one writer of manifests, for downloads and imports.
     *
     * @throws ModelLoadException when a model with that id is installed already
     */
    public InstalledModel commit(Path staging, Manifest manifest) throws IOException {
        Path target = modelsDir.resolve(folderName(manifest.id()));
        if (Files.exists(target)) {
            throw new ModelLoadException(manifest.id() + " is already installed: remove it first, or choose another --id.");
        }
        manifest.write(staging);
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
