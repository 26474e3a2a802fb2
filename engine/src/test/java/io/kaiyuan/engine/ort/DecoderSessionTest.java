package io.kaiyuan.engine.ort;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kaiyuan.engine.api.ExecutionProvider;
import io.kaiyuan.engine.sample.Greedy;
import io.kaiyuan.engine.api.ModelLoadException;
import io.kaiyuan.engine.model.ModelConfig;
import io.kaiyuan.engine.model.ModelFolder;
import io.kaiyuan.engine.testing.TestModels;
import io.kaiyuan.engine.testing.TinyQwen;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class DecoderSessionTest {
    private static final OrtRuntime RUNTIME = new OrtRuntime();
    private static final int NEW_TOKENS = 40;

    @TempDir
    Path tmp;

    static Stream<Arguments> variants() {
        return Stream.of(
                Arguments.of("qwen2 fp32 kv, position_ids, GQA 2:1", TinyQwen.qwen2()),
                Arguments.of("qwen2 without position_ids", TinyQwen.qwen2().positionIds(false)),
                Arguments.of("qwen2 fp16 kv", TinyQwen.qwen2().fp16Kv(true)),
                Arguments.of("qwen2 MHA (no GQA)", TinyQwen.qwen2().dims(64, 4, 4, 16, 128)),
                Arguments.of("qwen2 GQA 4:1, 3 layers", TinyQwen.qwen2().dims(64, 8, 2, 8, 96).layers(3)),
                Arguments.of("qwen3 q/k norm, head_dim 32 != 64/4, GQA 4:1", TinyQwen.qwen3()),
                Arguments.of("qwen3 fp16 kv, num_logits_to_keep, external data",
                        TinyQwen.qwen3().fp16Kv(true).logitsToKeep(true).externalData(true)),
                Arguments.of("qwen3 without position_ids, GQA 2:1",
                        TinyQwen.qwen3().positionIds(false).dims(64, 4, 2, 32, 128)));
    }

    private DecoderSession open(TinyQwen.Spec spec, Path dir) throws Exception {
        TinyQwen.build(spec, dir);
        ModelConfig config = readConfig(dir);
        return DecoderSession.open(RUNTIME, dir.resolve("onnx/model.onnx"), config, ExecutionProvider.CPU, 1);
    }

    private static ModelConfig readConfig(Path dir) throws Exception {
        // ModelFolder needs tokenizer files; the session tests only need config.json.
        Files.writeString(dir.resolve("tokenizer.json"), "{}");
        Files.writeString(dir.resolve("tokenizer_config.json"), "{}");
        return ModelFolder.open(dir).config();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("variants")
    void cachedGenerationEqualsFullRecomputation(String name, TinyQwen.Spec spec) throws Exception {
        int[] prompt = {5, 17, 42, 99, 3, 250, 7};
        int total = prompt.length + NEW_TOKENS;
        try (DecoderSession session = open(spec, tmp.resolve("m"));
                OrtSession.RunOptions options = new OrtSession.RunOptions()) {
            assertEquals(spec.layers(), session.graph().layers());
            assertEquals(spec.kvHeads(), session.graph().kvHeads());
            assertEquals(spec.headDim(), session.graph().headDim());
            assertEquals(spec.positionIds(), session.graph().hasPositionIds());
            assertEquals(spec.logitsToKeep(), session.graph().hasLogitsToKeep());
            assertEquals(spec.fp16Kv() ? OnnxJavaType.FLOAT16 : OnnxJavaType.FLOAT, session.graph().kvType());
            assertEquals(spec.fp16Kv() ? OnnxJavaType.FLOAT16 : OnnxJavaType.FLOAT,
                    session.graph().logitsType());

            int[] cached = Arrays.copyOf(prompt, total);
            float[][] cachedLogits = new float[NEW_TOKENS][];
            float[] logits = session.forward(cached, 0, prompt.length, options);
            for (int n = prompt.length; n < total; n++) {
                cachedLogits[n - prompt.length] = logits.clone();
                cached[n] = Greedy.pick(logits);
                if (n + 1 < total) {
                    logits = session.forward(cached, n, n + 1, options);
                }
            }
            assertEquals(total - 1, session.cacheLength());

            // float16 logits carry about 3 significant digits: one fp16 step at |logit| ~ 8 is 0.0078.
            float tolerance = spec.fp16Kv() ? 1.6e-2f : 2e-3f;
            int[] fresh = Arrays.copyOf(prompt, total);
            for (int n = prompt.length; n < total; n++) {
                session.reset();
                float[] full = session.forward(fresh, 0, n, options);
                fresh[n] = Greedy.pick(full);
                float[] expected = cachedLogits[n - prompt.length];
                for (int v = 0; v < full.length; v++) {
                    assertEquals(expected[v], full[v], tolerance, "logit " + v + " at position " + n);
                }
            }
            assertArrayEquals(fresh, cached, "cached and uncached greedy tokens differ");
            long distinct = Arrays.stream(cached, prompt.length, total).distinct().count();
            assertTrue(distinct > 3, "the fixture should not degenerate into one repeated token");
        }
    }

    @Test
    void truncatedCacheContinuesLikeAFreshRun() throws Exception {
        int[] tokens = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
        try (DecoderSession session = open(TinyQwen.qwen2().fp16Kv(true), tmp.resolve("m"));
                OrtSession.RunOptions options = new OrtSession.RunOptions()) {
            session.forward(tokens, 0, 10, options);
            session.truncate(6);
            assertEquals(6, session.cacheLength());
            float[] afterTruncate = session.forward(tokens, 6, 8, options).clone();
            session.reset();
            float[] fresh = session.forward(tokens, 0, 8, options);
            assertArrayEquals(fresh, afterTruncate, 2e-3f);
        }
    }

    @Test
    void terminatedRunLeavesTheCacheAsItWas() throws Exception {
        int[] tokens = new int[200];
        Arrays.setAll(tokens, i -> (i * 31) % 500);
        try (DecoderSession session = open(TinyQwen.qwen2(), tmp.resolve("m"));
                OrtSession.RunOptions options = new OrtSession.RunOptions()) {
            session.forward(tokens, 0, 5, options);
            options.setTerminate(true);
            assertThrows(ai.onnxruntime.OrtException.class, () -> session.forward(tokens, 5, 200, options));
            assertEquals(5, session.cacheLength());
            try (OrtSession.RunOptions fresh = new OrtSession.RunOptions()) {
                float[] continued = session.forward(tokens, 5, 6, fresh).clone();
                session.reset();
                assertArrayEquals(session.forward(tokens, 0, 6, fresh), continued, 2e-3f);
            }
        }
    }

    @Test
    void graphThatDisagreesWithConfigIsRefused() throws Exception {
        Path dir = tmp.resolve("m");
        TinyQwen.build(TinyQwen.qwen2(), dir);
        ObjectMapper json = new ObjectMapper();
        ObjectNode config = (ObjectNode) json.readTree(dir.resolve("config.json").toFile());
        config.put("num_hidden_layers", 5);
        json.writeValue(dir.resolve("config.json").toFile(), config);
        ModelConfig bad = readConfig(dir);
        ModelLoadException e = assertThrows(ModelLoadException.class,
                () -> DecoderSession.open(RUNTIME, dir.resolve("onnx/model.onnx"), bad, ExecutionProvider.CPU, 1));
        assertTrue(e.getMessage().contains("num_hidden_layers = 5"), e.getMessage());

        config.put("num_hidden_layers", 2);
        config.put("num_key_value_heads", 4);
        json.writeValue(dir.resolve("config.json").toFile(), config);
        ModelConfig badHeads = readConfig(dir);
        e = assertThrows(ModelLoadException.class,
                () -> DecoderSession.open(RUNTIME, dir.resolve("onnx/model.onnx"), badHeads, ExecutionProvider.CPU, 1));
        assertTrue(e.getMessage().contains("KV heads"), e.getMessage());
    }

    @Test
    void qwen3HeadDimComesFromConfigNotHiddenOverHeads() throws Exception {
        Path dir = tmp.resolve("m");
        TinyQwen.build(TinyQwen.qwen3(), dir);
        ModelConfig config = readConfig(dir);
        assertEquals(32, config.headDim());
        assertEquals(64 / 4, 16, "hidden/heads would be 16");
    }

    @Test
    void chatSizedModelHasTheQwenVocabulary() throws Exception {
        try (DecoderSession session = open(TestModels.chatSized(), tmp.resolve("m"));
                OrtSession.RunOptions options = new OrtSession.RunOptions()) {
            assertEquals(TestModels.QWEN_VOCAB, session.graph().vocab());
            assertEquals(TestModels.QWEN_VOCAB, session.forward(new int[] {151644, 872}, 0, 2, options).length);
        }
    }

    @Test
    void longPromptsRunInChunksWithAndWithoutNumLogitsToKeepAndAgree() throws Exception {
        int[] prompt = new int[DecoderSession.PREFILL_CHUNK * 2 + 37];
        Arrays.setAll(prompt, i -> (i * 131) % 500);
        TinyQwen.Spec spec = TinyQwen.qwen2().maxPositions(2048);
        try (DecoderSession chunked = open(spec, tmp.resolve("chunked"));
                DecoderSession kept = open(spec.logitsToKeep(true), tmp.resolve("kept"));
                OrtSession.RunOptions options = new OrtSession.RunOptions()) {
            assertTrue(!chunked.graph().hasLogitsToKeep() && kept.graph().hasLogitsToKeep());
            float[] a = chunked.forward(prompt, 0, prompt.length, options).clone();
            float[] b = kept.forward(prompt, 0, prompt.length, options);
            assertEquals(prompt.length, chunked.cacheLength());
            assertArrayEquals(b, a, 2e-3f);
        }
    }

    @Test
    void unknownGraphInputsAreNamed() throws Exception {
        Path dir = tmp.resolve("merged");
        TinyQwen.build(TinyQwen.qwen2(), dir, "use_cache_branch");
        ModelConfig config = readConfig(dir);
        ModelLoadException e = assertThrows(ModelLoadException.class,
                () -> DecoderSession.open(RUNTIME, dir.resolve("onnx/model.onnx"), config, ExecutionProvider.CPU, 1));
        assertTrue(e.getMessage().contains("inputs Kaiyuan does not know: use_cache_branch"), e.getMessage());
    }
}
