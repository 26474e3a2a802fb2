package io.kaiyuan.engine.testing;

import io.kaiyuan.engine.model.DecoderIo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Builds the real-size random-weight models the llama.cpp comparison runs on (bench/llama-cpp.md): one set of 4-bit
 * weights (block 32, symmetric, float16 scales) of Qwen2.5-0.5B-Instruct's or Qwen2.5-1.5B-Instruct's exact shape,
 * written as
 * <ul>
 *   <li>{@code DIR/onnx-community/}: the transformers.js layout with {@code onnx/model_q4.onnx} (MatMulNBits as the
 *       onnx-community q4 exports: bits 4, block_size 32, no accuracy_level, no zero points) and, with
 *       {@code fp32}, {@code onnx/model.onnx} holding the same numbers as float32 MatMuls;</li>
 *   <li>with {@code q4f16}, {@code onnx/model_q4f16.onnx} beside it: the same blocks as the onnx-community q4f16
 *       exports lay them out (float16 scales, embedding, norms and compute; float32 cache and logits behind Casts, as
 *       Qwen2.5-0.5B-Instruct's);</li>
 *   <li>with {@code level4}, {@code DIR/onnx-community-level4/}: the same q4 graph with MatMulNBits accuracy_level 4
 *       (int8 compute);</li>
 *   <li>{@code DIR/genai/}: an ONNX Runtime GenAI folder of the same MatMulNBits (GroupQueryAttention, shared
 *       past/present buffer);</li>
 *   <li>{@code DIR/model-q4_0.gguf}: the same blocks as GGUF Q4_0 for llama.cpp (embedding and norms F32, as in
 *       the ONNX graphs).</li>
 * </ul>
 * {@code mvn -q -B -pl engine test-compile exec:exec -Dkaiyuan.jvm=-Xmx12g
 * -Dkaiyuan.main=io.kaiyuan.engine.testing.BenchModels -Dkaiyuan.args="DIR 0.5b [fp32] [q4f16] [level4]"}.
 */
public final class BenchModels {
    private BenchModels() {}

    /** Qwen2.5-0.5B-Instruct: 24 layers, hidden 896, 14 heads / 2 KV heads of 64, intermediate 4864. */
    public static TinyQwen.Spec qwen05b() {
        return TestModels.chatSized().dims(896, 14, 2, 64, 4864).layers(24).maxPositions(32768).externalData(true)
                .quant(TinyQwen.Quant.Q4).variantFile("model_q4");
    }

    /** Qwen2.5-1.5B-Instruct: 28 layers, hidden 1536, 12 heads / 2 KV heads of 128, intermediate 8960. */
    public static TinyQwen.Spec qwen15b() {
        return TestModels.chatSized().dims(1536, 12, 2, 128, 8960).layers(28).maxPositions(32768).externalData(true)
                .quant(TinyQwen.Quant.Q4).variantFile("model_q4");
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: BenchModels DIR 0.5b|1.5b|tiny [fp32] [q4f16] [level4]");
            System.exit(2);
        }
        Path dir = Path.of(args[0]);
        TinyQwen.Spec spec = switch (args[1]) {
            case "0.5b" -> qwen05b();
            case "1.5b" -> qwen15b();
            // a small one, to check the formats against each other in seconds
            case "tiny" -> TestModels.chatSized().dims(64, 4, 2, 16, 128).maxPositions(4096).quant(TinyQwen.Quant.Q4)
                    .variantFile("model_q4");
            default -> throw new IllegalArgumentException("unknown shape " + args[1] + ": 0.5b, 1.5b or tiny");
        };
        boolean fp32 = List.of(args).contains("fp32");
        long t0 = System.nanoTime();
        Path tjs = TestModels.withTokenizer(spec, dir.resolve("onnx-community"));
        System.out.printf("onnx-community/onnx/model_q4.onnx (%,d parameters) in %.0f s%n", spec.parameters(),
                (System.nanoTime() - t0) / 1e9);
        if (fp32) {
            TinyQwen.build(spec.quant(TinyQwen.Quant.Q4_AS_FLOAT).variantFile("model"), tjs);
            System.out.printf("onnx-community/onnx/model.onnx (the same numbers as float32) in %.0f s%n",
                    (System.nanoTime() - t0) / 1e9);
        }
        if (List.of(args).contains("q4f16")) {
            TinyQwen.build(spec.quant(TinyQwen.Quant.Q4F16).variantFile("model_q4f16"), tjs);
            System.out.printf("onnx-community/onnx/model_q4f16.onnx (float16 but for the 4-bit blocks) in %.0f s%n",
                    (System.nanoTime() - t0) / 1e9);
        }
        if (List.of(args).contains("level4")) {
            TestModels.withTokenizer(spec.accuracyLevel(4), dir.resolve("onnx-community-level4"));
            System.out.printf("onnx-community-level4/onnx/model_q4.onnx (MatMulNBits accuracy_level 4) in %.0f s%n",
                    (System.nanoTime() - t0) / 1e9);
        }
        TestModels.genAiWithTokenizer(spec.positionIds(false), dir.resolve("genai"),
                DecoderIo.TRANSFORMERS_JS.withShareBuffer(true));
        System.out.printf("genai/ in %.0f s%n", (System.nanoTime() - t0) / 1e9);
        Path gguf = dir.resolve("model-q4_0.gguf");
        GgufWriter.write(spec, TinyQwen.weights(spec), TestModels.qwenTokenizerDir(), gguf, 151645);
        System.out.printf("model-q4_0.gguf (%,d bytes) in %.0f s%n", Files.size(gguf), (System.nanoTime() - t0) / 1e9);
    }
}
