package io.kaiyuan.app.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kaiyuan.engine.download.InstallProgress;
import io.kaiyuan.engine.testing.HubTestServer;
import io.kaiyuan.engine.testing.TestModels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelsCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path home;

    @TempDir
    Path work;

    private HubTestServer hub;
    private Path model;

    private static Cli.Run run(String... args) {
        return Cli.run(args);
    }

    @BeforeEach
    void setUp() throws Exception {
        System.setProperty("kaiyuan.home", home.toString());
        model = TestModels.withTokenizer(TestModels.chatSized(), work.resolve("Tiny-Qwen"));
        Map<String, byte[]> files = HubTestServer.filesOf(model);
        files.put("README.md", "model card".getBytes());
        hub = new HubTestServer();
        hub.addRepo("onnx-community/Tiny-Qwen", files);
    }

    @AfterEach
    void tearDown() {
        hub.close();
        System.clearProperty("kaiyuan.home");
    }

    @Test
    void pullGenerateVerifyRemove() throws Exception {
        Cli.Run pull = run("models", "pull", "onnx-community/Tiny-Qwen", "--source", hub.endpoint().toString(), "--json");
        assertEquals(0, pull.exitCode(), pull.err());
        JsonNode result = JSON.readTree(pull.out());
        assertEquals("fp32", result.get("variant").asText());
        assertEquals(HubTestServer.COMMIT, result.get("commit").asText());
        Path installed = home.resolve("models/onnx-community--Tiny-Qwen");
        assertFalse(Files.exists(installed.resolve("README.md")), "only the model's files are fetched");

        Cli.Run list = run("models", "list", "--json");
        assertEquals("onnx-community/Tiny-Qwen", JSON.readTree(list.out()).get(0).get("id").asText());

        Cli.Run generate = run("generate", "--model", "onnx-community/Tiny-Qwen", "--prompt", "你好", "--max-new-tokens", "3", "--json");
        assertEquals(0, generate.exitCode(), generate.err());
        assertEquals("onnx-community/Tiny-Qwen", JSON.readTree(generate.out()).get("model").asText());

        assertEquals(0, run("models", "verify", "onnx-community/Tiny-Qwen").exitCode());
        Files.writeString(installed.resolve("config.json"), "{}");
        Cli.Run damaged = run("models", "verify", "onnx-community/Tiny-Qwen");
        assertEquals(1, damaged.exitCode());
        assertTrue(damaged.out().contains("altered: config.json"), damaged.out());
        Files.delete(installed.resolve("tokenizer.json"));
        assertTrue(run("models", "verify", "onnx-community/Tiny-Qwen").out().contains("missing: tokenizer.json"));

        assertEquals(0, run("models", "rm", "onnx-community/Tiny-Qwen").exitCode());
        assertFalse(Files.exists(installed));
        assertEquals("[]", run("models", "list", "--json").out().trim());
    }

    @Test
    void searchListsTheRunnableRepositoriesWithTheirVariantsAndOneIsPulled() throws Exception {
        hub.info.put("onnx-community/Tiny-Qwen", new HubTestServer.Info(1234, 56, "2025-01-02T03:04:05.000Z",
                java.util.List.of("onnx", "license:apache-2.0")));
        hub.addRepo("someone/Tiny-Qwen-GGUF", Map.of("model.gguf", new byte[2048]));
        Cli.Run plain = run("models", "search", "tiny-qwen", "--source", hub.endpoint().toString());
        assertEquals(0, plain.exitCode(), plain.err());
        assertTrue(plain.out().startsWith("onnx-community/Tiny-Qwen  ↓1,234  ♥56  updated 2025-01-02  apache-2.0"),
                plain.out());
        assertTrue(plain.out().contains("fp32 ") && plain.out().contains("1 found on " + hub.endpoint() + ", 1 left out"), plain.out());
        Cli.Run json = run("models", "search", "tiny-qwen", "--source", hub.endpoint().toString(), "--json");
        com.fasterxml.jackson.databind.JsonNode hits = JSON.readTree(json.out());
        assertEquals(1, hits.size());
        assertEquals("fp32", hits.get(0).get("variants").get(0).get("names").get(0).asText());
        assertEquals(Files.size(model.resolve("onnx/model.onnx")), hits.get(0).get("variants").get(0).get("bytes").asLong());
        Cli.Run pull = run("models", "pull", hits.get(0).get("repo").asText(), "--variant", "fp32", "--source",
                hub.endpoint().toString(), "--json");
        assertEquals(0, pull.exitCode(), pull.err());
    }

    @Test
    void genAiFoldersAreSearchedPulledByFolderImportedAndRun() throws Exception {
        Path genai = TestModels.genAiWithTokenizer(TestModels.chatSized().positionIds(false).dims(64, 4, 2, 16, 64),
                work.resolve("genai"), io.kaiyuan.engine.model.DecoderIo.TRANSFORMERS_JS.withShareBuffer(true));
        Map<String, byte[]> repo = new java.util.LinkedHashMap<>();
        for (Map.Entry<String, byte[]> f : HubTestServer.filesOf(genai).entrySet()) {
            repo.put("tiny-1.5B/cpu_and_mobile/cpu-int4/" + f.getKey(), f.getValue());
            repo.put("tiny-7B/cpu_and_mobile/cpu-int4/" + f.getKey(), f.getValue());
        }
        hub.addRepo("onnxruntime/Tiny-Distill-ONNX", repo);
        Cli.Run plain = run("models", "search", "tiny-distill", "--source", hub.endpoint().toString());
        assertEquals(0, plain.exitCode(), plain.err());
        assertTrue(plain.out().contains("  genai ") && plain.out().contains("--folder tiny-1.5B/cpu_and_mobile/cpu-int4")
                && plain.out().contains("--folder tiny-7B/cpu_and_mobile/cpu-int4"), plain.out());
        JsonNode hits = JSON.readTree(run("models", "search", "tiny-distill", "--source", hub.endpoint().toString(), "--json").out());
        assertEquals("genai", hits.get(0).get("variants").get(0).get("names").get(0).asText());
        assertEquals("tiny-1.5B/cpu_and_mobile/cpu-int4", hits.get(0).get("variants").get(0).get("folder").asText());

        hub.requests.clear();
        Cli.Run pull = run("models", "pull", "onnxruntime/Tiny-Distill-ONNX", "--folder", "tiny-7B/cpu_and_mobile/cpu-int4",
                "--as", "distill-7b", "--source", hub.endpoint().toString(), "--json");
        assertEquals(0, pull.exitCode(), pull.err());
        assertEquals("genai", JSON.readTree(pull.out()).get("variant").asText());
        assertTrue(hub.requests.stream().noneMatch(r -> r.contains("tiny-1.5B/") && r.contains("/resolve/")),
                "only the folder named is fetched");
        Cli.Run generate = run("generate", "--model", "distill-7b", "--prompt", "你好", "--max-new-tokens", "3", "--json");
        assertEquals(0, generate.exitCode(), generate.err());
        assertEquals(0, run("models", "verify", "distill-7b").exitCode());

        Cli.Run wrong = run("models", "pull", "onnxruntime/Tiny-Distill-ONNX", "--folder", "tiny-7B", "--variant", "q4",
                "--source", hub.endpoint().toString());
        assertEquals(2, wrong.exitCode());
        assertTrue(wrong.err().contains("--folder takes an ONNX Runtime GenAI folder"), wrong.err());

        Cli.Run imported = run("models", "import", genai.toString(), "--id", "local/genai");
        assertEquals(0, imported.exitCode(), imported.err());
        assertTrue(Files.exists(home.resolve("models/local--genai/genai_config.json")));
        assertTrue(Files.exists(home.resolve("models/local--genai/model.onnx")));
        assertEquals(0, run("generate", "--model", "local/genai", "--prompt", "hi", "--max-new-tokens", "2").exitCode());
    }

    @Test
    void importInPlaceOrCopiedAndRunById() throws Exception {
        Cli.Run inPlace = run("models", "import", model.toString(), "--id", "local/tiny", "--in-place");
        assertEquals(0, inPlace.exitCode(), inPlace.err());
        assertFalse(Files.exists(home.resolve("models/local--tiny/config.json")), "referenced, not copied");
        Cli.Run generate = run("generate", "--model", "local/tiny", "--prompt", "hi", "--max-new-tokens", "2", "--json");
        assertEquals(0, generate.exitCode(), generate.err());

        Cli.Run copied = run("models", "import", model.toString());
        assertEquals(0, copied.exitCode(), copied.err());
        assertTrue(Files.exists(home.resolve("models/Tiny-Qwen/config.json")));
        assertEquals(0, run("models", "verify", "Tiny-Qwen").exitCode());

        Cli.Run notAModel = run("models", "import", work.toString(), "--id", "broken");
        assertEquals(2, notAModel.exitCode());
        assertTrue(notAModel.err().contains("config.json is missing"), notAModel.err());
    }

    @Test
    void errorsExitNonZeroWithTheMessage() {
        hub.gated = true;
        Cli.Run gated = run("models", "pull", "onnx-community/Tiny-Qwen", "--source", hub.endpoint().toString());
        assertEquals(2, gated.exitCode());
        assertTrue(gated.err().contains("accept its licence"), gated.err());
        hub.gated = false;
        Cli.Run badSource = run("models", "pull", "onnx-community/Tiny-Qwen", "--source", "ftp-land");
        assertEquals(2, badSource.exitCode());
        assertTrue(badSource.err().contains("Unknown source"), badSource.err());
        Cli.Run missing = run("models", "rm", "nobody/nothing");
        assertEquals(2, missing.exitCode());
        assertTrue(missing.err().contains("No installed model nobody/nothing"), missing.err());
        assertTrue(List.of(home.toFile().list()).isEmpty() || !Files.exists(home.resolve("models/onnx-community--Tiny-Qwen")));
    }

    @Test
    void theCatalogListsModelsWithWhatFitsAndOneIsPulledByItsId() throws Exception {
        Cli.Run catalog = run("models", "catalog", "--json");
        assertEquals(0, catalog.exitCode(), catalog.err());
        JsonNode entries = JSON.readTree(catalog.out());
        assertTrue(entries.size() >= 8, catalog.out());
        for (JsonNode e : entries) {
            assertTrue(List.of("fits", "tight", "wont fit").contains(e.get("fit").asText()), e.toString());
            assertFalse(e.get("installed").asBoolean());
        }
        JsonNode qwen = find(entries, "qwen2.5-0.5b-instruct");
        assertEquals("q4", qwen.get("variant").asText());
        assertEquals(786_156_820L, qwen.get("weights_bytes").asLong());
        assertEquals(24L * 2 * 64 * 2 * 4 * 4096, qwen.get("kv_cache_bytes").asLong());
        assertEquals("onnx-community/Qwen2.5-0.5B-Instruct", qwen.get("huggingface").asText());
        assertEquals("q4f16", find(JSON.readTree(run("models", "catalog", "--json", "--gpu").out()),
                "deepseek-r1-distill-qwen-1.5b").get("variant").asText());
        Cli.Run table = run("models", "catalog", "--context", "8192");
        assertTrue(table.out().contains("qwen3-0.6b") && table.out().contains("Apache-2.0") && table.out().contains("8192 tokens"),
                table.out());

        // The catalog entry's repository, served by the local hub with a q4 graph (a tiny model under that name)
        Path q4 = TestModels.withTokenizer(TestModels.chatSized().variantFile("model_q4"), work.resolve("q4"));
        Map<String, byte[]> files = HubTestServer.filesOf(q4);
        hub.addRepo("onnx-community/Qwen2.5-0.5B-Instruct", files);
        Cli.Run pull = run("models", "pull", "qwen2.5-0.5b-instruct", "--source", hub.endpoint().toString(), "--json");
        assertEquals(0, pull.exitCode(), pull.err());
        JsonNode installed = JSON.readTree(pull.out());
        assertEquals("qwen2.5-0.5b-instruct", installed.get("id").asText());
        assertEquals("onnx-community/Qwen2.5-0.5B-Instruct", installed.get("repo").asText());
        assertEquals("q4", installed.get("variant").asText(), "the catalog's CPU recommendation");
        assertTrue(find(JSON.readTree(run("models", "catalog", "--json").out()), "qwen2.5-0.5b-instruct").get("installed").asBoolean());
        Cli.Run generate = run("generate", "--model", "qwen2.5-0.5b-instruct", "--prompt", "你好", "--max-new-tokens", "2", "--json");
        assertEquals(0, generate.exitCode(), generate.err());

        Cli.Run unknown = run("models", "pull", "qwen9-1t");
        assertEquals(2, unknown.exitCode());
        assertTrue(unknown.err().contains("neither a catalog id nor a repository"), unknown.err());
        Cli.Run noModelScope = run("models", "pull", "qwen2.5-1.5b-instruct", "--source", "modelscope");
        assertEquals(2, noModelScope.exitCode());
        assertTrue(noModelScope.err().contains("no known copy on ModelScope") && noModelScope.err().contains("hf-mirror"),
                noModelScope.err());
    }

    private static JsonNode find(JsonNode entries, String id) {
        for (JsonNode e : entries) {
            if (e.get("id").asText().equals(id)) {
                return e;
            }
        }
        throw new AssertionError(id + " not in " + entries);
    }

    @Test
    void theProgressLineShowsRateEtaAndActiveFiles() {
        var files = List.of(
                new InstallProgress.FileProgress("onnx/model_q4.onnx", 300_000_000L, 700_000_000L, InstallProgress.FileState.DOWNLOADING),
                new InstallProgress.FileProgress("tokenizer.json", 7_000_000L, 7_000_000L, InstallProgress.FileState.VERIFIED));
        String line = ModelsCommand.ProgressBar.line(new InstallProgress(307_000_000L, 707_000_000L, 10_000_000, files, false, "hf-mirror"));
        assertTrue(line.contains(" 43.4% 0.31 GB / 0.71 GB") && line.contains("10.0 MB/s") && line.contains("ETA 0:40")
                && line.contains("1 file downloading") && line.contains("from hf-mirror"), line);
        String paused = ModelsCommand.ProgressBar.line(new InstallProgress(307_000_000L, 707_000_000L, 0, files, true, "hf-mirror"));
        assertTrue(paused.contains("paused"), paused);
    }
}
