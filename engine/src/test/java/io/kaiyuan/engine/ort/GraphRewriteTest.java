package io.kaiyuan.engine.ort;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OrtSession;
import io.kaiyuan.engine.api.ExecutionProvider;
import io.kaiyuan.engine.model.ModelFolder;
import io.kaiyuan.engine.model.Variant;
import io.kaiyuan.engine.testing.TinyQwen;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Setting MatMulNBits' accuracy_level in a graph file gives the graph the builder would have written with it, bytes
 * of initializers and external data untouched.
 */
class GraphRewriteTest {
    private static final OrtRuntime RUNTIME = new OrtRuntime();

    @TempDir
    Path tmp;

    private static float[][] logits(Path dir, Path graph, int[] tokens, int steps) throws Exception {
        ModelFolder folder = ModelFolder.open(dir);
        float[][] out = new float[steps][];
        try (DecoderSession s = DecoderSession.open(RUNTIME, graph, folder.config(), folder.io(), ExecutionProvider.CPU, 1);
                OrtSession.RunOptions options = new OrtSession.RunOptions()) {
            int prompt = tokens.length - steps + 1;
            out[0] = s.forward(tokens, 0, prompt, options).clone();
            for (int i = 1; i < steps; i++) {
                out[i] = s.forward(tokens, prompt + i - 1, prompt + i, options).clone();
            }
        }
        return out;
    }

    private static Path folder(TinyQwen.Spec spec, Path dir) throws Exception {
        TinyQwen.build(spec, dir);
        Files.writeString(dir.resolve("tokenizer.json"), "{}");
        Files.writeString(dir.resolve("tokenizer_config.json"), "{}");
        return dir;
    }

    @Test
    void matMulNBitsNodesGetAccuracyLevelFourAndComputeAsBuiltSo() throws Exception {
        TinyQwen.Spec spec = TinyQwen.qwen2().dims(64, 4, 2, 16, 128).quant(TinyQwen.Quant.Q4).variantFile("model_q4")
                .externalData(true);
        Path plain = folder(spec, tmp.resolve("plain"));
        Path built4 = folder(spec.accuracyLevel(4), tmp.resolve("built4"));
        Path graph = plain.resolve("onnx/model_q4.onnx");
        byte[] data = Files.readAllBytes(plain.resolve("onnx/model_q4.onnx_data"));
        Path rewritten = plain.resolve("onnx/model_q4.level4.onnx");

        GraphRewrite.Result r = GraphRewrite.matMulNBitsAccuracy(graph, rewritten, 4);
        assertEquals(2 * 7 + 1, r.changed(), "every projection and the LM head");
        assertTrue(r.nodes() > r.changed());
        assertArrayEquals(data, Files.readAllBytes(plain.resolve("onnx/model_q4.onnx_data")), "external data untouched");
        assertFalse(Files.exists(plain.resolve("onnx/model_q4.level4.onnx.partial")));

        int[] tokens = {5, 17, 42, 99, 3, 250, 7, 8, 9, 10, 11, 12};
        float[][] a = logits(plain, rewritten, tokens, 6);
        float[][] b = logits(built4, built4.resolve("onnx/model_q4.onnx"), tokens, 6);
        float[][] level0 = logits(plain, graph, tokens, 6);
        for (int i = 0; i < a.length; i++) {
            assertArrayEquals(b[i], a[i], 1e-5f, "the rewritten graph computes what a level-4 graph does, step " + i);
        }
        assertFalse(Arrays.equals(level0[0], a[0]), "int8 compute moves the logits a little");

        // again to level 0: the attribute is replaced, not added twice
        Path back = plain.resolve("onnx/model_q4.level0.onnx");
        assertEquals(15, GraphRewrite.matMulNBitsAccuracy(rewritten, back, 0).changed());
        float[][] c = logits(plain, back, tokens, 6);
        for (int i = 0; i < c.length; i++) {
            assertArrayEquals(level0[i], c[i], 1e-6f);
        }
    }

    @Test
    void aGraphWithItsWeightsInsideIsRewrittenInKilobytesThatReferenceThem() throws Exception {
        TinyQwen.Spec spec = TinyQwen.qwen2().dims(64, 4, 2, 16, 128).vocab(2048).quant(TinyQwen.Quant.Q4)
                .variantFile("model_q4");
        Path plain = folder(spec, tmp.resolve("inline"));
        Path built4 = folder(spec.accuracyLevel(4), tmp.resolve("built4"));
        Path graph = plain.resolve("onnx/model_q4.onnx");
        Path rewritten = plain.resolve("onnx/model_q4.level4.onnx");
        GraphRewrite.Result r = GraphRewrite.matMulNBitsAccuracy(graph, rewritten, 4, true);
        assertEquals(15, r.changed());
        assertTrue(r.referenced() > 20, "the large initializers are referenced: " + r.referenced());
        assertTrue(Files.size(rewritten) < Files.size(graph) / 20, Files.size(rewritten) + " of " + Files.size(graph));
        int[] tokens = {5, 17, 42, 99, 3, 250, 7, 8, 9, 10, 11, 12};
        float[][] a = logits(plain, rewritten, tokens, 6);
        float[][] b = logits(built4, built4.resolve("onnx/model_q4.onnx"), tokens, 6);
        for (int i = 0; i < a.length; i++) {
            assertArrayEquals(b[i], a[i], 1e-5f, "step " + i);
        }
        assertThrows(IllegalArgumentException.class,
                () -> GraphRewrite.matMulNBitsAccuracy(graph, tmp.resolve("elsewhere.onnx"), 4, true));
    }

    @Test
    void aGraphWithoutMatMulNBitsIsCopiedAndBrokenOnesAreRefused() throws Exception {
        Path plain = folder(TinyQwen.qwen2(), tmp.resolve("fp32"));
        Path graph = plain.resolve("onnx/model.onnx");
        Path copy = tmp.resolve("copy.onnx");
        assertEquals(0, GraphRewrite.matMulNBitsAccuracy(graph, copy, 4).changed());
        assertArrayEquals(Files.readAllBytes(graph), Files.readAllBytes(copy));

        Path truncated = tmp.resolve("truncated.onnx");
        byte[] bytes = Files.readAllBytes(graph);
        Files.write(truncated, Arrays.copyOf(bytes, bytes.length / 2));
        assertThrows(IOException.class, () -> GraphRewrite.matMulNBitsAccuracy(truncated, tmp.resolve("x.onnx"), 4));
        assertFalse(Files.exists(tmp.resolve("x.onnx")) || Files.exists(tmp.resolve("x.onnx.partial")), "nothing left");
        assertThrows(IllegalArgumentException.class, () -> GraphRewrite.matMulNBitsAccuracy(graph, copy, 7));
        assertEquals(Variant.FP32, ModelFolder.open(plain).chooseVariant(Optional.empty(), false));
    }

    @Test
    void theLmHeadGetsOnlyTheRowsAskedForAndComputesThemAsBefore() throws Exception {
        // a GenAI graph (no num_logits_to_keep, the head writing logits directly) and the transformers.js one of GLM
        TinyQwen.Spec spec = TinyQwen.qwen2().positionIds(false).dims(64, 4, 2, 16, 128).quant(TinyQwen.Quant.Q4);
        Path genai = TinyQwen.buildGenAi(spec, tmp.resolve("genai"), io.kaiyuan.engine.model.DecoderIo.TRANSFORMERS_JS
                .withShareBuffer(true));
        Files.writeString(genai.resolve("tokenizer.json"), "{}");
        Files.writeString(genai.resolve("tokenizer_config.json"), "{}");
        Path glm = folder(TinyQwen.glm().quant(TinyQwen.Quant.Q4).variantFile("model_q4"), tmp.resolve("glm"));
        int[] tokens = {5, 17, 42, 99, 3, 250, 7, 8, 11, 12, 13};
        for (Path graph : new Path[] {genai.resolve("model.onnx"), glm.resolve("onnx/model_q4.onnx")}) {
            Path dir = graph.getParent().getFileName().toString().equals("onnx") ? graph.getParent().getParent() : graph.getParent();
            Path rows = graph.resolveSibling("rows.onnx");
            GraphRewrite.Result result = GraphRewrite.rewrite(graph, rows, 0, true, "logits");
            assertTrue(result.logitsRows(), graph.toString());
            try (var index = io.kaiyuan.engine.onnx.ModelIndex.read(rows)) {
                assertTrue(index.inputs().containsKey(GraphRewrite.LOGITS_TO_KEEP));
            }
            float[][] before = logits(dir, graph, tokens, 4);
            float[][] after = logits(dir, rows, tokens, 4);
            for (int i = 0; i < before.length; i++) {
                assertArrayEquals(before[i], after[i], 1e-4f, graph + " step " + i);
            }
        }
    }

    @Test
    void aGraphThatAlreadyChoosesItsRowsOrCastsItsLogitsKeepsItsHead() throws Exception {
        for (TinyQwen.Spec spec : new TinyQwen.Spec[] {TinyQwen.qwen2().logitsToKeep(true), TinyQwen.qwen2().fp16Kv(true)}) {
            Path dir = folder(spec.quant(TinyQwen.Quant.Q4).variantFile("model_q4"), tmp.resolve("m" + spec.fp16Kv()));
            GraphRewrite.Result result = GraphRewrite.rewrite(dir.resolve("onnx/model_q4.onnx"), dir.resolve("onnx/out.onnx"),
                    4, true, "logits");
            assertFalse(result.logitsRows());
            assertTrue(result.changed() > 0, "accuracy_level set all the same");
        }
    }
}
