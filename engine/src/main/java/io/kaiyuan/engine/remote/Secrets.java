package io.kaiyuan.engine.remote;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kaiyuan.engine.io.AtomicFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
        AtomicFiles.write(file, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(all), true);
    }

    @Override
    public String toString() {
        return "Secrets[" + file + "]";
    }
}
