package io.kaiyuan.engine.generate;

import ai.onnxruntime.OrtException;
import io.kaiyuan.engine.api.CancellationToken;
import io.kaiyuan.engine.api.GenerationRequest;
import io.kaiyuan.engine.api.GenerationResult;
import io.kaiyuan.engine.api.SamplingOverrides;
import io.kaiyuan.engine.api.TokenListener;
import io.kaiyuan.engine.ort.BareLoop;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The project's speed benchmark: median time to first token, prefill and decode tokens/s of the engine
 * (greedy, end-of-sequence ignored), and the same prefill/decode measured as bare session.run calls with
 * only the KV handoff, the floor of this design. Runs on the calling thread (the model's thread).
 */
public final class Benchmark {

    /** Medians over the runs. */
    public record Report(
            int promptTokens,
            int newTokens,
            int runs,
            double ttftMs,
            double prefillTokensPerS,
            double decodeTokensPerS,
            double barePrefillTokensPerS,
            double bareDecodeTokensPerS) {

        /** How much slower the engine's prefill is than the bare loop, in percent (negative: faster). */
        public double prefillOverheadPercent() {
            return 100.0 * (barePrefillTokensPerS - prefillTokensPerS) / barePrefillTokensPerS;
        }

        /** How much slower the engine's decode is than the bare loop, in percent (negative: faster). */
        public double decodeOverheadPercent() {
            return 100.0 * (bareDecodeTokensPerS - decodeTokensPerS) / bareDecodeTokensPerS;
        }
    }

    private Benchmark() {}

    /** A deterministic prompt of ordinary (non-special) token ids below {@code limit}. */
    static List<Integer> prompt(int tokens, int limit) {
        int range = Math.max(1, Math.min(limit, 100_000) - 1000);
        List<Integer> ids = new ArrayList<>(tokens);
        for (int i = 0; i < tokens; i++) {
            ids.add(Math.min(limit - 1, 1000 + (int) ((i * 7919L) % range)));
        }
        return ids;
    }

    /** Runs one warm-up and {@code runs} measured runs of each kind. */
    public static Report run(LanguageModel model, int promptTokens, int newTokens, int runs) throws OrtException {
        if (promptTokens < 1 || newTokens < 2 || runs < 1) {
            throw new IllegalArgumentException("need at least 1 prompt token, 2 new tokens and 1 run");
        }
        int limit = Math.min(model.graph().vocab(), model.tokenizer().vocabularySize());
        List<Integer> prompt = prompt(promptTokens, limit);
        int[] promptArray = prompt.stream().mapToInt(Integer::intValue).toArray();
        GenerationRequest request = new GenerationRequest(new GenerationRequest.Prompt.Tokens(prompt),
                new SamplingOverrides(0.0, null, null, null, null, null), newTokens, List.of(), true);
        double[] ttft = new double[runs];
        double[] prefill = new double[runs];
        double[] decode = new double[runs];
        double[] barePrefill = new double[runs];
        double[] bareDecode = new double[runs];
        for (int r = -1; r < runs; r++) {
            model.resetCache();
            GenerationResult result = model.generate(request, TokenListener.NONE, new CancellationToken());
            model.resetCache();
            BareLoop.Timing bare = BareLoop.run(model.decoder(), promptArray, newTokens);
            if (r >= 0) {
                ttft[r] = result.metrics().ttftMs();
                prefill[r] = result.metrics().prefillTokensPerS();
                decode[r] = result.metrics().decodeTokensPerS();
                barePrefill[r] = promptTokens / bare.prefillSeconds();
                bareDecode[r] = (newTokens - 1) / bare.decodeSeconds();
            }
        }
        model.resetCache();
        return new Report(promptTokens, newTokens, runs, median(ttft), median(prefill), median(decode),
                median(barePrefill), median(bareDecode));
    }

    static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    /**
     * One greedy generation of {@code newTokens} after the benchmark's prompt, straight on the decoder, for a
     * model loaded on a {@link io.kaiyuan.engine.ort.OrtRuntime#profiling profiling runtime} (after a short
     * warm-up); ends the session's profile and reads it.
     */
    public static io.kaiyuan.engine.ort.OpProfile.Report profile(LanguageModel model, int promptTokens, int newTokens)
            throws OrtException, java.io.IOException {
        if (promptTokens < 1 || newTokens < 2) {
            throw new IllegalArgumentException("need at least 1 prompt token and 2 new tokens");
        }
        io.kaiyuan.engine.ort.DecoderSession decoder = model.decoder();
        int limit = Math.min(decoder.graph().vocab(), model.tokenizer().vocabularySize());
        int[] prompt = prompt(promptTokens, limit).stream().mapToInt(Integer::intValue).toArray();
        long skip;
        long prefillRuns;
        try {
            decoder.reset();
            greedy(decoder, prompt, Math.min(newTokens, 4)); // warm-up
            decoder.reset();
            skip = decoder.runs();
            prefillRuns = greedy(decoder, prompt, newTokens);
        } finally {
            decoder.reset();
        }
        java.nio.file.Path file = decoder.endProfiling();
        return io.kaiyuan.engine.ort.OpProfile.read(file, (int) skip, (int) prefillRuns);
    }

    /** Greedy tokens after {@code prompt} on an empty cache; returns the session runs the prompt took. */
    private static long greedy(io.kaiyuan.engine.ort.DecoderSession decoder, int[] prompt, int newTokens) {
        var search = new Generator.Search(new io.kaiyuan.engine.sample.TokenChooser(List.of(),
                io.kaiyuan.engine.sample.Sampler.ARGMAX), java.util.Set.of(), prompt.length + newTokens, false);
        try (Generator generator = new Generator(decoder, search, new CancellationToken())) {
            generator.append(prompt, 0, prompt.length);
            long before = decoder.runs();
            generator.next();
            long prefillRuns = decoder.runs() - before;
            while (!generator.isDone()) {
                generator.next();
            }
            return prefillRuns;
        }
    }
}
