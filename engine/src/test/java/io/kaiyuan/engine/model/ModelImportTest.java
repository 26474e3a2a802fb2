package io.kaiyuan.engine.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kaiyuan.engine.api.ModelLoadException;
import io.kaiyuan.engine.testing.TestModels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A folder to import is checked before it is registered, and only the model's own files are taken. */
class ModelImportTest {
    @TempDir
    Path work;

    private Path model(String name) throws Exception {
        return TestModels.withTokenizer(TestModels.chatSized(), work.resolve(name));
    }

    private static List<String> files(Path dir) throws Exception {
        try (Stream<Path> walk = Files.walk(dir)) {
            return walk.filter(p -> Files.isRegularFile(p, java.nio.file.LinkOption.NOFOLLOW_LINKS))
                    .map(p -> dir.relativize(p).toString().replace('\\', '/')).sorted().toList();
        }
    }

    @Test
    void aLinkOutOfTheFolderIsNeverCopiedInAndOtherFilesStayOut() throws Exception {
        Path folder = model("linked");
        Path secret = Files.writeString(work.resolve("secret.txt"), "the user's private key");
        Files.createSymbolicLink(folder.resolve("notes.txt"), secret);
        Files.createSymbolicLink(folder.resolve("onnx").resolve("extra.bin"), secret);
        Files.writeString(folder.resolve("README.md"), "# a note");
        ModelRegistry registry = new ModelRegistry(work.resolve("models"));
        ModelRegistry.InstalledModel copied = registry.importFolder(folder, "local/linked", false);
        List<String> taken = files(copied.dir());
        assertFalse(taken.contains("notes.txt") || taken.contains("onnx/extra.bin") || taken.contains("README.md"), taken.toString());
        assertTrue(taken.containsAll(List.of("config.json", "tokenizer.json", "tokenizer_config.json", "onnx/model.onnx")),
                taken.toString());
        try (Stream<Path> walk = Files.walk(copied.dir())) {
            assertTrue(walk.noneMatch(p -> {
                try {
                    return Files.isRegularFile(p) && Files.readString(p, StandardCharsets.ISO_8859_1).contains("private key");
                } catch (Exception e) {
                    return false;
                }
            }), "the outside file's bytes are nowhere in the model");
        }
        String manifest = Files.readString(copied.dir().resolve(ModelRegistry.MANIFEST));
        assertFalse(manifest.contains("notes.txt") || manifest.contains("extra.bin"), manifest);
        assertTrue(registry.verify("local/linked").ok());
    }

    @Test
    void anEmptyOrTextGraphAndATruncatedTokenizerAreRefusedBeforeRegistering() throws Exception {
        ModelRegistry registry = new ModelRegistry(work.resolve("models"));

        Path empty = model("empty");
        Files.write(empty.resolve("onnx/model.onnx"), new byte[0]);
        ModelLoadException e1 = assertThrows(ModelLoadException.class, () -> registry.importFolder(empty, "a/empty", true));
        assertEquals(empty.resolve("onnx/model.onnx") + " is empty: download the model again.", e1.getMessage());

        Path text = model("text");
        Files.writeString(text.resolve("onnx/model.onnx"), "this is not a model, it is a text file\n");
        ModelLoadException e2 = assertThrows(ModelLoadException.class, () -> registry.importFolder(text, "a/text", true));
        assertTrue(e2.getMessage().startsWith(text.resolve("onnx/model.onnx") + " is not an ONNX model"), e2.getMessage());

        Path truncated = model("truncated");
        byte[] tokenizer = Files.readAllBytes(truncated.resolve("tokenizer.json"));
        Files.write(truncated.resolve("tokenizer.json"), java.util.Arrays.copyOf(tokenizer, tokenizer.length / 2));
        ModelLoadException e3 = assertThrows(ModelLoadException.class, () -> registry.importFolder(truncated, "a/cut", false));
        assertTrue(e3.getMessage().startsWith(truncated.resolve("tokenizer.json") + " is not complete JSON"), e3.getMessage());
        assertFalse(e3.getMessage().contains("\n"), "one line");

        assertTrue(registry.list().isEmpty(), "nothing registered");
        assertFalse(Files.exists(work.resolve("models/a--cut")));
    }

    @Test
    void aRealGraphPassesTheCheck() throws Exception {
        Path good = model("good");
        ModelFiles.checkGraph(good.resolve("onnx/model.onnx"));
        ModelFiles.checkJson(good.resolve("tokenizer.json"));
    }
}
