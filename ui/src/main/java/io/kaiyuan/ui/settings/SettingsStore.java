package io.kaiyuan.ui.settings;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kaiyuan.engine.io.AtomicFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Settings in a JSON file. A write goes to a temporary file first and replaces the old one in one move,
 * so a crash mid-write leaves the previous settings; a missing or unreadable file gives the defaults.
 * Touches the disk: call off the FX thread.
 */
public final class SettingsStore {
    private static final Logger LOG = LoggerFactory.getLogger(SettingsStore.class);
    private static final ObjectMapper JSON = new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
    private final Path file;

    public SettingsStore(Path file) {
        this.file = file;
    }

    /** The stored settings, or the defaults when there are none or they cannot be read. */
    public Settings load() {
        if (!Files.isRegularFile(file)) {
            return Settings.DEFAULTS;
        }
        try {
            return JSON.readValue(file.toFile(), Settings.class);
        } catch (IOException | RuntimeException e) {
            LOG.warn("{} cannot be read ({}); using the default settings", file, e.getMessage());
            return Settings.DEFAULTS;
        }
    }

    /** Saves the settings, replacing the file atomically. */
    public void save(Settings settings) throws IOException {
        AtomicFiles.write(file, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(settings));
    }
}
