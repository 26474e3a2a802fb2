package io.kaiyuan.ui.models;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kaiyuan.engine.io.AtomicFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The downloads the user started and that have not ended (installed, cancelled or failed), so that they
 * continue when the app starts again; a paused one stays paused. A JSON file replaced atomically.
 * Thread-safe; touches the disk: call off the FX thread.
 */
public final class DownloadJournal {
    private static final Logger LOG = LoggerFactory.getLogger(DownloadJournal.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One download: the catalog id, the variant and source chosen, and whether it was paused. */
    public record Entry(String id, String variant, String source, boolean paused) {}

    private final Path file;

    public DownloadJournal(Path file) {
        this.file = file;
    }

    /** The downloads recorded; none when the file is missing or unreadable. */
    public synchronized List<Entry> load() {
        if (!Files.isRegularFile(file)) {
            return List.of();
        }
        try {
            return JSON.readValue(file.toFile(), new TypeReference<List<Entry>>() { });
        } catch (IOException | RuntimeException e) {
            LOG.warn("{} cannot be read ({}); downloads will not continue by themselves", file, e.getMessage());
            return List.of();
        }
    }

    /** Records a download, replacing an earlier record of the same id. */
    public synchronized void put(Entry entry) {
        List<Entry> entries = new ArrayList<>(load());
        entries.removeIf(e -> e.id().equals(entry.id()));
        entries.add(entry);
        write(entries);
    }

    /** Forgets a download that ended. */
    public synchronized void remove(String id) {
        List<Entry> entries = new ArrayList<>(load());
        if (entries.removeIf(e -> e.id().equals(id))) {
            write(entries);
        }
    }

    private void write(List<Entry> entries) {
        try {
            AtomicFiles.write(file, JSON.writeValueAsBytes(entries));
        } catch (IOException e) {
            LOG.warn("{} not written: {}", file, e.getMessage());
        }
    }
}
