package io.kaiyuan.engine.remote;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.AclEntry;
import java.nio.file.attribute.AclEntryPermission;
import java.nio.file.attribute.AclEntryType;
import java.nio.file.attribute.AclFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * API keys (the local server's, remote endpoints') in a JSON file only its owner can read: mode 600 on
 * POSIX systems, an ACL naming only the owner on Windows. Written to a temporary file with those
 * permissions first and moved over the old one, so a crash mid-write keeps the previous keys. The keys
 * never appear in {@link #toString()} or in logs. Thread-safe; touches the disk.
 */
public final class Secrets {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Path file;

    public Secrets(Path file) {
        this.file = file;
    }

    /** The key stored under {@code name}, if any. */
    public synchronized Optional<String> get(String name) throws IOException {
        return Optional.ofNullable(read().get(name));
    }

    /** Stores {@code key} under {@code name}; an empty or null key removes it. */
    public synchronized void put(String name, String key) throws IOException {
        Map<String, String> all = read();
        if (key == null || key.isEmpty()) {
            all.remove(name);
        } else {
            all.put(name, key);
        }
        write(all);
    }

    private Map<String, String> read() throws IOException {
        if (!Files.isRegularFile(file)) {
            return new TreeMap<>();
        }
        try {
            return new TreeMap<>(JSON.readValue(file.toFile(), new TypeReference<Map<String, String>>() { }));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IOException(file + " is not a key file Kaiyuan can read: move it away to start with no keys.", e);
        }
    }

    private void write(Map<String, String> all) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = dir.resolve(file.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
            Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } else {
            Files.createFile(tmp);
            ownerOnly(tmp);
        }
        Files.write(tmp, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(all));
        try {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** Windows: an ACL with one entry, the owner's. */
    private static void ownerOnly(Path path) throws IOException {
        AclFileAttributeView acl = Files.getFileAttributeView(path, AclFileAttributeView.class);
        if (acl == null) {
            return;
        }
        UserPrincipal owner = Files.getOwner(path);
        acl.setAcl(List.of(AclEntry.newBuilder().setType(AclEntryType.ALLOW).setPrincipal(owner)
                .setPermissions(EnumSet.allOf(AclEntryPermission.class)).build()));
    }

    @Override
    public String toString() {
        return "Secrets[" + file + "]";
    }
}
