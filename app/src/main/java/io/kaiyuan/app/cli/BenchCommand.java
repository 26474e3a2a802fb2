package io.kaiyuan.app.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kaiyuan.engine.generate.Benchmark;
import io.kaiyuan.engine.generate.LanguageModel;
import io.kaiyuan.engine.generate.MemoryProbe;
import io.kaiyuan.engine.ort.OrtRuntime;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code kaiyuan bench}: the project's speed benchmark. */
@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Measure time to first token, prefill and decode speed (medians), and the same prefill/decode",
                "as bare session.run calls with only the KV handoff (the floor), with the engine's overhead."})
final class BenchCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    ModelOptions modelOptions;

    @Option(names = "--prompt-tokens", paramLabel = "N", defaultValue = "512", description = "Prompt length (default: ${DEFAULT-VALUE}).")
    int promptTokens;

    @Option(names = "--new-tokens", paramLabel = "N", defaultValue = "128", description = "Tokens to generate (default: ${DEFAULT-VALUE}).")
    int newTokens;

    @Option(names = "--runs", paramLabel = "N", defaultValue = "5", description = "Measured runs after one warm-up (default: ${DEFAULT-VALUE}).")
    int runs;

    @Option(names = "--json", description = "Print one JSON object.")
    boolean json;

    @Option(names = "--memory", description = {"Instead of speed: generate --new-tokens tokens twice and print, for the",
            "second generation, resident memory and heap (after GC) against the KV cache size."})
    boolean memory;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        try (LanguageModel model = LanguageModel.load(new OrtRuntime(), modelOptions.folder(), modelOptions.loadOptions())) {
            if (memory) {
                printMemory(out, MemoryProbe.run(model, promptTokens, newTokens, Math.max(1, newTokens / 10)));
                return 0;
            }
            Benchmark.Report r = Benchmark.run(model, promptTokens, newTokens, runs);
            if (json) {
                ObjectNode root = new ObjectMapper().createObjectNode();
                root.put("model", model.folder().name());
                root.put("variant", model.variant().cliName());
                root.put("provider", model.provider().cliName());
                root.put("threads", modelOptions.threads);
                root.put("prompt_tokens", r.promptTokens());
                root.put("new_tokens", r.newTokens());
                root.put("runs", r.runs());
                ObjectNode engine = root.putObject("engine");
                engine.put("ttft_ms", r.ttftMs());
                engine.put("prefill_tokens_per_s", r.prefillTokensPerS());
                engine.put("decode_tokens_per_s", r.decodeTokensPerS());
                ObjectNode bare = root.putObject("bare");
                bare.put("prefill_tokens_per_s", r.barePrefillTokensPerS());
                bare.put("decode_tokens_per_s", r.bareDecodeTokensPerS());
                root.put("shared_kv_buffer", model.decoder().sharesBuffer());
                ObjectNode overhead = root.putObject("overhead_percent");
                overhead.put("prefill", r.prefillOverheadPercent());
                overhead.put("decode", r.decodeOverheadPercent());
                out.println(root.toString());
            } else {
                out.printf(Locale.ROOT, "model %s, variant %s, provider %s, threads %s%n", model.folder().name(),
                        model.variant().cliName(), model.provider().cliName(),
                        modelOptions.threads == 0 ? "default" : Integer.toString(modelOptions.threads));
                out.printf(Locale.ROOT, "prompt %d tokens, %d new tokens, median of %d runs%n", r.promptTokens(),
                        r.newTokens(), r.runs());
                out.printf(Locale.ROOT, "%-8s %12s %16s %16s%n", "", "TTFT ms", "prefill tok/s", "decode tok/s");
                out.printf(Locale.ROOT, "%-8s %12.1f %16.1f %16.2f%n", "engine", r.ttftMs(), r.prefillTokensPerS(),
                        r.decodeTokensPerS());
                out.printf(Locale.ROOT, "%-8s %12s %16.1f %16.2f%n", "bare", "-", r.barePrefillTokensPerS(),
                        r.bareDecodeTokensPerS());
                out.printf(Locale.ROOT, "%-8s %12s %15.1f%% %15.1f%%%n", "overhead", "-", r.prefillOverheadPercent(),
                        r.decodeOverheadPercent());
                if (model.decoder().sharesBuffer()) {
                    out.println("(the engine writes this graph's shared past/present buffer in place; the bare loop hands"
                            + " over a growing cache, so it is no floor here)");
                }
            }
            out.flush();
        }
        return 0;
    }

    private void printMemory(PrintWriter out, List<MemoryProbe.Sample> samples) {
        MemoryProbe.Sample first = samples.get(0);
        MemoryProbe.Sample last = samples.get(samples.size() - 1);
        if (json) {
            ArrayNode array = new ObjectMapper().createArrayNode();
            for (MemoryProbe.Sample s : samples) {
                array.addObject().put("tokens", s.tokens()).put("resident_bytes", s.residentBytes())
                        .put("heap_bytes", s.heapBytes()).put("kv_cache_bytes", s.kvCacheBytes());
            }
            out.println(array.toString());
        } else {
            out.printf(Locale.ROOT, "%8s %14s %14s %14s%n", "tokens", "resident MiB", "heap MiB", "KV cache MiB");
            for (MemoryProbe.Sample s : samples) {
                out.printf(Locale.ROOT, "%8d %14.1f %14.1f %14.1f%n", s.tokens(), mib(s.residentBytes()), mib(s.heapBytes()),
                        mib(s.kvCacheBytes()));
            }
            long lowest = samples.stream().mapToLong(MemoryProbe.Sample::residentBytes).min().orElse(0);
            out.printf(Locale.ROOT, "second generation: resident memory rose %.1f MiB from its lowest reading while the KV"
                    + " cache grew %.1f MiB; heap %+.1f MiB%n",
                    mib(last.residentBytes() - lowest), mib(last.kvCacheBytes() - first.kvCacheBytes()),
                    mib(last.heapBytes() - first.heapBytes()));
        }
        out.flush();
    }

    private static double mib(long bytes) {
        return bytes / (1024.0 * 1024.0);
    }
}
