package io.kaiyuan.engine.ort;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OrtSession;
import io.kaiyuan.engine.api.ExecutionProvider;
import io.kaiyuan.engine.sample.Greedy;
import io.kaiyuan.engine.model.DecoderIo;
import io.kaiyuan.engine.model.ModelFolder;
import io.kaiyuan.engine.model.Variant;
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

/**
 * ONNX Runtime GenAI graphs (GroupQueryAttention, RotaryEmbedding, SkipSimplifiedLayerNormalization, names from
 * genai_config.json) run by the same decoder as the transformers.js layout: with a shared past/present buffer
 * written in place and with a growing cache, each equal to a run without cache and to the same weights in the
 * transformers.js layout.
 */
class GenAiDecoderTest {
    private static final OrtRuntime RUNTIME = new OrtRuntime();
    private static final int NEW_TOKENS = 40;
    private static final DecoderIo SHARED = DecoderIo.TRANSFORMERS_JS.withShareBuffer(true);

    @TempDir
    Path tmp;

    static Stream<Arguments> graphs() {
        return Stream.of(
                Arguments.of("qwen2, rotary inside GroupQueryAttention, shared buffer", TinyQwen.qwen2().positionIds(false), SHARED),
                Arguments.of("qwen2, rotary inside GroupQueryAttention, growing cache", TinyQwen.qwen2().positionIds(false),
                        DecoderIo.TRANSFORMERS_JS),
                Arguments.of("qwen2, RotaryEmbedding from position_ids, shared buffer", TinyQwen.qwen2(), SHARED),
                Arguments.of("qwen2 GQA 4:1, 3 layers, external data, shared buffer",
                        TinyQwen.qwen2().positionIds(false).dims(128, 8, 2, 16, 96).layers(3).externalData(true), SHARED),
                Arguments.of("qwen3 q/k norms, shared buffer", TinyQwen.qwen3(), SHARED),
                Arguments.of("qwen2, the folder's own names (past_keys_%d, ...), shared buffer", TinyQwen.qwen2().positionIds(false),
                        new DecoderIo("ids", "mask", "positions", "past_keys_%d", "past_values_%d", "scores",
                                "present_keys_%d", "present_values_%d", true)));
    }

    /** A GenAI folder of {@code spec} with placeholder tokenizer files (the decoder tests read no text). */
    private Path genAi(TinyQwen.Spec spec, DecoderIo io, String name) throws Exception {
        Path dir = TinyQwen.buildGenAi(spec, tmp.resolve(name), io);
        Files.writeString(dir.resolve("tokenizer.json"), "{}");
        Files.writeString(dir.resolve("tokenizer_config.json"), "{}");
        return dir;
    }

    private static DecoderSession open(Path dir) {
        ModelFolder folder = ModelFolder.open(dir);
        Variant v = folder.chooseVariant(java.util.Optional.empty(), false);
        return DecoderSession.open(RUNTIME, folder.graphFile(v), folder.config(), folder.io(), ExecutionProvider.CPU, 1);
    }

    /** Greedy tokens after {@code prompt}, one cached step at a time; the logits of each step into {@code logits}. */
    private static int[] greedy(DecoderSession session, int[] prompt, int newTokens, float[][] logits) throws Exception {
        int total = prompt.length + newTokens;
        int[] tokens = Arrays.copyOf(prompt, total);
        try (OrtSession.RunOptions options = new OrtSession.RunOptions()) {
            float[] next = session.forward(tokens, 0, prompt.length, options);
            for (int n = prompt.length; n < total; n++) {
                if (logits != null) {
                    logits[n - prompt.length] = next.clone();
                }
                tokens[n] = Greedy.pick(next);
                if (n + 1 < total) {
                    next = session.forward(tokens, n, n + 1, options);
                }
            }
        }
        return tokens;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("graphs")
    void greedyEqualsRecomputationAndTheTransformersJsLayout(String name, TinyQwen.Spec spec, DecoderIo io) throws Exception {
        int[] prompt = {5, 17, 42, 99, 3, 250, 7};
        int total = prompt.length + NEW_TOKENS;
        Path genai = genAi(spec, io, "genai");
        float[][] cachedLogits = new float[NEW_TOKENS][];
        int[] cached;
        try (DecoderSession session = open(genai)) {
            assertEquals(io.shareBuffer(), session.sharesBuffer());
            assertEquals(spec.layers(), session.graph().layers());
            assertEquals(spec.qwen3() || spec.positionIds(), session.graph().hasPositionIds());
            cached = greedy(session, prompt, NEW_TOKENS, cachedLogits);
            assertEquals(total - 1, session.cacheLength());

            int[] fresh = Arrays.copyOf(prompt, total);
            try (OrtSession.RunOptions options = new OrtSession.RunOptions()) {
                for (int n = prompt.length; n < total; n++) {
                    session.reset();
                    float[] full = session.forward(fresh, 0, n, options);
                    fresh[n] = Greedy.pick(full);
                    assertArrayEquals(cachedLogits[n - prompt.length], full, 2e-3f, "logits at position " + n);
                }
            }
            assertArrayEquals(fresh, cached, "cached and recomputed greedy tokens differ");
        }
        long distinct = Arrays.stream(cached, prompt.length, total).distinct().count();
        assertTrue(distinct > 3, "the fixture should not degenerate into one repeated token");

        Path tjs = tmp.resolve("tjs");
        TinyQwen.build(spec, tjs);
        Files.writeString(tjs.resolve("tokenizer.json"), "{}");
        Files.writeString(tjs.resolve("tokenizer_config.json"), "{}");
        float[][] tjsLogits = new float[NEW_TOKENS][];
        try (DecoderSession session = open(tjs)) {
            assertFalse(session.sharesBuffer());
            assertArrayEquals(greedy(session, prompt, NEW_TOKENS, tjsLogits), cached,
                    "the GenAI graph and the transformers.js graph of the same weights choose different tokens");
        }
        for (int i = 0; i < NEW_TOKENS; i++) {
            assertArrayEquals(tjsLogits[i], cachedLogits[i], 2e-3f, "logits of step " + i);
        }
    }

    @Test
    void sharedCacheGrowsPastItsFirstRoomAndKeepsWhatItHeld() throws Exception {
        TinyQwen.Spec spec = TinyQwen.qwen2().positionIds(false).maxPositions(1024);
        int[] prompt = new int[DecoderSession.SHARED_START - 10];
        Arrays.setAll(prompt, i -> (i * 37 + 11) % 500);
        int newTokens = 30; // crosses SHARED_START during decoding
        try (DecoderSession shared = open(genAi(spec, SHARED, "shared"));
                DecoderSession growing = open(genAi(spec, DecoderIo.TRANSFORMERS_JS, "growing"))) {
            float[][] a = new float[newTokens][];
            float[][] b = new float[newTokens][];
            int[] sharedTokens = greedy(shared, prompt, newTokens, a);
            assertArrayEquals(greedy(growing, prompt, newTokens, b), sharedTokens);
            for (int i = 0; i < newTokens; i++) {
                assertArrayEquals(b[i], a[i], 2e-3f, "logits of step " + i);
            }
            // a prompt longer than twice the room grows it at once
            int[] longPrompt = new int[3 * DecoderSession.SHARED_START];
            Arrays.setAll(longPrompt, i -> (i * 53 + 5) % 500);
            shared.reset();
            growing.reset();
            assertArrayEquals(greedy(growing, longPrompt, 3, null), greedy(shared, longPrompt, 3, null));
        }
    }

    @Test
    void theGraphWritesTheSharedCacheInPlace() throws Exception {
        TinyQwen.Spec spec = TinyQwen.qwen2().positionIds(false);
        int rowFloats = spec.headDim();
        try (DecoderSession session = open(genAi(spec, SHARED, "m"));
                OrtSession.RunOptions options = new OrtSession.RunOptions()) {
            session.forward(new int[] {4, 8, 15, 16, 23, 42}, 0, 6, options);
            assertEquals(DecoderSession.SHARED_START, session.sharedCapacity());
            for (int i = 0; i < 2 * spec.layers(); i++) {
                java.nio.FloatBuffer cache = session.sharedBuffer(i).asFloatBuffer();
                assertEquals(spec.kvHeads() * DecoderSession.SHARED_START * rowFloats, cache.capacity());
                for (int head = 0; head < spec.kvHeads(); head++) {
                    int start = head * DecoderSession.SHARED_START * rowFloats;
                    for (int pos = 0; pos < 8; pos++) {
                        float norm = 0;
                        for (int d = 0; d < rowFloats; d++) {
                            norm += Math.abs(cache.get(start + pos * rowFloats + d));
                        }
                        assertEquals(pos < 6, norm > 0, "tensor " + i + " head " + head + " position " + pos);
                    }
                }
            }
        }
    }

    @Test
    void truncatedSharedCacheContinuesLikeAFreshRun() throws Exception {
        int[] tokens = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
        try (DecoderSession session = open(genAi(TinyQwen.qwen2().positionIds(false), SHARED, "m"));
                OrtSession.RunOptions options = new OrtSession.RunOptions()) {
            session.forward(tokens, 0, 10, options);
            session.truncate(6);
            assertEquals(6, session.cacheLength());
            int[] other = {1, 2, 3, 4, 5, 6, 77, 88};
            float[] afterTruncate = session.forward(other, 6, 8, options).clone();
            session.reset();
            float[] fresh = session.forward(other, 0, 8, options);
            assertArrayEquals(fresh, afterTruncate, 2e-3f);
        }
    }
}
