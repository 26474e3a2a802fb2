package io.kaiyuan.engine.testing;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A test hub on 127.0.0.1 with a few repositories named and sized like real ones, for pictures of the hub
 * search (docs/screenshots/make.sh): {@code mvn -q -pl engine exec:exec -Dkaiyuan.main=io.kaiyuan.engine.testing.HubFixture
 * -Dkaiyuan.args="PORT"}, then run the app with {@code HF_ENDPOINT=http://127.0.0.1:PORT}. Only
 * onnx-community/Qwen2.5-Math-1.5B-Instruct can really be downloaded (a tiny random-weight model); the
 * listings show the real models' sizes.
 */
public final class HubFixture {
    private HubFixture() {}

    public static void main(String[] args) throws Exception {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 18999;
        Path model = TestModels.withTokenizer(TestModels.chatSized().variantFile("model_q4"),
                Files.createTempDirectory("kaiyuan-hub-fixture"));
        Map<String, byte[]> tiny = HubTestServer.filesOf(model);
        String config = new String(tiny.get("config.json"), StandardCharsets.UTF_8);
        HubTestServer hub = new HubTestServer(port);
        hub.searchPageSize = 20;
        add(hub, "onnx-community/Qwen2.5-Math-1.5B-Instruct", tiny, 84_213, 31, "2024-09-30T12:00:00.000Z",
                Map.of("onnx/model_q4.onnx", 1_790_000_000L));
        Map<String, byte[]> coder = withGraphs(config, tiny, "model_q4", "model_q4f16", "model_int8", "model_fp16");
        coder.put("onnx/model_fp16.onnx_data", new byte[2048]);
        add(hub, "onnx-community/Qwen2.5-Coder-7B-Instruct", coder, 51_980, 74, "2025-02-11T08:00:00.000Z",
                Map.of("onnx/model_q4.onnx", 5_060_000_000L, "onnx/model_q4f16.onnx", 4_830_000_000L,
                        "onnx/model_int8.onnx", 7_680_000_000L, "onnx/model_fp16.onnx", 520_000L,
                        "onnx/model_fp16.onnx_data", 15_200_000_000L));
        Map<String, byte[]> qwen3 = withGraphs(config, tiny, "model_q4", "model_q4f16", "model_quantized");
        qwen3.put("onnxruntime/cpu_and_mobile/cpu-int4-kld-block-128/genai_config.json", "{}".getBytes(StandardCharsets.UTF_8));
        add(hub, "onnx-community/Qwen3-1.7B-ONNX", qwen3, 40_112, 58, "2025-05-06T10:00:00.000Z",
                Map.of("onnx/model_q4.onnx", 2_370_000_000L, "onnx/model_q4f16.onnx", 1_460_000_000L,
                        "onnx/model_quantized.onnx", 1_970_000_000L));
        add(hub, "onnx-community/Qwen2.5-0.5B-Instruct", withGraphs(config, tiny, "model_q4", "model_q4f16"), 120_554,
                92, "2024-10-08T00:00:00.000Z", Map.of("onnx/model_q4.onnx", 786_156_820L,
                        "onnx/model_q4f16.onnx", 483_003_582L));
        // An ONNX Runtime GenAI export at the repository's top (sizes from its listing: model.onnx 192 kB,
        // model.onnx.data 818 MB), with Qwen2.5-0.5B's shape in its genai_config.json.
        Map<String, byte[]> amd = new LinkedHashMap<>();
        amd.put("genai_config.json", ("{\"model\": {\"context_length\": 32768, \"vocab_size\": 151936, \"type\": \"qwen2\","
                + " \"eos_token_id\": [151645, 151643], \"decoder\": {\"filename\": \"model.onnx\", \"head_size\": 64,"
                + " \"hidden_size\": 896, \"num_attention_heads\": 14, \"num_hidden_layers\": 24, \"num_key_value_heads\": 2}},"
                + " \"search\": {\"past_present_share_buffer\": true}}").getBytes(StandardCharsets.UTF_8));
        amd.put("model.onnx", new byte[2048]);
        amd.put("model.onnx.data", new byte[4096]);
        amd.put("tokenizer.json", tiny.get("tokenizer.json"));
        amd.put("tokenizer_config.json", tiny.get("tokenizer_config.json"));
        add(hub, "amd/Qwen2.5-0.5B-Instruct-quantized_int4-float16-cpu-onnx", amd, 2_310, 4, "2025-01-20T09:00:00.000Z",
                Map.of("model.onnx", 192_000L, "model.onnx.data", 818_000_000L));
        hub.addRepo("bartowski/Qwen2.5-7B-Instruct-GGUF", Map.of("Qwen2.5-7B-Instruct-Q4_K_M.gguf", new byte[2048]));
        hub.info.put("bartowski/Qwen2.5-7B-Instruct-GGUF", new HubTestServer.Info(250_000, 120, null,
                List.of("onnx", "gguf")));
        System.out.println("test hub on " + hub.endpoint() + " (Ctrl+C stops)");
        Thread.currentThread().join();
    }

    private static Map<String, byte[]> withGraphs(String config, Map<String, byte[]> tiny, String... graphs) {
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put("config.json", config.getBytes(StandardCharsets.UTF_8));
        files.put("tokenizer.json", tiny.get("tokenizer.json"));
        files.put("tokenizer_config.json", tiny.get("tokenizer_config.json"));
        byte[] graph = new byte[2048];
        for (String g : graphs) {
            graph = graph.clone();
            graph[0] = (byte) g.hashCode();
            files.put("onnx/" + g + ".onnx", graph);
        }
        return files;
    }

    private static void add(HubTestServer hub, String repo, Map<String, byte[]> files, long downloads, long likes,
            String updated, Map<String, Long> sizes) {
        hub.addRepo(repo, files);
        hub.info.put(repo, new HubTestServer.Info(downloads, likes, updated, List.of("onnx", "license:apache-2.0")));
        sizes.forEach((path, size) -> hub.listedSizes.put(repo + "/" + path, size));
    }
}
