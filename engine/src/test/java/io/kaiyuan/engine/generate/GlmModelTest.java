package io.kaiyuan.engine.generate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kaiyuan.engine.api.CancellationToken;
import io.kaiyuan.engine.api.ExecutionProvider;
import io.kaiyuan.engine.api.FinishReason;
import io.kaiyuan.engine.api.GenerationRequest;
import io.kaiyuan.engine.api.GenerationRequest.Prompt;
import io.kaiyuan.engine.api.GenerationResult;
import io.kaiyuan.engine.api.LogitAdjustments;
import io.kaiyuan.engine.api.SamplingOverrides;
import io.kaiyuan.engine.api.TokenListener;
import io.kaiyuan.engine.ort.OrtRuntime;
import io.kaiyuan.engine.testing.TestModels;
import io.kaiyuan.engine.testing.TinyQwen;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A GLM-shaped export (GlmForCausalLM, as GLM-Edge's: GLM-Edge's vocabulary size, an explicit head_dim,
 * GQA 4:1, interleaved partial rotary embedding, three end-of-sequence ids) runs through the same engine:
 * greedy tokens with the KV cache equal a recomputation without it, and any of its eos ids ends a run.
 */
class GlmModelTest {
    private static final OrtRuntime RUNTIME = new OrtRuntime();
    private static final LanguageModel.LoadOptions CPU =
            new LanguageModel.LoadOptions(Optional.empty(), ExecutionProvider.CPU, 1);
    /** GLM-Edge's vocabulary (config.json vocab_size 59264) and end-of-sequence ids. */
    private static final int GLM_EDGE_VOCAB = 59264;
    private static final List<Integer> GLM_EDGE_EOS = List.of(59246, 59253, 59255);

    @TempDir
    Path dir;

    private static GenerationResult greedy(LanguageModel m, List<Integer> prompt, int tokens) {
        return m.generate(new GenerationRequest(new Prompt.Tokens(prompt), new SamplingOverrides(0.0, null, null, null,
                null, null), tokens, List.of(), true), TokenListener.NONE, new CancellationToken());
    }

    @Test
    void aGlmExportGeneratesWithItsCacheAsWithoutAndStopsAtAnyEos() throws Exception {
        TinyQwen.Spec spec = TinyQwen.glm().vocab(GLM_EDGE_VOCAB).maxPositions(512)
                .generationConfig(Map.of("eos_token_id", GLM_EDGE_EOS, "do_sample", false));
        try (LanguageModel m = LanguageModel.load(RUNTIME, TestModels.withTokenizer(spec, dir.resolve("glm")), CPU)) {
            assertEquals("glm", m.folder().config().modelType());
            assertEquals(32, m.folder().config().headDim(), "head_dim from the config, not hidden/heads");
            List<Integer> prompt = List.of(100, 2000, 30000, 59000, 7);
            GenerationResult cached = greedy(m, prompt, 24);
            assertEquals(24, cached.tokenIds().size());
            // Without a cache: each next token from the whole sequence so far, the cache emptied first.
            List<Integer> sequence = new ArrayList<>(prompt);
            for (int i = 0; i < 24; i++) {
                m.resetCache();
                int next = greedy(m, sequence, 1).tokenIds().get(0);
                sequence.add(next);
            }
            assertEquals(sequence.subList(prompt.size(), sequence.size()), cached.tokenIds(),
                    "cached decoding (positions, rotary, grouped heads) equals recomputation");
            assertTrue(cached.tokenIds().stream().allMatch(id -> id < GLM_EDGE_VOCAB));

            for (int eos : GLM_EDGE_EOS) {
                GenerationResult stopped = m.generate(new GenerationRequest(new Prompt.Tokens(prompt),
                        new SamplingOverrides(0.0, null, null, null, null, null), 10, List.of())
                        .withAdjustments(new LogitAdjustments(0, 0, Map.of(eos, 100.0)), -1), TokenListener.NONE,
                        new CancellationToken());
                assertEquals(FinishReason.STOP, stopped.finishReason(), "eos " + eos);
                assertEquals(List.of(eos), stopped.tokenIds());
            }
        }
    }
}
