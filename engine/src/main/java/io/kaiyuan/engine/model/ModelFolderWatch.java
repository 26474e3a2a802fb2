package io.kaiyuan.engine.model;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells when the installed models may have changed by any means (the app, the command line, a file
 * manager): it watches the models folder and each model's folder, and calls back once things have been
 * quiet for a moment, so an install that writes many files is one call. Partial downloads (the staging
 * folder) are not watched. The callback runs on the watch's own daemon thread.
 */
public final class ModelFolderWatch implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ModelFolderWatch.class);
    /** Quiet time before the callback. */
    static final long SETTLE_MS = 300;
    /** Longest wait for quiet before the callback. */
    static final long LONGEST_SETTLE_MS = 5000;

    private final Path modelsDir;
    private final Runnable onChange;
    private final WatchService watch;
    private final Thread thread;
    private volatile boolean closed;

    private ModelFolderWatch(Path modelsDir, Runnable onChange) throws IOException {
        this.modelsDir = modelsDir;
        this.onChange = onChange;
        Files.createDirectories(modelsDir);
        this.watch = FileSystems.getDefault().newWatchService();
        register(modelsDir);
        try (Stream<Path> dirs = Files.list(modelsDir)) {
            for (Path d : dirs.toList()) {
                if (watched(d)) {
                    register(d);
                }
            }
        }
        this.thread = new Thread(this::run, "kaiyuan-models-watch");
        thread.setDaemon(true);
        thread.start();
    }

    /** Starts watching {@code modelsDir} (created when missing); {@code onChange} runs after each burst of changes. */
    public static ModelFolderWatch start(Path modelsDir, Runnable onChange) throws IOException {
        return new ModelFolderWatch(modelsDir, onChange);
    }

    private static boolean watched(Path dir) {
        return Files.isDirectory(dir) && !dir.getFileName().toString().startsWith(".");
    }

    private void register(Path dir) throws IOException {
        dir.register(watch, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_DELETE,
                StandardWatchEventKinds.ENTRY_MODIFY);
    }

    private void run() {
        try {
            while (!closed) {
                WatchKey key = watch.take();
                boolean relevant = drain(key);
                // Let the burst settle: an install or a removal touches many files (but a folder that never
                // stops changing is reported every few seconds all the same).
                long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(LONGEST_SETTLE_MS);
                WatchKey more;
                while (System.nanoTime() < until && (more = watch.poll(SETTLE_MS, TimeUnit.MILLISECONDS)) != null) {
                    relevant |= drain(more);
                }
                if (relevant && !closed) {
                    try {
                        onChange.run();
                    } catch (RuntimeException e) {
                        LOG.warn("reacting to a change of {} failed", modelsDir, e);
                    }
                }
            }
        } catch (InterruptedException | ClosedWatchServiceException e) {
            // closed
        }
    }

    /** Reads a key's events, watching new model folders too; whether any concerns the installed models. */
    private boolean drain(WatchKey key) {
        boolean relevant = false;
        Path dir = (Path) key.watchable();
        for (WatchEvent<?> event : key.pollEvents()) {
            if (event.kind() == StandardWatchEventKinds.OVERFLOW) {
                relevant = true;
                continue;
            }
            Path child = dir.resolve((Path) event.context());
            if (dir.equals(modelsDir)) {
                if (child.getFileName().toString().startsWith(".")) {
                    continue; // the staging folder of downloads in progress
                }
                if (event.kind() == StandardWatchEventKinds.ENTRY_CREATE && watched(child)) {
                    try {
                        register(child);
                    } catch (IOException e) {
                        LOG.debug("cannot watch {}: {}", child, e.getMessage());
                    }
                }
                relevant = true;
            } else if (child.getFileName().toString().equals(ModelRegistry.MANIFEST)) {
                relevant = true;
            }
        }
        key.reset();
        return relevant;
    }

    @Override
    public void close() {
        closed = true;
        try {
            watch.close();
        } catch (IOException e) {
            // closing
        }
        thread.interrupt();
    }
}
