package io.kaiyuan.engine.generate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OrtSession;
import io.kaiyuan.engine.api.ExecutionProvider;
import io.kaiyuan.engine.ort.FusedGraph;
import io.kaiyuan.engine.ort.OptimizedGraph;
import io.kaiyuan.engine.ort.OrtRuntime;
import io.kaiyuan.engine.testing.TestModels;
import io.kaiyuan.engine.testing.TinyQwen;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A 4-bit model loads through its rewrite for the CPU, made once beside the graph and made again when the graph
 * changes: a Qwen decoder with fused attention and int8 compute, another architecture with int8 compute only
 * (computing what a graph exported with accuracy_level 4 computes); --exact, graphs without MatMulNBits and
 * folders where nothing can be written run as exported.
 */
class OptimizedGraphTest {
    private static final OrtRuntime RUNTIME = new OrtRuntime();
    private static final LanguageModel.LoadOptions CPU = new LanguageModel.LoadOptions(Optional.empty(), ExecutionProvider.CPU, 1);
    private static final LanguageModel.LoadOptions EXACT =
            new LanguageModel.LoadOptions(Optional.empty(), ExecutionProvider.CPU, 1, true);
    private static final int[] TOKENS = {5, 17, 42, 99, 3, 250, 7, 8};

    @TempDir
    Path tmp;

    private static float[] logits(Path dir, LanguageModel.LoadOptions options, String expected) throws Exception {
        try (LanguageModel m = LanguageModel.load(RUNTIME, dir, options);
                OrtSession.RunOptions run = new OrtSession.RunOptions()) {
            assertEquals(expected, m.optimisation());
            assertEquals(!expected.isEmpty(), m.optimised());
            return m.decoder().forward(TOKENS, 0, TOKENS.length, run).clone();
        }
    }

    private static TinyQwen.Spec q4(TinyQwen.Spec spec) {
        return spec.quant(TinyQwen.Quant.Q4).variantFile("model_q4");
    }

    @Test
    void aFourBitQwenRunsFusedMadeOnceAndAgainWhenTheGraphChanges() throws Exception {
        Path dir = TestModels.withTokenizer(q4(TestModels.chatSized().dims(64, 4, 2, 16, 64)), tmp.resolve("q4"));
        Path graph = dir.resolve("onnx/model_q4.onnx");
        Path fused = dir.resolve("onnx/model_q4.onnx.kaiyuan-fused.onnx");

        float[] optimised = logits(dir, CPU, FusedGraph.DESCRIPTION);
        assertTrue(Files.isRegularFile(fused));
        float[] exact = logits(dir, EXACT, "");
        assertFalse(java.util.Arrays.equals(exact, optimised));

        FileTime made = Files.getLastModifiedTime(fused);
        Thread.sleep(20);
        logits(dir, CPU, FusedGraph.DESCRIPTION);
        assertEquals(made, Files.getLastModifiedTime(fused), "made once");
        Files.setLastModifiedTime(graph, FileTime.fromMillis(Files.getLastModifiedTime(graph).toMillis() + 60_000));
        logits(dir, CPU, FusedGraph.DESCRIPTION);
        assertFalse(made.equals(Files.getLastModifiedTime(fused)), "made again for a changed graph");
        assertEquals(Files.size(graph),
                io.kaiyuan.engine.model.ModelFolder.open(dir).weightsBytes(io.kaiyuan.engine.model.Variant.Q4),
                "the rewrite is not counted as weights");
    }

    @Test
    void anotherArchitectureRunsWithInt8ComputeAsIfExportedWithAccuracyLevel4() throws Exception {
        TinyQwen.Spec spec = q4(TinyQwen.glm().vocab(TestModels.QWEN_VOCAB));
        Path dir = TestModels.withTokenizer(spec, tmp.resolve("glm"));
        Path level4 = TestModels.withTokenizer(spec.accuracyLevel(4), tmp.resolve("level4"));
        Path rewrite = dir.resolve("onnx/model_q4.onnx.kaiyuan-int8.onnx");
        float[] optimised = logits(dir, CPU, OptimizedGraph.REWRITE);
        assertTrue(Files.size(rewrite) < Files.size(dir.resolve("onnx/model_q4.onnx")) / 10, "kilobytes that read the original's weights");
        assertArrayEquals(logits(level4, EXACT, ""), optimised, 1e-5f, "as the graph exported with accuracy_level 4");
        String record = Files.readString(dir.resolve("onnx/model_q4.onnx.kaiyuan-optimised.json"));
        assertTrue(record.contains("\"logits_rows\" : true"), "its LM head computes only the rows asked for: " + record);
    }

    @Test
    void aGraphWithoutMatMulNBitsRunsAsExportedAndIsLookedAtOnce() throws Exception {
        Path dir = TestModels.withTokenizer(TestModels.chatSized(), tmp.resolve("fp32"));
        logits(dir, CPU, "");
        assertFalse(Files.exists(dir.resolve("onnx/model.onnx.kaiyuan-int8.onnx")));
        assertFalse(Files.exists(dir.resolve("onnx/model.onnx.kaiyuan-fused.onnx")));
        String record = Files.readString(dir.resolve("onnx/model.onnx.kaiyuan-optimised.json"));
        assertTrue(record.contains("\"runs\" : \"exported\""), record);
    }

    @Test
    void aRewriteThatCannotBeWrittenLeavesTheNextBestToRun() throws Exception {
        Path dir = TestModels.withTokenizer(q4(TestModels.chatSized().dims(64, 4, 2, 16, 64)), tmp.resolve("blocked"));
        // folders where the rewrites' temporary files would go: writing them fails (as in a read-only folder)
        Files.createDirectories(dir.resolve("onnx/model_q4.onnx.kaiyuan-fused.onnx.partial/x"));
        logits(dir, CPU, OptimizedGraph.REWRITE);
        Files.delete(dir.resolve("onnx/model_q4.onnx.kaiyuan-optimised.json"));
        Files.createDirectories(dir.resolve("onnx/model_q4.onnx.kaiyuan-int8.onnx.partial/x"));
        float[] exact = logits(dir, EXACT, "");
        assertArrayEquals(exact, logits(dir, CPU, ""), 0f, "as exported");
        assertFalse(Files.exists(dir.resolve("onnx/model_q4.onnx.kaiyuan-int8.onnx")));
    }
}
