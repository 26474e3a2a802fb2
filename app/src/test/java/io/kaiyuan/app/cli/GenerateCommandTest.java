package io.kaiyuan.app.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kaiyuan.engine.testing.TestModels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GenerateCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path shared;

    private static Path model;

    @BeforeAll
    static void buildModel() throws Exception {
        model = TestModels.withTokenizer(TestModels.chatSized(), shared.resolve("tiny-qwen"));
    }

    private static Cli.Run run(String... args) {
        return Cli.run(args);
    }

    @Test
    void jsonOutputHasTheDocumentedFields() throws Exception {
        Cli.Run r = run("generate", "--model", model.toString(), "--prompt", "你好", "--max-new-tokens", "6", "--json");
        assertEquals(0, r.exitCode(), r.err());
        JsonNode json = JSON.readTree(r.out());
        assertEquals(List.of("model", "variant", "provider", "prompt_token_ids", "token_ids", "text", "reasoning", "answer",
                "finish_reason", "metrics"),
                iterableToList(json.fieldNames()));
        assertEquals(List.of("prompt_tokens", "generated_tokens", "load_ms", "ttft_ms", "prefill_tokens_per_s",
                "decode_tokens_per_s"), iterableToList(json.get("metrics").fieldNames()));
        assertEquals("tiny-qwen", json.get("model").asText());
        assertEquals("fp32", json.get("variant").asText());
        assertEquals("cpu", json.get("provider").asText());
        assertEquals(151644, json.get("prompt_token_ids").get(0).asInt(), "the ChatML prompt starts with <|im_start|>");
        assertTrue(json.get("token_ids").size() <= 6);
        assertEquals(json.get("prompt_token_ids").size(), json.get("metrics").get("prompt_tokens").asInt());
    }

    /** The prompt of a --json run, decoded with its special tokens. */
    private static String promptText(Cli.Run r) throws Exception {
        JsonNode ids = JSON.readTree(r.out()).get("prompt_token_ids");
        int[] array = new int[ids.size()];
        for (int i = 0; i < array.length; i++) {
            array[i] = ids.get(i).asInt();
        }
        try (var tokenizer = io.kaiyuan.engine.tokenize.Tokenizer.load(model)) {
            return tokenizer.decode(array, false);
        }
    }

    private static List<String> iterableToList(java.util.Iterator<String> it) {
        List<String> out = new java.util.ArrayList<>();
        it.forEachRemaining(out::add);
        return out;
    }

    @Test
    void streamsTextToStdoutAndMetricsToStderr() throws Exception {
        Cli.Run json = run("generate", "--model", model.toString(), "--prompt", "Hello", "--raw", "--max-new-tokens", "8",
                "--temperature", "0", "--json");
        Cli.Run plain = run("generate", "--model", model.toString(), "--prompt", "Hello", "--raw", "--max-new-tokens", "8",
                "--temperature", "0");
        assertEquals(0, plain.exitCode(), plain.err());
        assertEquals(JSON.readTree(json.out()).get("answer").asText() + System.lineSeparator(), plain.out());
        assertTrue(plain.err().contains("decode") && plain.err().contains("tok/s"), plain.err());
        assertEquals(1, JSON.readTree(json.out()).get("prompt_token_ids").size(), "--raw adds no template");
    }

    @Test
    void messagesFileAndSystemPromptAreRenderedInOrder() throws Exception {
        Path messages = shared.resolve("messages.json");
        Files.writeString(messages, "[{\"role\":\"user\",\"content\":\"hi\"},{\"role\":\"assistant\",\"content\":\"hello\"},"
                + "{\"role\":\"user\",\"content\":\"bye\"}]");
        Cli.Run r = run("generate", "--model", model.toString(), "--messages", messages.toString(), "--system", "Be brief.",
                "--max-new-tokens", "1", "--json");
        assertEquals(0, r.exitCode(), r.err());
        assertEquals("<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nhi<|im_end|>\n"
                + "<|im_start|>assistant\nhello<|im_end|>\n<|im_start|>user\nbye<|im_end|>\n<|im_start|>assistant\n",
                promptText(r));
    }

    @Test
    void seededSamplingIsReproducibleFromTheCommandLine() throws Exception {
        String[] args = {"generate", "--model", model.toString(), "--prompt", "Hi", "--max-new-tokens", "10",
                "--temperature", "1.2", "--top-k", "40", "--top-p", "0.95", "--seed", "11", "--json"};
        JsonNode a = JSON.readTree(run(args).out());
        JsonNode b = JSON.readTree(run(args).out());
        assertEquals(a.get("token_ids"), b.get("token_ids"));
    }

    @Test
    void badInputGetsAClearMessageAndExitCode2() throws Exception {
        Cli.Run missing = run("generate", "--model", shared.resolve("nothing-here").toString(), "--prompt", "hi");
        assertEquals(2, missing.exitCode());
        assertTrue(missing.err().startsWith("kaiyuan: No model folder"), missing.err());
        assertFalse(missing.err().contains("Exception"), "no stack trace: " + missing.err());

        Path broken = shared.resolve("broken.json");
        Files.writeString(broken, "[{\"role\":\"user\"}]");
        Cli.Run badMessages = run("generate", "--model", model.toString(), "--messages", broken.toString());
        assertEquals(2, badMessages.exitCode());
        assertTrue(badMessages.err().contains("message 1 needs a \"role\" and a \"content\""), badMessages.err());

        Cli.Run badProvider = run("generate", "--model", model.toString(), "--prompt", "hi", "--provider", "tpu");
        assertEquals(2, badProvider.exitCode());
        assertTrue(badProvider.err().contains("use auto, cpu, cuda, directml or coreml"), badProvider.err());

        Cli.Run cuda = run("generate", "--model", model.toString(), "--prompt", "hi", "--provider", "cuda");
        if (!new io.kaiyuan.engine.ort.OrtRuntime().availableProviders().contains(io.kaiyuan.engine.api.ExecutionProvider.CUDA)) {
            assertEquals(2, cuda.exitCode());
            assertTrue(cuda.err().contains("-P cuda"), cuda.err());
        }

        Cli.Run both = run("generate", "--model", model.toString(), "--prompt", "hi", "--messages", broken.toString());
        assertEquals(2, both.exitCode(), "picocli reports mutually exclusive options");
    }

    @Test
    void benchPrintsEngineAndBareFigures() throws Exception {
        Cli.Run r = run("bench", "--model", model.toString(), "--prompt-tokens", "16", "--new-tokens", "4", "--runs", "1",
                "--threads", "1", "--json");
        assertEquals(0, r.exitCode(), r.err());
        JsonNode json = JSON.readTree(r.out());
        assertTrue(json.get("engine").get("decode_tokens_per_s").asDouble() > 0);
        assertTrue(json.get("bare").get("decode_tokens_per_s").asDouble() > 0);
        assertTrue(json.get("bare").get("prefill_tokens_per_s").asDouble() > 0);
        assertTrue(json.has("overhead_percent"));
        assertEquals(16, json.get("prompt_tokens").asInt());
    }

    @Test
    void benchProfileSaysWhereTheTimeGoesPerOpType() throws Exception {
        Cli.Run r = run("bench", "--model", model.toString(), "--prompt-tokens", "40", "--new-tokens", "6", "--threads", "1",
                "--profile", "--json");
        assertEquals(0, r.exitCode(), r.err());
        JsonNode json = JSON.readTree(r.out());
        assertTrue(Files.isRegularFile(Path.of(json.get("profile").asText())), "ONNX Runtime's own profile is kept");
        // the 40-token prompt runs as 24 tokens and a tail of 16; then 5 decode steps
        assertEquals(2, json.get("prefill").get("runs").asInt());
        assertEquals(5, json.get("decode").get("runs").asInt());
        JsonNode decode = json.get("decode");
        assertTrue(decode.get("kernel_ms_per_run").asDouble() > 0
                && decode.get("kernel_ms_per_run").asDouble() <= decode.get("ms_per_run").asDouble());
        java.util.Map<String, Double> nodes = new java.util.HashMap<>();
        decode.get("ops").forEach(o -> nodes.put(o.get("op").asText(), o.get("nodes_per_run").asDouble()));
        // the test graph: 2 layers of q, k, v, o, gate, up and down projections and two attention products (ONNX
        // Runtime fuses q x k's transpose into FusedMatMul), and the LM head
        assertEquals(2 * 9 + 1, nodes.get("MatMul") + nodes.getOrDefault("FusedMatMul", 0.0), 0.01, nodes.toString());
        assertTrue(nodes.containsKey("Softmax") && nodes.containsKey("Concat"), nodes.toString());

        Cli.Run plain = run("bench", "--model", model.toString(), "--prompt-tokens", "40", "--new-tokens", "6", "--threads",
                "1", "--profile");
        assertEquals(0, plain.exitCode(), plain.err());
        assertTrue(plain.out().contains("decode:  5 steps") && plain.out().contains("MatMul"), plain.out());
    }

    @Test
    void templatePrintsExactlyTheRenderedPrompt() throws Exception {
        Path messages = shared.resolve("chat.json");
        Files.writeString(messages, "[{\"role\":\"system\",\"content\":\"简短回答\"},{\"role\":\"user\",\"content\":\"hi 👋\"}]");
        Cli.Run r = run("template", "--model", model.toString(), "--messages", messages.toString());
        assertEquals(0, r.exitCode(), r.err());
        assertEquals("<|im_start|>system\n简短回答<|im_end|>\n<|im_start|>user\nhi 👋<|im_end|>\n<|im_start|>assistant\n", r.out());
        Cli.Run noThinking = run("template", "--model", model.toString(), "--prompt", "hi", "--enable-thinking", "false");
        assertEquals("<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\n", noThinking.out());
        Cli.Run viaVar = run("template", "--model", model.toString(), "--prompt", "hi", "--var", "enable_thinking=false");
        assertEquals(noThinking.out(), viaVar.out());
        Cli.Run noPrompt = run("template", "--model", model.toString(), "--prompt", "hi", "--no-generation-prompt");
        assertEquals("<|im_start|>user\nhi<|im_end|>\n", noPrompt.out());
        Cli.Run badVar = run("template", "--model", model.toString(), "--prompt", "hi", "--var", "x=oops");
        assertEquals(2, badVar.exitCode());
        assertTrue(badVar.err().contains("--var x=oops is not JSON"), badVar.err());
    }

    @Test
    void templateNeedsOnlyTheTokenizerFiles() throws Exception {
        Path tokenizerOnly = Files.createDirectories(shared.resolve("tokenizer-only"));
        Files.copy(model.resolve("tokenizer_config.json"), tokenizerOnly.resolve("tokenizer_config.json"));
        Cli.Run r = run("template", "--model", tokenizerOnly.toString(), "--prompt", "hi");
        assertEquals(0, r.exitCode(), r.err());
        assertEquals("<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n", r.out(), "no config.json, no onnx/");
        Path empty = Files.createDirectories(shared.resolve("empty-folder"));
        Cli.Run missing = run("template", "--model", empty.toString(), "--prompt", "hi");
        assertEquals(2, missing.exitCode());
        assertTrue(missing.err().contains("tokenizer_config.json is missing in"), missing.err());
    }

    @Test
    void aHostileTemplateEndsInOneLineAndExitCode2() throws Exception {
        Path bomb = TestModels.withTokenizer(TestModels.chatSized(), shared.resolve("bomb"));
        Files.writeString(bomb.resolve("chat_template.jinja"),
                "{% macro m(n) %}{{ m(n + 1) }}{% endmacro %}{{ m(0) }}");
        for (String command : new String[] {"template", "generate"}) {
            Cli.Run r = run(command, "--model", bomb.toString(), "--prompt", "hi");
            assertEquals(2, r.exitCode(), r.err());
            assertEquals("kaiyuan: bomb's chat template is too deep: it nests more than 400 levels deep when run (a macro"
                    + " that calls itself without end, or a very long expression)", r.err().strip());
        }
        Files.writeString(bomb.resolve("chat_template.jinja"), "{% for i in range(999999999) %}{% endfor %}");
        Cli.Run large = run("template", "--model", bomb.toString(), "--prompt", "hi");
        assertEquals(2, large.exitCode());
        assertEquals("kaiyuan: bomb's chat template is too large: it builds a list of more than 1,048,576 items",
                large.err().strip());
    }

    @Test
    void theLargestTokenBudgetIsClampedToTheContext() throws Exception {
        Cli.Run r = run("generate", "--model", model.toString(), "--prompt", "hi", "--max-new-tokens", "2147483647",
                "--temperature", "0", "--json");
        assertEquals(0, r.exitCode(), r.err());
        JsonNode json = JSON.readTree(r.out());
        int total = json.get("prompt_token_ids").size() + json.get("token_ids").size();
        assertTrue(json.get("finish_reason").asText().equals("length") ? total == 4096 : total < 4096,
                "ends at the context or the end of sequence: " + total);
    }

    @Test
    void generateRendersWithEnableThinking() throws Exception {
        Cli.Run r = run("generate", "--model", model.toString(), "--prompt", "hi", "--enable-thinking", "false",
                "--max-new-tokens", "1", "--json");
        assertEquals(0, r.exitCode(), r.err());
        assertEquals("<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\n", promptText(r));
    }

    @Test
    void providersListsTheCpu() {
        Cli.Run r = run("providers");
        assertEquals(0, r.exitCode());
        assertTrue(r.out().contains("cpu       available"), r.out());
    }

    @Test
    void jsonSchemaAnswersWithAValidDocumentAndABadSchemaIsNamed() throws Exception {
        Path schema = shared.resolve("answer.schema.json");
        Files.writeString(schema, "{\"type\":\"object\",\"properties\":{\"ok\":{\"type\":\"boolean\"},\"n\":{\"type\":"
                + "\"integer\",\"minimum\":1,\"maximum\":9}},\"required\":[\"ok\",\"n\"],\"additionalProperties\":false}");
        int ended = 0;
        for (String seed : List.of("1", "2", "3")) {
            Cli.Run r = run("generate", "--model", model.toString(), "--prompt", "JSON please", "--max-new-tokens", "200",
                    "--temperature", "1", "--seed", seed, "--json-schema", schema.toString(), "--json");
            assertEquals(0, r.exitCode(), r.err());
            JsonNode out = JSON.readTree(r.out());
            if (out.get("finish_reason").asText().equals("stop")) {
                ended++;
                JsonNode doc = JSON.readTree(out.get("answer").asText());
                assertTrue(doc.get("ok").isBoolean(), doc.toString());
                assertTrue(doc.get("n").asInt() >= 1 && doc.get("n").asInt() <= 9, doc.toString());
                assertEquals(2, doc.size(), doc.toString());
            }
        }
        assertTrue(ended >= 2, "short bounded documents end: " + ended);

        Path bad = shared.resolve("bad.schema.json");
        Files.writeString(bad, "{\"type\":\"object\",\"patternProperties\":{}}");
        Cli.Run refused = run("generate", "--model", model.toString(), "--prompt", "hi", "--json-schema", bad.toString());
        assertTrue(refused.exitCode() != 0);
        assertTrue(refused.err().contains("patternProperties") && refused.err().contains("bad.schema.json"), refused.err());
    }
}
