package io.kaiyuan.engine.ort;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OrtSession;
import io.kaiyuan.engine.api.ExecutionProvider;
import io.kaiyuan.engine.sample.Greedy;
import io.kaiyuan.engine.model.DecoderIo;
import io.kaiyuan.engine.model.ModelFolder;
import io.kaiyuan.engine.testing.Q4;
import io.kaiyuan.engine.testing.TinyQwen;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * 4-bit graphs as the onnx-community q4 exports (MatMulNBits, block 32, symmetric) and the GenAI builder write them
 * compute what float32 MatMuls of the same numbers compute: the packing of the test models (and of the GGUF the
 * benchmark writes from the same blocks) is ONNX Runtime's.
 */
class Q4GraphTest {
    private static final OrtRuntime RUNTIME = new OrtRuntime();
    private static final int NEW_TOKENS = 24;

    @TempDir
    Path tmp;

    private static DecoderSession open(Path dir) throws Exception {
        Files.writeString(dir.resolve("tokenizer.json"), "{}");
        Files.writeString(dir.resolve("tokenizer_config.json"), "{}");
        ModelFolder folder = ModelFolder.open(dir);
        return DecoderSession.open(RUNTIME, folder.graphFile(folder.chooseVariant(Optional.empty(), false)), folder.config(),
                folder.io(), ExecutionProvider.CPU, 1);
    }

    /** Greedy tokens after the prompt; each step's logits into {@code logits}. */
    private static int[] greedy(DecoderSession session, float[][] logits) throws Exception {
        int[] prompt = {5, 17, 42, 99, 3, 250, 7};
        int[] tokens = Arrays.copyOf(prompt, prompt.length + logits.length);
        try (OrtSession.RunOptions options = new OrtSession.RunOptions()) {
            float[] next = session.forward(tokens, 0, prompt.length, options);
            for (int n = prompt.length; n < tokens.length; n++) {
                logits[n - prompt.length] = next.clone();
                tokens[n] = Greedy.pick(next);
                if (n + 1 < tokens.length) {
                    next = session.forward(tokens, n, n + 1, options);
                }
            }
        }
        return tokens;
    }

    @Test
    void blocksRoundTripAndPackAsTheFormatsSay() {
        SplittableRandom random = new SplittableRandom(1);
        int k = 64;
        int n = 3;
        float[] w = new float[k * n];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) random.nextGaussian();
        }
        Q4 q = Q4.quantize(w, k, n);
        float[] back = q.dequantized();
        for (int c = 0; c < n; c++) {
            for (int b = 0; b < k / TinyQwen.Q4_BLOCK; b++) {
                float scale = Math.abs(Q4.toFloat(q.scales()[c * (k / TinyQwen.Q4_BLOCK) + b]));
                for (int r = b * TinyQwen.Q4_BLOCK; r < (b + 1) * TinyQwen.Q4_BLOCK; r++) {
                    // half a step, or one step where the opposite sign's end of the range (7, not 8 steps) is cut
                    assertEquals(w[r * n + c], back[r * n + c], scale + 1e-6f, "within a step");
                }
            }
        }
        assertArrayEquals(back, Q4.quantize(back, k, n).dequantized(), "4-bit values are held exactly");
        byte[] nbits = q.matMulNBitsData();
        assertEquals(q.q()[0] | q.q()[1] << 4, nbits[0] & 0xff, "MatMulNBits: the even value in the low bits");
        byte[] ggml = q.q4_0();
        assertEquals(n * (k / TinyQwen.Q4_BLOCK) * 18, ggml.length);
        assertEquals(q.scales()[0], (short) (ggml[0] & 0xff | ggml[1] << 8), "Q4_0: the float16 scale first");
        assertEquals(q.q()[0] | q.q()[16] << 4, ggml[2] & 0xff, "Q4_0: value j low, value j + 16 high");
        for (float f : new float[] {0f, 1f, -2.5f, 65504f, 6.1e-5f, 3e-7f, 0.1f}) {
            assertEquals(f, Q4.toFloat(Q4.toHalf(f)), Math.abs(f) * 1e-3f + 6e-8f, "half of " + f);
        }
    }

    @Test
    void matMulNBitsComputesWhatFloatMatMulsOfTheSameNumbersCompute() throws Exception {
        TinyQwen.Spec spec = TinyQwen.qwen2().dims(64, 4, 2, 16, 128);
        float[][] q4 = new float[NEW_TOKENS][];
        float[][] asFloat = new float[NEW_TOKENS][];
        float[][] level4 = new float[NEW_TOKENS][];
        int[] a;
        int[] b;
        try (DecoderSession s = open(TinyQwen.build(spec.quant(TinyQwen.Quant.Q4), tmp.resolve("q4")))) {
            a = greedy(s, q4);
        }
        try (DecoderSession s = open(TinyQwen.build(spec.quant(TinyQwen.Quant.Q4_AS_FLOAT), tmp.resolve("float")))) {
            b = greedy(s, asFloat);
        }
        assertArrayEquals(b, a, "greedy tokens");
        for (int i = 0; i < NEW_TOKENS; i++) {
            assertArrayEquals(asFloat[i], q4[i], 2e-3f, "logits of step " + i);
        }
        try (DecoderSession s = open(TinyQwen.build(spec.quant(TinyQwen.Quant.Q4).accuracyLevel(4), tmp.resolve("level4")));
                OrtSession.RunOptions options = new OrtSession.RunOptions()) {
            // the same tokens, so that each step is compared on the same context
            int prompt = a.length - NEW_TOKENS;
            float[] next = s.forward(a, 0, prompt, options);
            for (int n = prompt; n < a.length; n++) {
                level4[n - prompt] = next.clone();
                if (n + 1 < a.length) {
                    next = s.forward(a, n, n + 1, options);
                }
            }
        }
        double worst = 0;
        double scale = 0;
        for (int i = 0; i < NEW_TOKENS; i++) {
            for (int v = 0; v < q4[i].length; v++) {
                worst = Math.max(worst, Math.abs(level4[i][v] - q4[i][v]));
                scale = Math.max(scale, Math.abs(q4[i][v]));
            }
        }
        System.out.println("accuracy_level 4 moves logits by at most " + worst + " (largest logit " + scale + ")");
        // int8 compute quantizes the activations per block: close, not equal
        assertTrue(worst > 0 && worst < 0.05 * scale, "accuracy_level 4 moves logits by " + worst + " of " + scale);
    }

    @Test
    void aGenAiGraphOfMatMulNBitsEqualsItsFloatTwin() throws Exception {
        TinyQwen.Spec spec = TinyQwen.qwen2().positionIds(false).dims(64, 4, 2, 16, 128);
        DecoderIo io = DecoderIo.TRANSFORMERS_JS.withShareBuffer(true);
        float[][] q4 = new float[NEW_TOKENS][];
        float[][] asFloat = new float[NEW_TOKENS][];
        int[] a;
        int[] b;
        try (DecoderSession s = open(TinyQwen.buildGenAi(spec.quant(TinyQwen.Quant.Q4), tmp.resolve("q4"), io))) {
            a = greedy(s, q4);
        }
        try (DecoderSession s = open(TinyQwen.buildGenAi(spec.quant(TinyQwen.Quant.Q4_AS_FLOAT), tmp.resolve("f"), io))) {
            b = greedy(s, asFloat);
        }
        assertArrayEquals(b, a);
        for (int i = 0; i < NEW_TOKENS; i++) {
            assertArrayEquals(asFloat[i], q4[i], 2e-3f, "logits of step " + i);
        }
    }
}
