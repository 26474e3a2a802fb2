package io.kaiyuan.engine.download;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kaiyuan.engine.api.CancellationToken;
import io.kaiyuan.engine.model.Catalog;
import io.kaiyuan.engine.model.MemoryFit;
import io.kaiyuan.engine.model.Variant;
import io.kaiyuan.engine.testing.HubTestServer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Searching the test hub: only repositories Kaiyuan can run, with their real variants, sizes and fit. */
class HubSearchTest {
    private static final String CONFIG = "{\"model_type\":\"qwen2\",\"num_hidden_layers\":24,\"num_attention_heads\":14,"
            + "\"num_key_value_heads\":2,\"hidden_size\":896,\"vocab_size\":151936,\"max_position_embeddings\":32768}";
    private HubTestServer hub;
    private HuggingFaceSource source;

    private static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static Map<String, byte[]> transformersJs() {
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put("config.json", CONFIG.getBytes(StandardCharsets.UTF_8));
        files.put("tokenizer.json", random(3_000, 1));
        files.put("tokenizer_config.json", "{\"chat_template\":\"x\"}".getBytes(StandardCharsets.UTF_8));
        files.put("README.md", "# card".getBytes(StandardCharsets.UTF_8));
        return files;
    }

    private static byte[] genAiConfig(int layers) {
        return ("{\"model\": {\"context_length\": 32768, \"vocab_size\": 151936, \"type\": \"qwen2\","
                + " \"eos_token_id\": [151643], \"decoder\": {\"filename\": \"model.onnx\", \"head_size\": 128,"
                + " \"hidden_size\": 1536, \"num_attention_heads\": 12, \"num_hidden_layers\": " + layers + ","
                + " \"num_key_value_heads\": 2}}, \"search\": {\"past_present_share_buffer\": true}}")
                .getBytes(StandardCharsets.UTF_8);
    }

    /** A GenAI folder as the GenAI builder writes it, with a graph of {@code graphBytes} and data twice that. */
    private static void genAiFolder(Map<String, byte[]> repo, String folder, int layers, int graphBytes, long seed) {
        repo.put(folder + "genai_config.json", genAiConfig(layers));
        repo.put(folder + "model.onnx", random(graphBytes, seed));
        repo.put(folder + "model.onnx.data", random(2 * graphBytes, seed + 100));
        repo.put(folder + "tokenizer.json", random(500, seed + 200));
        repo.put(folder + "tokenizer_config.json", "{}".getBytes(StandardCharsets.UTF_8));
        repo.put(folder + "vocab.json", random(300, seed + 300));
    }

    @BeforeEach
    void start() throws Exception {
        hub = new HubTestServer();
        Map<String, byte[]> qwen25 = transformersJs();
        byte[] int8 = random(5_000, 3);
        qwen25.put("onnx/model_q4.onnx", random(4_000, 2));
        qwen25.put("onnx/model_int8.onnx", int8);
        qwen25.put("onnx/model_quantized.onnx", int8.clone()); // the same bytes under two names
        qwen25.put("onnx/model_fp16.onnx", random(2_000, 4));
        qwen25.put("onnx/model_fp16.onnx_data", random(9_000, 5));
        hub.addRepo("onnx-community/Qwen2.5-0.5B-Instruct", qwen25);
        hub.info.put("onnx-community/Qwen2.5-0.5B-Instruct", new HubTestServer.Info(500, 40, "2024-10-08T00:00:00.000Z",
                List.of("onnx", "license:apache-2.0", "transformers.js")));

        Map<String, byte[]> gguf = new LinkedHashMap<>();
        gguf.put("config.json", CONFIG.getBytes(StandardCharsets.UTF_8));
        gguf.put("qwen2.5-0.5b-q4_k_m.gguf", random(6_000, 6));
        hub.addRepo("someone/Qwen2.5-GGUF", gguf);
        hub.info.put("someone/Qwen2.5-GGUF", new HubTestServer.Info(900, 90, null, List.of("onnx", "gguf")));

        Map<String, byte[]> both = transformersJs();
        both.put("onnx/model_q4f16.onnx", random(3_500, 7));
        genAiFolder(both, "onnxruntime/cpu_and_mobile/cpu-int4-kld-block-128/", 28, 2_500, 8);
        hub.addRepo("onnx-community/Qwen3-0.6B-ONNX", both);
        hub.info.put("onnx-community/Qwen3-0.6B-ONNX", new HubTestServer.Info(300, 30, "2025-05-01T00:00:00.000Z",
                List.of("onnx", "license:apache-2.0")));

        // as onnxruntime/DeepSeek-R1-Distill-ONNX: two models, a GPU and a CPU build each, and a folder without a tokenizer
        Map<String, byte[]> genaiOnly = new LinkedHashMap<>();
        genAiFolder(genaiOnly, "qwen-7B/gpu/gpu-int4-rtn-block-32/", 28, 9_000, 9);
        genAiFolder(genaiOnly, "qwen-7B/cpu_and_mobile/cpu-int4-rtn-block-32-acc-level-4/", 28, 8_000, 10);
        genAiFolder(genaiOnly, "qwen-1.5B/cpu_and_mobile/cpu-int4-rtn-block-32-acc-level-4/", 12, 3_000, 11);
        genaiOnly.put("broken/genai_config.json", "{\"model\": 1}".getBytes(StandardCharsets.UTF_8));
        genaiOnly.put("broken/model.onnx", random(100, 12));
        genaiOnly.put("broken/tokenizer.json", random(100, 13));
        genaiOnly.put("broken/tokenizer_config.json", random(100, 14));
        genaiOnly.put("untokenized/genai_config.json", genAiConfig(12));
        genaiOnly.put("untokenized/model.onnx", random(100, 15));
        hub.addRepo("onnxruntime/Qwen2.5-GenAI", genaiOnly);
        hub.info.put("onnxruntime/Qwen2.5-GenAI", new HubTestServer.Info(200, 20, null, List.of("onnx")));

        hub.addRepo("someone/Qwen2.5-pytorch", transformersJs());
        hub.info.put("someone/Qwen2.5-pytorch", new HubTestServer.Info(10_000, 500, null, List.of("safetensors")));
        hub.addRepo("onnx-community/Llama-3.2-1B", transformersJs());
        source = new HuggingFaceSource("test-hub", hub.endpoint(), Optional.empty());
    }

    @AfterEach
    void stop() {
        hub.close();
    }

    private HubSearch.Results search(String query, int limit, List<String> streamed) {
        return HubSearch.search(source, query, limit, Catalog.bundled(), 4096, 16L << 30, new CancellationToken(),
                hit -> streamed.add(hit.repo()));
    }

    @Test
    void onlyRunnableRepositoriesAreOfferedWithTheirRealVariants() {
        List<String> streamed = new ArrayList<>();
        HubSearch.Results r = search("qwen", 20, streamed);
        assertEquals(List.of("onnx-community/Qwen2.5-0.5B-Instruct", "onnx-community/Qwen3-0.6B-ONNX",
                "onnxruntime/Qwen2.5-GenAI"), r.hits().stream().map(HubSearch.Hit::repo).toList(),
                "most downloaded first, GGUF and PyTorch left out");
        assertEquals(streamed, r.hits().stream().map(HubSearch.Hit::repo).toList(), "each heard as it was listed");
        assertEquals(1, r.skipped());
        assertTrue(hub.requests.stream().anyMatch(q -> q.contains("/api/models?search=qwen&filter=onnx&sort=downloads")),
                hub.requests.toString());
        assertTrue(hub.requests.stream().anyMatch(q -> q.startsWith("GET /api/models?") && q.contains("cursor=2")),
                "the search's pages were followed");

        HubSearch.Hit qwen = r.hits().get(0);
        assertEquals(500, qwen.summary().downloads());
        assertEquals(40, qwen.summary().likes());
        assertEquals(Optional.of("apache-2.0"), qwen.summary().licence());
        assertEquals(Optional.of("2024-10-08T00:00:00.000Z"), qwen.summary().lastModified());
        assertEquals("qwen2.5-0.5b-instruct", qwen.catalogEntry().orElseThrow().id(), "a catalog model keeps its entry");
        assertEquals(24, qwen.config().orElseThrow().layers());
        assertEquals(List.of(List.of(Variant.Q4), List.of(Variant.INT8, Variant.QUANTIZED), List.of(Variant.FP16)),
                qwen.offers().stream().map(HubSearch.Offer::variants).toList(), "smallest first; the same bytes once");
        assertEquals(List.of(4_000L, 5_000L, 11_000L), qwen.offers().stream().map(HubSearch.Offer::bytes).toList(),
                "real sizes, graph and data together");
        assertEquals(List.of("onnx/model_fp16.onnx", "onnx/model_fp16.onnx_data"),
                qwen.offers().get(2).files().stream().map(RemoteFile::path).toList());
        MemoryFit.Estimate fit = qwen.offers().get(0).fit().orElseThrow();
        assertEquals(MemoryFit.Fit.FITS, fit.fit());
        assertEquals(24L * 2 * 64 * 2 * 4 * 4096, fit.kvCacheBytes(), "the KV cache from the repository's config.json");
        assertFalse(qwen.genaiFolder());

        HubSearch.Hit both = r.hits().get(1);
        assertTrue(both.genaiFolder());
        assertEquals(List.of(List.of(Variant.Q4F16), List.of(Variant.GENAI)),
                both.offers().stream().map(HubSearch.Offer::variants).toList(), "each layout offered apart");
        HubSearch.Offer folder = both.offers().get(1);
        assertEquals("onnxruntime/cpu_and_mobile/cpu-int4-kld-block-128", folder.folder());
        assertEquals(List.of("onnxruntime/cpu_and_mobile/cpu-int4-kld-block-128/model.onnx",
                "onnxruntime/cpu_and_mobile/cpu-int4-kld-block-128/model.onnx.data"),
                folder.files().stream().map(RemoteFile::path).toList(), "the graph and its data");
        assertEquals(7_500, folder.bytes());
        assertEquals("", both.offers().get(0).folder());

        HubSearch.Hit genai = r.hits().get(2);
        assertTrue(genai.genaiFolder());
        assertEquals(List.of("qwen-1.5B/cpu_and_mobile/cpu-int4-rtn-block-32-acc-level-4",
                "qwen-7B/cpu_and_mobile/cpu-int4-rtn-block-32-acc-level-4", "qwen-7B/gpu/gpu-int4-rtn-block-32"),
                genai.offers().stream().map(HubSearch.Offer::folder).toList(),
                "CPU builds first, then by path; a folder without a tokenizer or with a broken genai_config.json left out");
        assertEquals(List.of(9_000L, 24_000L, 27_000L), genai.offers().stream().map(HubSearch.Offer::bytes).toList());
        assertEquals(12, genai.config().orElseThrow().layers(), "the architecture from the first folder's genai_config.json");
        assertEquals(12L * 2 * 2 * 128 * 4 * 4096, genai.offers().get(0).fit().orElseThrow().kvCacheBytes());
        assertEquals(28L * 2 * 2 * 128 * 4 * 4096, genai.offers().get(1).fit().orElseThrow().kvCacheBytes(),
                "each folder's fit from its own genai_config.json");
    }

    @Test
    void theLimitBoundsWhatIsListedAndTheQueryIsEncoded() {
        HubSearch.Results one = search("qwen", 1, new ArrayList<>());
        assertEquals(0, one.hits().size() + one.skipped() - 1, "one repository looked at");
        assertTrue(hub.requests.stream().noneMatch(q -> q.contains("/api/models/onnx-community/Qwen3")),
                "nothing beyond the limit is listed");
        hub.requests.clear();
        assertTrue(search("qwen 2.5 &x=1", 5, new ArrayList<>()).hits().isEmpty());
        assertTrue(hub.requests.stream().anyMatch(q -> q.contains("search=qwen+2.5+%26x%3D1")), hub.requests.toString());
    }

    @Test
    void whenTheFirstSourceCannotBeReachedTheNextIsSearched() throws Exception {
        int closed;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        }
        HuggingFaceSource unreachable = new HuggingFaceSource("huggingface",
                java.net.URI.create("http://127.0.0.1:" + closed), Optional.of("hf_secret"));
        HubSearch.Results r = HubSearch.search(List.of(unreachable, source), "qwen", 20, Catalog.bundled(), 4096,
                16L << 30, new CancellationToken(), hit -> { });
        assertEquals("test-hub", r.source().name(), "the fallback answered");
        assertEquals(3, r.hits().size());
        assertTrue(r.hits().stream().allMatch(h -> h.source() == source), "listed from the source that answered");
        HubException notFound = assertThrows(HubException.class, () -> HubSearch.search(List.of(unreachable), "qwen", 5,
                Catalog.bundled(), 4096, 16L << 30, new CancellationToken(), hit -> { }));
        assertEquals(HubException.Kind.UNREACHABLE, notFound.kind(), "none answered: the last failure, as it is");
    }

    @Test
    void aBlankQuerySaysSoPlainly() {
        assertThrows(IllegalArgumentException.class, () -> search("  ", 5, new ArrayList<>()));
        assertThrows(IllegalArgumentException.class, () -> new ModelScopeSource(hub.endpoint(), Optional.empty()).search(" ", 5));
    }

    @Test
    void modelScopeIsSearchedThroughItsWebsiteSearchAndEachResultListed() throws Exception {
        Map<String, byte[]> ms = transformersJs();
        ms.put("onnx/model_q4.onnx", random(4_000, 20));
        hub.addRepo("ms:qwen/Qwen2.5-0.5B-Instruct-ONNX", ms);
        hub.info.put("ms:qwen/Qwen2.5-0.5B-Instruct-ONNX", new HubTestServer.Info(800, 12, "2025-03-04T05:06:07Z",
                List.of("onnx", "license:apache-2.0")));
        Map<String, byte[]> genai = new LinkedHashMap<>();
        genAiFolder(genai, "cpu-int4/", 12, 3_000, 21);
        hub.addRepo("ms:onnxruntime/Qwen2.5-GenAI-CPU", genai);
        hub.info.put("ms:onnxruntime/Qwen2.5-GenAI-CPU", new HubTestServer.Info(900, 3, null, List.of("onnx")));
        hub.addRepo("ms:someone/Qwen2.5-ONNX-broken", Map.of("README.md", new byte[10]));
        hub.addRepo("ms:qwen/Qwen2.5-0.5B-Instruct", transformersJs());
        hub.info.put("ms:qwen/Qwen2.5-0.5B-Instruct", new HubTestServer.Info(99_999, 999, null, List.of("pytorch")));
        ModelScopeSource modelScope = new ModelScopeSource(hub.endpoint(), Optional.empty());

        HubSearch.Results r = HubSearch.search(modelScope, "qwen2.5", 20, Catalog.bundled(), 4096, 16L << 30,
                new CancellationToken(), hit -> { });
        assertEquals(List.of("onnxruntime/Qwen2.5-GenAI-CPU", "qwen/Qwen2.5-0.5B-Instruct-ONNX"),
                r.hits().stream().map(HubSearch.Hit::repo).toList(), "ONNX ones, most downloaded first, runnable only");
        assertEquals(1, r.skipped(), "the broken one is listed and left out");
        HubSearch.Hit qwen = r.hits().get(1);
        assertEquals(800, qwen.summary().downloads());
        assertEquals(12, qwen.summary().likes());
        assertEquals(Optional.of("apache-2.0"), qwen.summary().licence());
        assertEquals(Optional.of("2025-03-04T05:06:07Z"), qwen.summary().lastModified());
        assertEquals(List.of(List.of(Variant.Q4)), qwen.offers().stream().map(HubSearch.Offer::variants).toList());
        assertEquals(List.of(Variant.GENAI), r.hits().get(0).offers().get(0).variants());
        assertTrue(hub.requests.stream().anyMatch(q -> q.startsWith("GET /api/v1/models/qwen/Qwen2.5-0.5B-Instruct-ONNX/repo/files")
                && q.contains("Revision=master")), "listed at ModelScope's default revision: " + hub.requests);
        var body = new com.fasterxml.jackson.databind.ObjectMapper().readTree(hub.modelScopeSearches.get(0));
        assertEquals("qwen2.5", body.get("Name").asText());
        assertEquals(1, body.get("PageNumber").asInt());
        assertEquals("DownloadsCount", body.get("SortBy").asText());
        assertTrue(body.get("Criterion").toString().contains("\"onnx\""), body.toString());
        assertTrue(hub.modelScopeSearches.size() >= 2, "pages were followed (two results a page)");

        HubException e = assertThrows(HubException.class, () -> new ModelScopeSource(
                java.net.URI.create(hub.endpoint() + "/elsewhere"), Optional.empty()).search("qwen", 5));
        assertEquals(HubException.Kind.SERVER_ERROR, e.kind());
        assertTrue(e.getMessage().startsWith("ModelScope answered HTTP 404 to the search for 'qwen'"), e.getMessage());
    }
}
