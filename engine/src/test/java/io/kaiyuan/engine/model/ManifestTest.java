package io.kaiyuan.engine.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kaiyuan.engine.api.ModelLoadException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The one writer of install manifests: what it writes reads back the same, and nothing half-installed is left. */
class ManifestTest {
    @TempDir
    Path models;

    private Path staged(String name) throws Exception {
        Path staging = Files.createDirectories(models.resolve(".staging").resolve(name));
        Files.writeString(staging.resolve("config.json"), "{}");
        return staging;
    }

    @Test
    void aCommittedModelIsInPlaceWithItsManifestReadBackAsWritten() throws Exception {
        ModelRegistry registry = new ModelRegistry(models);
        Manifest m = new Manifest("org/model", "HUGGING_FACE", "org/model-onnx", "main", "0123abcd", "genai",
                "cpu-int4", "", "2026-12-02T10:00:00Z", List.of(new Manifest.Entry("model.onnx", 5, "ab".repeat(32),
                        "cpu-int4/model.onnx"), new Manifest.Entry("config.json", 2, "cd".repeat(32))));
        ModelRegistry.InstalledModel installed = registry.commit(staged("org--model"), m);
        assertEquals("org/model", installed.id());
        assertEquals(7, installed.bytes());
        assertEquals(m, Manifest.in(installed.dir()).orElseThrow());
        assertEquals("cd".repeat(32), ModelRegistry.manifestSha256(installed.dir(), "config.json").orElseThrow());
        assertTrue(Files.notExists(models.resolve(".staging/org--model")), "moved, not copied");

        // the same id again: refused, the staged files left where they are
        Path again = staged("again");
        ModelLoadException e = assertThrows(ModelLoadException.class, () -> registry.commit(again, m));
        assertTrue(e.getMessage().contains("already installed"), e.getMessage());
        assertTrue(Files.exists(again.resolve("config.json")));
        assertTrue(Files.notExists(again.resolve(ModelRegistry.MANIFEST)));
    }

    @Test
    void aManifestThatIsNotOneIsNamedWhenRead() throws Exception {
        Path dir = Files.createDirectories(models.resolve("org--broken"));
        Files.writeString(dir.resolve(ModelRegistry.MANIFEST), "[1, 2]");
        ModelLoadException e = assertThrows(ModelLoadException.class, () -> new ModelRegistry(models).find("org/broken"));
        assertTrue(e.getMessage().contains(ModelRegistry.MANIFEST), e.getMessage());
    }
}
