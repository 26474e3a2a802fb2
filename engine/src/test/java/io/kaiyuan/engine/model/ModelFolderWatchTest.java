package io.kaiyuan.engine.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The models folder watched on a real file system, changed as an install, a removal and a download do. */
class ModelFolderWatchTest {
    @TempDir
    Path dir;

    private static final String MANIFEST = "{\"id\":\"%s\",\"files\":[]}";

    /** The ids installed each time the watch called back. */
    private List<String> next(LinkedBlockingQueue<List<String>> seen) throws InterruptedException {
        List<String> ids = seen.poll(20, TimeUnit.SECONDS);
        assertTrue(ids != null, "no call within 20 s");
        return ids;
    }

    @Test
    void installsRemovalsAndEditsOfTheModelsFolderAreReported() throws Exception {
        Path models = dir.resolve("models");
        ModelRegistry registry = new ModelRegistry(models);
        LinkedBlockingQueue<List<String>> seen = new LinkedBlockingQueue<>();
        try (ModelFolderWatch watch = ModelFolderWatch.start(models, () ->
                seen.add(registry.list().stream().map(ModelRegistry.InstalledModel::id).toList()))) {
            // A download works in the staging folder: nothing to report while it runs.
            Path staged = models.resolve(".staging").resolve("org--a@main");
            Files.createDirectories(staged);
            Files.writeString(staged.resolve("model.onnx"), "weights");
            assertEquals(null, seen.poll(1, TimeUnit.SECONDS), "a partial download is not an install");

            // The install moves the finished folder in, then writes its manifest.
            Path a = models.resolve("org--a");
            Files.move(staged, a, StandardCopyOption.ATOMIC_MOVE);
            Files.writeString(a.resolve(ModelRegistry.MANIFEST), String.format(MANIFEST, "org/a"));
            List<String> ids = next(seen);
            while (!ids.contains("org/a")) {
                ids = next(seen);
            }
            assertEquals(List.of("org/a"), ids);

            // Another program (the command line) imports one in place: only a manifest.
            Path b = models.resolve("org--b");
            Files.createDirectories(b);
            Files.writeString(b.resolve(ModelRegistry.MANIFEST), String.format(MANIFEST, "org/b"));
            ids = next(seen);
            while (!ids.contains("org/b")) {
                ids = next(seen);
            }
            assertEquals(List.of("org/a", "org/b"), ids);

            // Removed by hand.
            Files.delete(a.resolve(ModelRegistry.MANIFEST));
            Files.delete(a.resolve("model.onnx"));
            Files.delete(a);
            ids = next(seen);
            while (ids.contains("org/a")) {
                ids = next(seen);
            }
            assertEquals(List.of("org/b"), ids);
        }
    }

    @Test
    void aMissingModelsFolderIsCreatedAndWatched() throws Exception {
        Path models = dir.resolve("not-yet");
        LinkedBlockingQueue<String> seen = new LinkedBlockingQueue<>();
        try (ModelFolderWatch watch = ModelFolderWatch.start(models, () -> seen.add("changed"))) {
            assertTrue(Files.isDirectory(models));
            Files.createDirectories(models.resolve("x--y"));
            assertEquals("changed", seen.poll(20, TimeUnit.SECONDS));
        }
    }
}
