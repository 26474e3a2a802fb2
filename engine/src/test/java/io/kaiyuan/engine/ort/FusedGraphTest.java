package io.kaiyuan.engine.ort;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kaiyuan.engine.api.ExecutionProvider;
import io.kaiyuan.engine.model.DecoderIo;
import io.kaiyuan.engine.model.ModelFolder;
import io.kaiyuan.engine.model.Variant;
import io.kaiyuan.engine.sample.Greedy;
import io.kaiyuan.engine.testing.TinyQwen;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A 4-bit Qwen decoder exported by Optimum (attention as separate ops over a concatenated cache, node names from
 * PyTorch's modules) is rebuilt with GroupQueryAttention, fused norms and int8 compute: the same greedy tokens as
 * the graph as exported, the same logits as the ONNX Runtime GenAI builder's graph of the same weights, a fraction
 * of the nodes; and whatever the rebuild cannot vouch for runs through the plain int8 rewrite.
 */
class FusedGraphTest {
    private static final OrtRuntime RUNTIME = new OrtRuntime();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int NEW_TOKENS = 24;
    private static final int[] PROMPT = {5, 17, 42, 99, 3, 250, 7, 8, 120, 64};

    @TempDir
    Path tmp;

    /** Greedy tokens after {@link #PROMPT} and the logits that chose each. */
    private record Run(int[] tokens, List<float[]> logits) {}

    private static Run greedy(Path graph, ModelFolder folder, DecoderIo io) throws Exception {
        int[] ids = new int[PROMPT.length + NEW_TOKENS];
        System.arraycopy(PROMPT, 0, ids, 0, PROMPT.length);
        List<float[]> logits = new ArrayList<>();
        try (DecoderSession d = DecoderSession.open(RUNTIME, graph, folder.config(), io, ExecutionProvider.CPU, 1);
                OrtSession.RunOptions options = new OrtSession.RunOptions()) {
            float[] l = d.forward(ids, 0, PROMPT.length, options);
            for (int i = 0; i < NEW_TOKENS; i++) {
                logits.add(l.clone());
                ids[PROMPT.length + i] = Greedy.pick(l);
                l = d.forward(ids, PROMPT.length + i, PROMPT.length + i + 1, options);
            }
        }
        return new Run(java.util.Arrays.copyOfRange(ids, PROMPT.length, ids.length), logits);
    }

    private static Path placeholderTokenizer(Path dir) throws Exception {
        Files.writeString(dir.resolve("tokenizer.json"), "{}");
        Files.writeString(dir.resolve("tokenizer_config.json"), "{}");
        return dir;
    }

    private Path model(TinyQwen.Spec spec, String name) throws Exception {
        return placeholderTokenizer(TinyQwen.build(spec.quant(TinyQwen.Quant.Q4).variantFile("model_q4"), tmp.resolve(name)));
    }

    private static OptimizedGraph.Choice prepare(Path dir) {
        ModelFolder folder = ModelFolder.open(dir);
        return OptimizedGraph.prepare(RUNTIME, folder.graphFile(Variant.Q4), folder.config(), folder.configJson(), folder.io());
    }

    private static JsonNode record(Path dir) throws Exception {
        return JSON.readTree(dir.resolve("onnx/model_q4.onnx" + OptimizedGraph.RECORD).toFile());
    }

    static Stream<Arguments> decoders() {
        return Stream.of(
                Arguments.of("qwen2 (biases, rotary inside GroupQueryAttention)", TinyQwen.qwen2()),
                Arguments.of("qwen2 GQA 8:2, 3 layers, without position_ids", TinyQwen.qwen2().positionIds(false)
                        .dims(128, 8, 2, 16, 96).layers(3)),
                Arguments.of("qwen3 (q/k norms, RotaryEmbedding from position_ids)", TinyQwen.qwen3()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("decoders")
    void theRebuiltGraphChoosesTheExportedGraphsTokensAndComputesWhatTheGenAiBuilderWouldWith(String name,
            TinyQwen.Spec spec) throws Exception {
        Path dir = model(spec, "model");
        OptimizedGraph.Choice choice = prepare(dir);
        assertEquals(FusedGraph.DESCRIPTION, choice.description());
        assertEquals(dir.resolve("onnx/model_q4.onnx" + OptimizedGraph.FUSED_SUFFIX), choice.graph());
        JsonNode record = record(dir);
        assertEquals("fused", record.path("runs").asText());
        assertTrue(record.path("checked_difference").asDouble(1) < OptimizedGraph.TOLERANCE, record.toString());
        int perLayerExported = record.path("source_nodes").asInt() / spec.layers();
        int perLayerFused = record.path("nodes").asInt() / spec.layers();
        assertTrue(perLayerFused * 2 < perLayerExported, "fewer nodes: " + record);

        ModelFolder folder = ModelFolder.open(dir);
        Path int8 = dir.resolve("onnx/int8.onnx");
        GraphRewrite.matMulNBitsAccuracy(folder.graphFile(Variant.Q4), int8, 4, true);
        Run exportedInt8 = greedy(int8, folder, DecoderIo.TRANSFORMERS_JS);
        Run fused = greedy(choice.graph(), folder, choice.io());
        assertArrayEquals(exportedInt8.tokens(), fused.tokens(), "the same greedy tokens as the exported graph with int8 compute");
        Run exported = greedy(folder.graphFile(Variant.Q4), folder, DecoderIo.TRANSFORMERS_JS);
        double worst = 0;
        for (int i = 0; i < NEW_TOKENS && exported.tokens()[i] == fused.tokens()[i]; i++) {
            worst = Math.max(worst, OptimizedGraph.difference(exported.logits().get(i), fused.logits().get(i)));
        }
        assertTrue(worst < OptimizedGraph.TOLERANCE, "logits near the exported graph's with float32 compute: " + worst);

        // the same weights as the GenAI builder lays them out, with int8 compute: the same computation
        Path genai = placeholderTokenizer(TinyQwen.buildGenAi(spec.quant(TinyQwen.Quant.Q4).accuracyLevel(4),
                tmp.resolve("genai"), FusedGraph.IO));
        Run reference = greedy(genai.resolve("model.onnx"), ModelFolder.open(genai), FusedGraph.IO);
        assertArrayEquals(reference.tokens(), fused.tokens());
        for (int i = 0; i < NEW_TOKENS; i++) {
            assertArrayEquals(reference.logits().get(i), fused.logits().get(i), 1e-3f, "step " + i);
        }

        assertTrue(Files.size(choice.graph()) < Files.size(folder.graphFile(Variant.Q4)) / 4,
                "the weights are read from the original, not copied");
        assertEquals(Files.size(folder.graphFile(Variant.Q4)), folder.weightsBytes(Variant.Q4), "not counted as weights");
    }

    static Stream<Arguments> q4f16() {
        return Stream.of(
                Arguments.of("qwen2, float32 cache and logits behind the converter's Casts", TinyQwen.qwen2()),
                Arguments.of("qwen2, float16 cache and logits", TinyQwen.qwen2().fp16Kv(true)),
                Arguments.of("qwen3, float16 cache and logits", TinyQwen.qwen3().fp16Kv(true)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("q4f16")
    void aQ4f16ExportIsRebuiltToComputeInFloat32WhatItComputesInFloat16(String name, TinyQwen.Spec spec) throws Exception {
        Path dir = placeholderTokenizer(TinyQwen.build(spec.quant(TinyQwen.Quant.Q4F16).variantFile("model_q4f16"),
                tmp.resolve("q4f16")));
        ModelFolder folder = ModelFolder.open(dir);
        Path original = folder.graphFile(Variant.Q4F16);
        Run exported = greedy(original, folder, DecoderIo.TRANSFORMERS_JS);
        OptimizedGraph.Choice choice = OptimizedGraph.prepare(RUNTIME, original, folder.config(), folder.configJson(),
                folder.io());
        JsonNode record = JSON.readTree(dir.resolve("onnx/model_q4f16.onnx" + OptimizedGraph.RECORD).toFile());
        assertEquals(FusedGraph.DESCRIPTION, choice.description(), record.toString());
        assertEquals("fused", record.path("runs").asText());
        try (DecoderSession d = DecoderSession.open(RUNTIME, choice.graph(), folder.config(), choice.io(),
                ExecutionProvider.CPU, 1)) {
            assertEquals(ai.onnxruntime.OnnxJavaType.FLOAT, d.graph().kvType(), "a float32 cache");
        }
        Run fused = greedy(choice.graph(), folder, choice.io());
        double worst = 0;
        for (int i = 0; i < NEW_TOKENS && exported.tokens()[i] == fused.tokens()[i]; i++) {
            worst = Math.max(worst, OptimizedGraph.difference(exported.logits().get(i), fused.logits().get(i)));
        }
        assertTrue(worst < OptimizedGraph.TOLERANCE, "logits near the float16 graph's: " + worst);

        // the q4 export of the same weights, rebuilt: the same computation but for the float16 rounding of the
        // embedding, norms and biases (the 4-bit blocks and their scales are the same numbers)
        Path q4 = model(spec.fp16Kv(false), "q4");
        OptimizedGraph.Choice q4Choice = prepare(q4);
        assertEquals(FusedGraph.DESCRIPTION, q4Choice.description());
        Run q4Fused = greedy(q4Choice.graph(), ModelFolder.open(q4), q4Choice.io());
        int agreeing = 0;
        for (int i = 0; i < NEW_TOKENS && q4Fused.tokens()[i] == fused.tokens()[i]; i++, agreeing++) {
            double d = OptimizedGraph.difference(q4Fused.logits().get(i), fused.logits().get(i));
            // int8 compute moves logits by a percent or two when its inputs move by float16's rounding
            assertTrue(d < OptimizedGraph.TOLERANCE, "step " + i + ": " + d);
        }
        assertTrue(agreeing >= 8, "the first tokens agree with the q4 graph's: " + agreeing);
        long rotaryTables = 2L * spec.maxPositions() * (spec.headDim() / 2) * Float.BYTES;
        assertTrue(Files.size(choice.graph()) < rotaryTables + 32 * 1024, "the weights are read from the original: "
                + Files.size(choice.graph()) + " bytes");
    }

    @Test
    void madeOnceThenReadFromItsRecordAndMadeAgainForAnotherRuntime() throws Exception {
        Path dir = model(TinyQwen.qwen2(), "model");
        Path fused = prepare(dir).graph();
        var made = Files.getLastModifiedTime(fused);
        Thread.sleep(20);
        assertEquals(fused, prepare(dir).graph());
        assertEquals(made, Files.getLastModifiedTime(fused), "made once");
        // a made graph that was changed (damaged, or written by someone else) is made again
        byte[] bytes = Files.readAllBytes(fused);
        bytes[bytes.length - 1] ^= 1;
        Files.write(fused, bytes);
        assertEquals(fused, prepare(dir).graph());
        assertEquals(OptimizedGraph.sha256(fused), record(dir).path("sha256").asText());
        assertFalse(java.util.Arrays.equals(bytes, Files.readAllBytes(fused)), "made again");
        made = Files.getLastModifiedTime(fused);
        Path record = dir.resolve("onnx/model_q4.onnx" + OptimizedGraph.RECORD);
        ObjectNode r = (ObjectNode) JSON.readTree(record.toFile());
        JSON.writeValue(record.toFile(), r.put("onnxruntime", "1.0.0"));
        assertEquals(fused, prepare(dir).graph());
        assertFalse(made.equals(Files.getLastModifiedTime(fused)), "made again for another runtime");
        assertEquals(RUNTIME.version(), record(dir).path("onnxruntime").asText());
    }

    @Test
    void aModelTheRebuildDoesNotKnowRunsThroughTheInt8RewriteAndTheRecordSaysWhy() throws Exception {
        Path dir = model(TinyQwen.glm(), "glm");
        OptimizedGraph.Choice choice = prepare(dir);
        assertEquals(OptimizedGraph.REWRITE, choice.description());
        assertEquals(DecoderIo.TRANSFORMERS_JS, choice.io());
        assertEquals("int8", record(dir).path("runs").asText());
        assertTrue(record(dir).path("not_fused").asText().contains("model_type 'glm'"), record(dir).toString());
        assertFalse(Files.exists(dir.resolve("onnx/model_q4.onnx" + OptimizedGraph.FUSED_SUFFIX)));
    }

    @Test
    void aRebuildThatComputesSomethingElseIsCaughtByItsCheckAndNotUsed() throws Exception {
        Path dir = model(TinyQwen.qwen2(), "wrong-theta");
        // config.json now disagrees with what the graph computes: the rebuilt rotary tables are not the graph's
        ObjectNode config = (ObjectNode) JSON.readTree(dir.resolve("config.json").toFile());
        JSON.writeValue(dir.resolve("config.json").toFile(), config.put("rope_theta", 1_000_000.0));
        OptimizedGraph.Choice choice = prepare(dir);
        assertEquals(OptimizedGraph.REWRITE, choice.description());
        assertTrue(record(dir).path("not_fused").asText().contains("differ"), record(dir).toString());
        assertFalse(Files.exists(dir.resolve("onnx/model_q4.onnx" + OptimizedGraph.FUSED_SUFFIX)));
    }

    @Test
    void graphsAndConfigurationsItCannotRebuildAreNamed() throws Exception {
        Path dir = model(TinyQwen.qwen2(), "model");
        Path graph = dir.resolve("onnx/model_q4.onnx");
        ObjectNode config = (ObjectNode) JSON.readTree(dir.resolve("config.json").toFile());
        Path target = dir.resolve("onnx/out.onnx");
        for (String[] c : new String[][] {
                {"rope_scaling", "{\"type\":\"yarn\",\"factor\":4.0}", "rope_scaling"},
                {"hidden_act", "\"gelu\"", "hidden_act"},
                {"use_sliding_window", "true", "use_sliding_window"},
                {"num_hidden_layers", "3", "not for 3 layers"},
                {"num_hidden_layers", "1.5", "num_hidden_layers"},
                {"num_hidden_layers", "100000", "num_hidden_layers"},
                {"num_key_value_heads", "3", "do not fit"},
                {"rope_theta", "-1", "rope_theta"},
                {"head_dim", "8", "multiple of 16"}}) {
            ObjectNode changed = config.deepCopy();
            changed.set(c[0], JSON.readTree(c[1]));
            FusedGraph.NotFusable e = assertThrows(FusedGraph.NotFusable.class, () -> FusedGraph.build(graph, changed, target),
                    c[0] + " = " + c[1]);
            assertTrue(e.getMessage().contains(c[2]), e.getMessage());
        }
        ObjectNode huge = config.deepCopy().put("max_position_embeddings", 1 << 20).put("head_dim", 128);
        assertTrue(assertThrows(FusedGraph.NotFusable.class, () -> FusedGraph.build(graph, huge, target)).getMessage()
                .contains("too large"), "rotary tables of 2 x 256 MB are not made");
        // a float graph (no MatMulNBits) of a float16 cache, and a graph without PyTorch's module names
        Path fp16 = TinyQwen.build(TinyQwen.qwen2().fp16Kv(true), tmp.resolve("fp16"));
        assertTrue(assertThrows(FusedGraph.NotFusable.class, () -> FusedGraph.build(fp16.resolve("onnx/model.onnx"), config,
                fp16.resolve("onnx/out.onnx"))).getMessage().contains("MatMulNBits"));
        Path fp32 = TinyQwen.build(TinyQwen.qwen2(), tmp.resolve("fp32"));
        assertTrue(assertThrows(FusedGraph.NotFusable.class, () -> FusedGraph.build(fp32.resolve("onnx/model.onnx"), config,
                fp32.resolve("onnx/out.onnx"))).getMessage().contains("MatMulNBits"));
        Path genai = TinyQwen.buildGenAi(TinyQwen.qwen2().quant(TinyQwen.Quant.Q4), tmp.resolve("genai-names"), FusedGraph.IO);
        assertTrue(assertThrows(FusedGraph.NotFusable.class, () -> FusedGraph.build(genai.resolve("model.onnx"), config,
                genai.resolve("out.onnx"))).getMessage().contains("/model/"));
        assertFalse(Files.exists(target));
    }
}
