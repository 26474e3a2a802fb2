package io.kaiyuan.engine.generate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OrtSession;
import io.kaiyuan.engine.api.ExecutionProvider;
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
 * A 4-bit model loads through its int8-compute rewrite (made once beside the graph, made again when the graph
 * changes), computing what a graph exported with accuracy_level 4 computes; --exact and graphs without MatMulNBits
 * run as exported.
 */
class OptimizedGraphTest {
    private static final OrtRuntime RUNTIME = new OrtRuntime();
    private static final LanguageModel.LoadOptions CPU = new LanguageModel.LoadOptions(Optional.empty(), ExecutionProvider.CPU, 1);
    private static final LanguageModel.LoadOptions EXACT =
            new LanguageModel.LoadOptions(Optional.empty(), ExecutionProvider.CPU, 1, true);
    private static final int[] TOKENS = {5, 17, 42, 99, 3, 250, 7, 8};

    @TempDir
    Path tmp;

    private static float[] logits(Path dir, LanguageModel.LoadOptions options, boolean expectOptimised) throws Exception {
        try (LanguageModel m = LanguageModel.load(RUNTIME, dir, options);
                OrtSession.RunOptions run = new OrtSession.RunOptions()) {
            assertEquals(expectOptimised, m.optimised());
            return m.decoder().forward(TOKENS, 0, TOKENS.length, run).clone();
        }
    }

    @Test
    void aFourBitGraphRunsThroughItsRewriteMadeOnceAndAgainWhenTheGraphChanges() throws Exception {
        TinyQwen.Spec spec = TestModels.chatSized().dims(64, 4, 2, 16, 64).quant(TinyQwen.Quant.Q4).variantFile("model_q4");
        Path dir = TestModels.withTokenizer(spec, tmp.resolve("q4"));
        Path level4 = TestModels.withTokenizer(spec.accuracyLevel(4), tmp.resolve("level4"));
        Path graph = dir.resolve("onnx/model_q4.onnx");
        Path rewrite = dir.resolve("onnx/model_q4.onnx.kaiyuan-int8.onnx");

        float[] optimised = logits(dir, CPU, true);
        assertTrue(Files.size(rewrite) < Files.size(graph) / 10, "kilobytes that read the original's weights");
        assertArrayEquals(logits(level4, EXACT, false), optimised, 1e-5f, "as the graph exported with accuracy_level 4");
        float[] exact = logits(dir, EXACT, false);
        assertFalse(java.util.Arrays.equals(exact, optimised));

        FileTime made = Files.getLastModifiedTime(rewrite);
        Thread.sleep(20);
        logits(dir, CPU, true);
        assertEquals(made, Files.getLastModifiedTime(rewrite), "made once");
        Files.setLastModifiedTime(graph, FileTime.fromMillis(Files.getLastModifiedTime(graph).toMillis() + 60_000));
        logits(dir, CPU, true);
        assertFalse(made.equals(Files.getLastModifiedTime(rewrite)), "made again for a changed graph");
        assertEquals(Files.size(graph),
                io.kaiyuan.engine.model.ModelFolder.open(dir).weightsBytes(io.kaiyuan.engine.model.Variant.Q4),
                "the rewrite is not counted as weights");
    }

    @Test
    void aGraphWithoutMatMulNBitsRunsAsExportedAndIsLookedAtOnce() throws Exception {
        Path dir = TestModels.withTokenizer(TestModels.chatSized(), tmp.resolve("fp32"));
        logits(dir, CPU, false);
        assertFalse(Files.exists(dir.resolve("onnx/model.onnx.kaiyuan-int8.onnx")));
        assertTrue(Files.readString(dir.resolve("onnx/model.onnx.kaiyuan-int8.json")).contains("\"nodes\" : 0"));
    }

    @Test
    void aRewriteThatCannotBeWrittenLeavesTheGraphToRunAsExported() throws Exception {
        TinyQwen.Spec spec = TestModels.chatSized().dims(64, 4, 2, 16, 64).quant(TinyQwen.Quant.Q4).variantFile("model_q4");
        Path dir = TestModels.withTokenizer(spec, tmp.resolve("blocked"));
        // a folder where the rewrite's temporary file would go: writing it fails (as in a read-only folder)
        Files.createDirectories(dir.resolve("onnx/model_q4.onnx.kaiyuan-int8.onnx.partial/x"));
        float[] exact = logits(dir, EXACT, false);
        assertArrayEquals(exact, logits(dir, CPU, false), 0f, "as exported");
        assertFalse(Files.exists(dir.resolve("onnx/model_q4.onnx.kaiyuan-int8.onnx")));
    }
}
