package io.kaiyuan.engine.download;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kaiyuan.engine.api.CancellationToken;
import io.kaiyuan.engine.testing.HubTestServer;
import io.kaiyuan.engine.model.Variant;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

class ModelInstallerTest {
    private static final String REPO = "onnx-community/Tiny-Qwen";
    private HubTestServer hub;
    private Map<String, byte[]> files;

    @TempDir
    Path models;

    @BeforeEach
    void start() throws Exception {
        hub = new HubTestServer();
        files = new LinkedHashMap<>();
        files.put("config.json", "{\"model_type\":\"qwen2\"}".getBytes(StandardCharsets.UTF_8));
        files.put("generation_config.json", "{\"eos_token_id\":[2]}".getBytes(StandardCharsets.UTF_8));
        files.put("tokenizer.json", random(5_000, 1));
        files.put("tokenizer_config.json", "{\"chat_template\":\"x\"}".getBytes(StandardCharsets.UTF_8));
        files.put("README.md", "# not fetched".getBytes(StandardCharsets.UTF_8));
        files.put("onnx/model.onnx", random(40_000, 2));
        files.put("onnx/model_q4.onnx", random(30_000, 3));
        files.put("onnx/model_q4.onnx_data", random(6_000_000, 4));
        hub.addRepo(REPO, files);
    }

    @AfterEach
    void stop() {
        hub.close();
    }

    private static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    private HuggingFaceSource source(String token) {
        return new HuggingFaceSource("test-hub", hub.endpoint(), Optional.ofNullable(token));
    }

    private static FileTransfer transfer() {
        return new FileTransfer(Duration.ofMillis(600), 2, Duration.ofMillis(20));
    }

    private ModelInstaller.Installed install(HubSource... sources) throws Exception {
        return new ModelInstaller(models, transfer()).install("tiny", origins(REPO, "main", sources),
                Optional.of(Variant.Q4), p -> { }, new CancellationToken());
    }

    private static List<Origin> origins(String repo, String revision, HubSource... sources) {
        List<Origin> out = new ArrayList<>();
        for (HubSource s : sources) {
            out.add(new Origin(s, repo, revision));
        }
        return out;
    }

    private void assertInstalledExactly(Path dir) throws Exception {
        List<String> present;
        try (Stream<Path> walk = Files.walk(dir)) {
            present = walk.filter(Files::isRegularFile).map(p -> dir.relativize(p).toString().replace('\\', '/')).sorted().toList();
        }
        assertEquals(List.of("config.json", "generation_config.json", ModelInstaller.MANIFEST, "onnx/model_q4.onnx",
                "onnx/model_q4.onnx_data", "tokenizer.json", "tokenizer_config.json"), present);
        for (String f : present) {
            if (!f.equals(ModelInstaller.MANIFEST)) {
                assertArrayEquals(files.get(f), Files.readAllBytes(dir.resolve(f)), f);
            }
        }
    }

    @Test
    void installsOnlyTheVariantsFilesWithAManifest() throws Exception {
        ModelInstaller.Installed installed = install(source(null));
        assertEquals(models.resolve("tiny"), installed.dir());
        assertEquals(HubTestServer.COMMIT, installed.commit());
        assertInstalledExactly(installed.dir());
        JsonNode manifest = new ObjectMapper().readTree(installed.dir().resolve(ModelInstaller.MANIFEST).toFile());
        assertEquals(REPO, manifest.get("repo").asText());
        assertEquals(HubTestServer.COMMIT, manifest.get("commit").asText());
        assertEquals("q4", manifest.get("variant").asText());
        for (JsonNode f : manifest.get("files")) {
            assertEquals(HubTestServer.sha256(files.get(f.get("path").asText())), f.get("sha256").asText());
        }
        assertFalse(Files.exists(models.resolve(".staging").resolve("tiny@" + HubTestServer.COMMIT)));
        assertTrue(hub.requests.stream().anyMatch(r -> r.contains("cursor=")), "the listing was paginated");
    }

    @Test
    void aRepositoryWithBothLayoutsGivesExactlyTheOnnxCommunityOne() throws Exception {
        // As onnx-community/Qwen3-0.6B-ONNX: onnx/ graphs and an ONNX Runtime GenAI folder with its own files.
        String genai = "onnxruntime/cpu_and_mobile/cpu-int4-kld-block-128/";
        for (String f : new String[] {"genai_config.json", "model.onnx", "model.onnx.data", "tokenizer.json",
                "tokenizer_config.json", "chat_template.jinja", "config.json"}) {
            files.put(genai + f, random(2_000, f.hashCode()));
        }
        hub.addRepo(REPO, files);
        ModelInstaller.Installed installed = install(source(null));
        assertInstalledExactly(installed.dir());
        assertTrue(hub.requests.stream().noneMatch(r -> r.contains("onnxruntime/")),
                "nothing of the GenAI folder is fetched: " + hub.requests);
    }

    @Test
    void theGenAiVariantTakesExactlyTheGenAiFolderAndPutsItAtTheTop() throws Exception {
        String genai = "onnxruntime/cpu_and_mobile/cpu-int4-kld-block-128/";
        for (String f : new String[] {"genai_config.json", "model.onnx", "model.onnx.data", "tokenizer.json",
                "tokenizer_config.json", "chat_template.jinja", "config.json", "README.md", "vocab.json"}) {
            files.put(genai + f, random(2_000 + f.length(), f.hashCode()));
        }
        files.put("onnxruntime/webgpu/genai_config.json", random(100, 1));
        files.put("onnxruntime/webgpu/model.onnx", random(100, 2));
        files.put("onnxruntime/webgpu/tokenizer.json", random(100, 3));
        files.put("onnxruntime/webgpu/tokenizer_config.json", random(100, 4));
        hub.addRepo(REPO, files);
        ModelInstaller.Installed installed = new ModelInstaller(models, transfer()).install("tiny-genai",
                origins(REPO, "main", source(null)), Optional.of(Variant.GENAI), p -> { }, new CancellationToken());
        assertEquals(Variant.GENAI, installed.variant());
        List<String> present;
        try (Stream<Path> walk = Files.walk(installed.dir())) {
            present = walk.filter(Files::isRegularFile).map(p -> installed.dir().relativize(p).toString()).sorted().toList();
        }
        assertEquals(List.of("chat_template.jinja", "config.json", "genai_config.json", ModelInstaller.MANIFEST, "model.onnx",
                "model.onnx.data", "tokenizer.json", "tokenizer_config.json"), present,
                "the CPU folder's own files, at the top; not its README or vocab.json, nothing of onnx/ or webgpu/");
        for (String f : present) {
            if (!f.equals(ModelInstaller.MANIFEST)) {
                assertArrayEquals(files.get(genai + f), Files.readAllBytes(installed.dir().resolve(f)), f);
            }
        }
        assertTrue(hub.requests.stream().noneMatch(r -> r.contains("/onnx/model") || r.contains("webgpu/")), hub.requests.toString());
        JsonNode manifest = new ObjectMapper().readTree(installed.dir().resolve(ModelInstaller.MANIFEST).toFile());
        assertEquals("genai", manifest.get("variant").asText());
        assertEquals(genai.substring(0, genai.length() - 1), manifest.get("folder").asText());
        for (JsonNode f : manifest.get("files")) {
            assertEquals(genai + f.get("path").asText(), f.get("repo_path").asText());
        }

        ModelInstaller.Installed webgpu = new ModelInstaller(models, transfer()).install("tiny-webgpu",
                origins(REPO, "main", source(null)), Optional.empty(), Optional.of("onnxruntime/webgpu/"), p -> { },
                new CancellationToken());
        assertArrayEquals(files.get("onnxruntime/webgpu/model.onnx"), Files.readAllBytes(webgpu.dir().resolve("model.onnx")),
                "a folder named is the one taken");
        HubException unknown = assertThrows(HubException.class, () -> new ModelInstaller(models, transfer()).install("x",
                origins(REPO, "main", source(null)), Optional.empty(), Optional.of("onnxruntime/cuda"), p -> { },
                new CancellationToken()));
        assertTrue(unknown.getMessage().contains("has no GenAI folder 'onnxruntime/cuda'; it has: "
                + "onnxruntime/cpu_and_mobile/cpu-int4-kld-block-128, onnxruntime/webgpu."), unknown.getMessage());
    }

    @Test
    void aGenAiOnlyRepositoryInstallsARunnableModelFromItsCpuFolder(@TempDir Path scratch) throws Exception {
        // As onnxruntime/DeepSeek-R1-Distill-ONNX: models in folders, a CPU and a GPU build each, no onnx/.
        Path built = io.kaiyuan.engine.testing.TestModels.genAiWithTokenizer(
                io.kaiyuan.engine.testing.TinyQwen.qwen2().positionIds(false), scratch.resolve("genai-src"),
                io.kaiyuan.engine.model.DecoderIo.TRANSFORMERS_JS.withShareBuffer(true));
        Map<String, byte[]> repo = new LinkedHashMap<>();
        repo.put("README.md", "# models".getBytes(StandardCharsets.UTF_8));
        for (Map.Entry<String, byte[]> f : HubTestServer.filesOf(built).entrySet()) {
            repo.put("tiny-qwen-1.5B/gpu/gpu-int4-rtn-block-32/" + f.getKey(), f.getValue());
            repo.put("tiny-qwen-1.5B/cpu_and_mobile/cpu-int4-rtn-block-32-acc-level-4/" + f.getKey(), f.getValue());
        }
        hub.addRepo("onnxruntime/Tiny-Distill-ONNX", repo);
        ModelInstaller.Installed installed = new ModelInstaller(models, transfer()).install("distill",
                origins("onnxruntime/Tiny-Distill-ONNX", "main", source(null)), Optional.empty(), p -> { }, new CancellationToken());
        assertEquals(Variant.GENAI, installed.variant(), "no onnx/ graph: the GenAI layout");
        assertTrue(hub.requests.stream().noneMatch(r -> r.contains("/gpu/")), "the CPU build is taken: " + hub.requests);
        io.kaiyuan.engine.model.ModelFolder folder = io.kaiyuan.engine.model.ModelFolder.open(installed.dir());
        assertTrue(folder.isGenAi());
        try (io.kaiyuan.engine.generate.LanguageModel model = io.kaiyuan.engine.generate.LanguageModel.load(
                new io.kaiyuan.engine.ort.OrtRuntime(), installed.dir(),
                new io.kaiyuan.engine.generate.LanguageModel.LoadOptions(Optional.empty(),
                        io.kaiyuan.engine.api.ExecutionProvider.CPU, 1))) {
            assertEquals(Variant.GENAI, model.variant());
            assertEquals("distill", folder.name(), "named by its installed id");
        }
        io.kaiyuan.engine.model.ModelRegistry registry = new io.kaiyuan.engine.model.ModelRegistry(models);
        assertTrue(registry.verify("distill").ok(), "the manifest's paths are the installed files'");
    }

    @Test
    void theBestCpuVariantIsChosenWhenNoneIsAsked() throws Exception {
        ModelInstaller.Installed installed = new ModelInstaller(models, transfer()).install("tiny", origins(REPO, "main", source(null)), Optional.empty(), p -> { }, new CancellationToken());
        assertEquals(Variant.Q4, installed.variant());
    }

    @Test
    void aDroppedConnectionResumesWithRange() throws Exception {
        hub.dropAfter.set(300_000);
        assertInstalledExactly(install(source(null)).dir());
        assertTrue(resumedWithRange("onnx/model_q4.onnx_data"), hub.requests.toString());
    }

    /** Whether a request for the file asked for a range starting after its first byte. */
    private boolean resumedWithRange(String file) {
        return hub.requests.stream().anyMatch(r -> r.contains(file) && r.matches(".* bytes=[1-9][0-9]*-$"));
    }

    @Test
    void aServerIgnoringRangeRestartsTheFile() throws Exception {
        hub.dropAfter.set(300_000);
        hub.ignoreRange = true;
        List<Long> progress = new ArrayList<>();
        new ModelInstaller(models, transfer()).install("tiny", origins(REPO, "main", source(null)), Optional.of(Variant.Q4),
                p -> progress.add(p.doneBytes()), new CancellationToken());
        assertInstalledExactly(models.resolve("tiny"));
        assertTrue(resumedWithRange("onnx/model_q4.onnx_data"), "a range was asked for");
        assertTrue(hub.requests.stream().filter(r -> r.contains("/cdn/") && r.contains("model_q4.onnx_data")).count() >= 2,
                "the file was fetched again from its start");
        for (int i = 1; i < progress.size(); i++) {
            assertTrue(progress.get(i) >= progress.get(i - 1), "progress went back at update " + i);
        }
    }

    @Test
    void corruptBytesAreDiscardedNamedAndNothingIsInstalled() {
        hub.corrupt = true;
        HubException e = assertThrows(HubException.class, () -> install(source(null)));
        assertTrue(e.getMessage().contains("is corrupt") && e.getMessage().contains("should be"), e.getMessage());
        assertTrue(e.getMessage().contains(HubTestServer.sha256(files.get("tokenizer.json")))
                || e.getMessage().contains(HubTestServer.sha256(files.get("onnx/model_q4.onnx"))), e.getMessage());
        assertFalse(Files.exists(models.resolve("tiny")));
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void aStalledTransferIsAbortedAndRetried() throws Exception {
        hub.stallAfter.set(100_000);
        hub.stallMillis = 120_000; // without the watchdog this test would hang until its timeout
        assertInstalledExactly(install(source(null)).dir());
        assertTrue(resumedWithRange("onnx/model_q4.onnx_data"), hub.requests.toString());
    }

    @Test
    void theTokenGoesToTheHubButNotToAnotherHost() throws Exception {
        install(source("hf_secret"));
        assertTrue(hub.authorizationOnHub.stream().allMatch(a -> a.equals("Bearer hf_secret")), hub.authorizationOnHub.toString());
        assertFalse(hub.authorizationOnCdn.isEmpty());
        assertTrue(hub.authorizationOnCdn.stream().allMatch(a -> a.equals("null")), hub.authorizationOnCdn.toString());
    }

    @Test
    void gatedMissingAndHostileRepositoriesGetClearMessages() {
        hub.gated = true;
        HubException gated = assertThrows(HubException.class, () -> install(source(null)));
        assertTrue(gated.getMessage().contains("accept its licence") && gated.getMessage().contains("HF_TOKEN")
                && gated.getMessage().contains("Settings"), gated.getMessage());
        hub.gated = false;

        HubException missingRepo = assertThrows(HubException.class, () -> new ModelInstaller(models, transfer())
                .install("x", origins("nobody/nothing", "main", source(null)), Optional.empty(), p -> { },
                        new CancellationToken()));
        assertTrue(missingRepo.getMessage().contains("has no repository nobody/nothing"), missingRepo.getMessage());

        HubException missingRevision = assertThrows(HubException.class, () -> new ModelInstaller(models, transfer())
                .install("x", origins(REPO, "v9", source(null)), Optional.empty(), p -> { }, new CancellationToken()));
        assertTrue(missingRevision.getMessage().contains("no revision 'v9'"), missingRevision.getMessage());

        HubException missingVariant = assertThrows(HubException.class, () -> new ModelInstaller(models, transfer())
                .install("x", origins(REPO, "main", source(null)), Optional.of(Variant.FP16), p -> { },
                        new CancellationToken()));
        assertTrue(missingVariant.getMessage().contains("onnx/model_fp16.onnx"), missingVariant.getMessage());

        hub.extraListedPaths.add("../../etc/passwd");
        HubException hostile = assertThrows(HubException.class, () -> install(source(null)));
        assertTrue(hostile.getMessage().contains("Refusing the remote path"), hostile.getMessage());
        hub.extraListedPaths.clear();
        hub.extraListedPaths.add("onnx\\evil.onnx");
        assertThrows(HubException.class, () -> install(source(null)));
        assertFalse(Files.exists(models.resolve("x")));
    }

    @Test
    void aProxyOfTheEnvironmentTheSourcesAreMadeFromCarriesTheirRequests() throws Exception {
        // The hub stands in for the proxy: a request for another host reaches it in absolute form.
        Map<String, String> env = Map.of("HTTP_PROXY", hub.endpoint().toString(), "HF_ENDPOINT", "http://models.invalid");
        List<Origin> origins = Sources.origins("huggingface", env, REPO, Optional.empty(), Optional.empty());
        assertEquals(1, origins.size(), "HF_ENDPOINT set: no mirror after it");
        ModelInstaller.Installed installed = new ModelInstaller(models, transfer()).install("tiny", origins,
                Optional.of(Variant.Q4), p -> { }, new CancellationToken());
        assertInstalledExactly(installed.dir());
        assertTrue(hub.requests.stream().anyMatch(r -> r.startsWith("GET http://models.invalid/api/models/")),
                hub.requests.toString());
    }

    @Test
    void anUnreachableSourceSaysSoInWordsWithItsKindAndNeverNull() {
        HubException e = assertThrows(HubException.class, () -> install(new HuggingFaceSource("huggingface",
                java.net.URI.create("http://127.0.0.1:1"), Optional.empty())));
        assertEquals(HubException.Kind.UNREACHABLE, e.kind());
        assertEquals(Optional.of("huggingface"), e.source());
        assertFalse(e.getMessage().contains("null") || e.getMessage().contains("--source"), e.getMessage());
        assertTrue(e.getMessage().startsWith("huggingface cannot be reached (127.0.0.1): "), e.getMessage());
        hub.gated = true;
        assertEquals(HubException.Kind.NEEDS_ACCESS, assertThrows(HubException.class, () -> install(source(null))).kind());
        hub.gated = false;
        assertEquals("connection refused", HubException.describe(new java.net.ConnectException()));
        assertEquals("timed out", HubException.describe(new java.net.http.HttpConnectTimeoutException(null)));
    }

    @Test
    void aFileFailingOnOneSourceContinuesFromTheNext() throws Exception {
        try (HubTestServer broken = new HubTestServer()) {
            broken.addRepo(REPO, files);
            broken.failFilesWithStatus = 503;
            HuggingFaceSource first = new HuggingFaceSource("broken", broken.endpoint(), Optional.empty());
            List<String> sources = new java.util.concurrent.CopyOnWriteArrayList<>();
            assertInstalledExactly(new ModelInstaller(models, transfer()).install("tiny", origins(REPO, "main", first, source(null)),
                    Optional.of(Variant.Q4), p -> sources.add(p.source()), new CancellationToken()).dir());
            assertTrue(broken.requests.stream().anyMatch(r -> r.contains("/resolve/")));
            assertTrue(sources.indexOf("broken") >= 0 && sources.lastIndexOf("test-hub") > sources.indexOf("broken"),
                    "the progress names the source in use, the next one after the failover: " + sources);
            assertEquals("test-hub", sources.get(sources.size() - 1));
        }
    }

    @Test
    void aDownloadKilledMidwayResumesInAFreshInstaller() throws Exception {
        hub.bytesPerSecond = 10_000_000; // slow enough that progress events arrive while the file is midway
        CancellationToken cancel = new CancellationToken();
        ModelInstaller first = new ModelInstaller(models, transfer());
        HubException stopped = assertThrows(HubException.class, () -> first.install("tiny", origins(REPO, "main", source(null)), Optional.of(Variant.Q4), p -> {
                    if (p.files().stream().anyMatch(f -> f.path().endsWith("_data") && f.doneBytes() > 1_500_000)) {
                        cancel.cancel();
                    }
                }, cancel));
        assertTrue(stopped.getMessage().contains("cancelled"), stopped.getMessage());
        assertFalse(Files.exists(models.resolve("tiny")), "a partial download is never installed");
        Path partial = models.resolve(".staging/tiny@" + HubTestServer.COMMIT + "/onnx/model_q4.onnx_data.incomplete");
        assertTrue(Files.size(partial) > 0);
        long kept = Files.size(partial);
        hub.bytesPerSecond = 0;

        ModelInstaller second = new ModelInstaller(models, transfer());
        assertInstalledExactly(second.install("tiny", origins(REPO, "main", source(null)), Optional.of(Variant.Q4),
                p -> { }, new CancellationToken()).dir());
        assertTrue(hub.requests.stream().anyMatch(r -> r.endsWith("bytes=" + kept + "-")), hub.requests.toString());
    }

    @Test
    void installsFromModelScopeAndFailsOverToItWithItsOwnId() throws Exception {
        hub.addRepo("ms:qwen/Tiny-Qwen-ONNX", files);
        ModelScopeSource modelScope = new ModelScopeSource(hub.endpoint(), Optional.empty());
        ModelInstaller.Installed fromModelScope = new ModelInstaller(models, transfer()).install("tiny",
                List.of(new Origin(modelScope, "qwen/Tiny-Qwen-ONNX", "master")), Optional.of(Variant.Q4),
                p -> { }, new CancellationToken());
        assertInstalledExactly(fromModelScope.dir());
        assertTrue(hub.requests.stream().anyMatch(r -> r.contains("/api/v1/models/qwen/Tiny-Qwen-ONNX/repo?Revision=master&FilePath=")));
        // 9 entries in pages of 2: five pages, then a sixth that brings nothing new ends the listing
        assertTrue(hub.requests.stream().anyMatch(r -> r.contains("/repo/files?") && r.contains("PageNumber=5")), hub.requests.toString());
        assertTrue(hub.requests.stream().anyMatch(r -> r.contains("/repo/files?") && r.contains("PageNumber=6")));
        assertTrue(hub.requests.stream().noneMatch(r -> r.contains("/repo/files?") && r.contains("PageNumber=7")));

        hub.failFilesWithStatus = 503; // Hugging Face lists but serves no file; ModelScope does
        ModelInstaller.Installed failedOver = new ModelInstaller(models, transfer()).install("tiny-2",
                List.of(new Origin(source(null), REPO, "main"), new Origin(modelScope, "qwen/Tiny-Qwen-ONNX", "master")),
                Optional.of(Variant.Q4), p -> { }, new CancellationToken());
        assertEquals(HubTestServer.COMMIT, failedOver.commit());
        assertArrayEquals(files.get("onnx/model_q4.onnx_data"), Files.readAllBytes(failedOver.dir().resolve("onnx/model_q4.onnx_data")));
    }

    @Test
    void notEnoughDiskSpaceIsRefusedBeforeDownloading() {
        ModelInstaller installer = new ModelInstaller(models, transfer(), dir -> 1_000_000L);
        HubException e = assertThrows(HubException.class, () -> installer.install("tiny", origins(REPO, "main", source(null)),
                Optional.of(Variant.Q4), p -> { }, new CancellationToken()));
        assertTrue(e.getMessage().contains("needs 6.0 MB more but only 1.0 MB are free"), e.getMessage());
        assertTrue(hub.requests.stream().noneMatch(r -> r.contains("/resolve/")), "nothing was downloaded");
    }

    @Test
    void anInstalledModelIsNotOverwritten() throws Exception {
        install(source(null));
        HubException e = assertThrows(HubException.class, () -> install(source(null)));
        assertTrue(e.getMessage().contains("already installed"), e.getMessage());
    }

    @Test
    void aModelScopeListingThatIgnoresPagingStillEnds() throws Exception {
        hub.addRepo("ms:qwen/Tiny-Qwen-ONNX", files);
        hub.modelScopePaging = false;
        ModelInstaller.Installed installed = new ModelInstaller(models, transfer()).install("tiny",
                List.of(new Origin(new ModelScopeSource(hub.endpoint(), Optional.empty()), "qwen/Tiny-Qwen-ONNX", "master")),
                Optional.of(Variant.Q4), p -> { }, new CancellationToken());
        assertInstalledExactly(installed.dir());
        assertEquals(2, hub.requests.stream().filter(r -> r.contains("/repo/files?")).count(), hub.requests.toString());
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void progressGivesEachFileTheRateAndEtaAndNeverGoesBack() throws Exception {
        hub.bytesPerSecond = 4_000_000;
        List<InstallProgress> events = new java.util.concurrent.CopyOnWriteArrayList<>();
        new ModelInstaller(models, transfer(), 2).install("tiny", origins(REPO, "main", source(null)), Optional.of(Variant.Q4),
                events::add, new CancellationToken());
        assertInstalledExactly(models.resolve("tiny"));
        long total = files.entrySet().stream().filter(e -> !e.getKey().equals("README.md") && !e.getKey().equals("onnx/model.onnx"))
                .mapToLong(e -> e.getValue().length).sum();
        InstallProgress last = events.get(events.size() - 1);
        assertEquals(total, last.totalBytes());
        assertEquals(total, last.doneBytes());
        assertTrue(last.files().stream().allMatch(f -> f.state() == InstallProgress.FileState.VERIFIED), last.toString());
        assertEquals(6, last.files().size());
        for (int i = 1; i < events.size(); i++) {
            InstallProgress a = events.get(i - 1);
            InstallProgress b = events.get(i);
            assertTrue(b.doneBytes() >= a.doneBytes(), "overall progress went back at event " + i);
            for (int f = 0; f < b.files().size(); f++) {
                assertTrue(b.files().get(f).doneBytes() >= a.files().get(f).doneBytes(), "a file went back at event " + i);
            }
            long downloading = b.files().stream().filter(f -> f.state() == InstallProgress.FileState.DOWNLOADING).count();
            assertTrue(downloading <= 2, "more files downloading than the cap: " + b);
        }
        InstallProgress middle = events.stream().filter(e -> e.fraction() > 0.3 && e.fraction() < 0.8).findFirst().orElseThrow();
        // 4 MB/s per transfer: the rate seen is of that order, and the ETA follows from it
        assertTrue(middle.bytesPerSecond() > 1_000_000 && middle.bytesPerSecond() < 20_000_000, middle.toString());
        long eta = middle.etaSeconds().orElseThrow();
        assertEquals((long) Math.ceil((middle.totalBytes() - middle.doneBytes()) / middle.bytesPerSecond()), eta);
        assertEquals(2, hub.maxActiveTransfers.get(), "two files at once");
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void pauseStopsTheTransfersAndResumeContinuesWhereTheyStopped() throws Exception {
        hub.bytesPerSecond = 3_000_000;
        DownloadControl control = new DownloadControl();
        List<InstallProgress> events = new java.util.concurrent.CopyOnWriteArrayList<>();
        java.util.concurrent.CountDownLatch halfway = new java.util.concurrent.CountDownLatch(1);
        ModelInstaller installer = new ModelInstaller(models, transfer());
        var running = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return installer.install("tiny", origins(REPO, "main", source(null)), Optional.of(Variant.Q4), p -> {
                    events.add(p);
                    if (p.fraction() > 0.3) {
                        halfway.countDown();
                    }
                }, control);
            } catch (Exception e) {
                throw new java.util.concurrent.CompletionException(e);
            }
        });
        assertTrue(halfway.await(30, TimeUnit.SECONDS));
        control.pause();
        Thread.sleep(400); // transfers in flight notice the pause
        long atPause = events.get(events.size() - 1).doneBytes();
        Thread.sleep(1_000);
        InstallProgress whilePaused = events.get(events.size() - 1);
        assertTrue(whilePaused.paused(), whilePaused.toString());
        assertEquals(0.0, whilePaused.bytesPerSecond());
        assertEquals(atPause, whilePaused.doneBytes(), "no bytes arrive while paused");
        assertTrue(whilePaused.doneBytes() < whilePaused.totalBytes());
        assertEquals(0, hub.activeTransfers.get(), "no transfer open while paused");
        assertFalse(running.isDone());

        control.resume();
        ModelInstaller.Installed installed = running.get(30, TimeUnit.SECONDS);
        assertInstalledExactly(installed.dir());
        assertTrue(resumedWithRange("onnx/model_q4.onnx_data"), hub.requests.toString());
        assertFalse(events.get(events.size() - 1).paused());
    }
}
