package io.kaiyuan.engine.generate;

import io.kaiyuan.engine.api.CancellationToken;
import io.kaiyuan.engine.api.GenerationRequest;
import io.kaiyuan.engine.api.SamplingOverrides;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

/**
 * Watches memory during a long generation: the process's resident memory (Linux) and the Java heap after
 * a collection, against the size the KV cache must have at that length. The first long generation
 * raises the native allocators' high-water mark (ever larger KV tensors; a bare session.run loop does the
 * same), so a warm-up generation of the same length runs first and the second one is measured: resident
 * memory growing there beyond the KV cache would mean native tensors or results left open.
 */
public final class MemoryProbe {

    /** One reading after {@code tokens} generated tokens. */
    public record Sample(int tokens, long residentBytes, long heapBytes, long kvCacheBytes) {}

    private MemoryProbe() {}

    /**
     * Generates {@code newTokens} tokens (greedy, eos ignored) twice and reads memory every {@code every}
     * tokens of the second generation.
     */
    public static List<Sample> run(LanguageModel model, int promptTokens, int newTokens, int every) {
        int limit = Math.min(model.graph().vocab(), model.tokenizer().vocabularySize());
        GenerationRequest request = new GenerationRequest(new GenerationRequest.Prompt.Tokens(Benchmark.prompt(promptTokens, limit)),
                new SamplingOverrides(0.0, null, null, null, null, null), newTokens, List.of(), true);
        long bytesPerPosition = model.graph().bytesPerPosition();
        List<Sample> samples = new ArrayList<>();
        int[] count = {0};
        model.resetCache();
        model.generate(request, text -> { }, new CancellationToken());
        model.resetCache();
        model.generate(request, text -> { }, new CancellationToken(), id -> {
            int n = ++count[0];
            if (n == 1 || n % every == 0) {
                samples.add(new Sample(n, resident().orElse(-1), heapAfterGc(), bytesPerPosition * (promptTokens + n)));
            }
        });
        model.resetCache();
        return samples;
    }

    private static long heapAfterGc() {
        Runtime runtime = Runtime.getRuntime();
        System.gc();
        return runtime.totalMemory() - runtime.freeMemory();
    }

    /** Resident set size from /proc/self/status, where there is one. */
    public static OptionalLong resident() {
        Path status = Path.of("/proc/self/status");
        if (!Files.isReadable(status)) {
            return OptionalLong.empty();
        }
        try {
            for (String line : Files.readAllLines(status)) {
                if (line.startsWith("VmRSS:")) {
                    return OptionalLong.of(Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024);
                }
            }
        } catch (IOException | NumberFormatException e) {
            return OptionalLong.empty();
        }
        return OptionalLong.empty();
    }
}
