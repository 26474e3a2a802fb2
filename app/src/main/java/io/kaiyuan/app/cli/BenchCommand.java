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

    @Option(names = "--profile", description = {"Instead of speed: one greedy generation under ONNX Runtime's profiler, and",
            "where the time goes per op type, for the prompt and for each new token (profiling adds its own cost)."})
    boolean profile;

    @Option(names = "--memory", description = {"Instead of speed: generate --new-tokens tokens twice and print, for the",
            "second generation, resident memory and heap (after GC) against the KV cache size."})
    boolean memory;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        if (profile) {
            return profile(out);
        }
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
                root.put("shared_kv_buffer", model.sharesCacheBuffer());
                root.put("int8_compute", model.optimised());
                root.put("optimisation", model.optimisation());
                ObjectNode overhead = root.putObject("overhead_percent");
                overhead.put("prefill", r.prefillOverheadPercent());
                overhead.put("decode", r.decodeOverheadPercent());
                out.println(root.toString());
            } else {
                out.printf(Locale.ROOT, "model %s, variant %s, provider %s, threads %s%s%n", model.folder().name(),
                        model.variant().cliName(), model.provider().cliName(),
                        modelOptions.threads == 0 ? "default" : Integer.toString(modelOptions.threads),
                        model.optimised() ? ", optimised: " + model.optimisation() : "");
                out.printf(Locale.ROOT, "prompt %d tokens, %d new tokens, median of %d runs%n", r.promptTokens(),
                        r.newTokens(), r.runs());
                out.printf(Locale.ROOT, "%-8s %12s %16s %16s%n", "", "TTFT ms", "prefill tok/s", "decode tok/s");
                out.printf(Locale.ROOT, "%-8s %12.1f %16.1f %16.2f%n", "engine", r.ttftMs(), r.prefillTokensPerS(),
                        r.decodeTokensPerS());
                out.printf(Locale.ROOT, "%-8s %12s %16.1f %16.2f%n", "bare", "-", r.barePrefillTokensPerS(),
                        r.bareDecodeTokensPerS());
                out.printf(Locale.ROOT, "%-8s %12s %15.1f%% %15.1f%%%n", "overhead", "-", r.prefillOverheadPercent(),
                        r.decodeOverheadPercent());
                if (model.sharesCacheBuffer()) {
                    out.println("(the engine writes this graph's shared past/present buffer in place; the bare loop hands"
                            + " over a growing cache, so it is no floor here)");
                }
            }
            out.flush();
        }
        return 0;
    }

    private int profile(PrintWriter out) throws Exception {
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("kaiyuan-profile");
        OrtRuntime runtime = OrtRuntime.profiling(dir.resolve("onnxruntime-profile"));
        io.kaiyuan.engine.ort.OpProfile.Report r;
        String name;
        String variant;
        try (LanguageModel model = LanguageModel.load(runtime, modelOptions.folder(), modelOptions.loadOptions())) {
            r = Benchmark.profile(model, promptTokens, newTokens);
            name = model.folder().name();
            variant = model.variant().cliName();
        }
        if (json) {
            ObjectNode root = new ObjectMapper().createObjectNode();
            root.put("model", name).put("variant", variant).put("profile", r.file().toString());
            phaseJson(root.putObject("prefill"), r.prefill());
            phaseJson(root.putObject("decode"), r.decode());
            out.println(root);
        } else {
            out.printf(Locale.ROOT, "model %s, variant %s: ONNX Runtime's profile of one generation (%d prompt tokens, %d new)%n",
                    name, variant, promptTokens, newTokens);
            out.printf(Locale.ROOT, "prefill: %d run(s), %.1f ms a run, %.0f nodes a run, %.0f%% inside kernels%n",
                    r.prefill().runs(), r.prefill().msPerRun(), r.prefill().nodesPerRun(), 100 * r.prefill().kernelShare());
            out.printf(Locale.ROOT, "decode:  %d steps, %.2f ms a step, %.0f nodes a step, %.0f%% inside kernels"
                    + " (the rest: between nodes)%n", r.decode().runs(), r.decode().msPerRun(), r.decode().nodesPerRun(),
                    100 * r.decode().kernelShare());
            out.printf(Locale.ROOT, "%-34s %12s %6s %15s %6s %8s%n", "op type", "prefill ms", "%", "decode ms/step", "%",
                    "nodes");
            java.util.Map<String, io.kaiyuan.engine.ort.OpProfile.OpTime> prefillOps = new java.util.HashMap<>();
            java.util.Map<String, io.kaiyuan.engine.ort.OpProfile.OpTime> decodeOps = new java.util.HashMap<>();
            r.prefill().ops().forEach(o -> prefillOps.put(o.op(), o));
            r.decode().ops().forEach(o -> decodeOps.put(o.op(), o));
            java.util.Set<String> names = new java.util.LinkedHashSet<>(decodeOps.keySet().stream()
                    .sorted(java.util.Comparator.comparingDouble((String k) -> -decodeOps.get(k).msPerRun())).toList());
            r.prefill().ops().forEach(o -> names.add(o.op()));
            double prefillAll = r.prefill().msPerRun() * r.prefill().runs();
            for (String op : names) {
                io.kaiyuan.engine.ort.OpProfile.OpTime p = prefillOps.get(op);
                io.kaiyuan.engine.ort.OpProfile.OpTime d = decodeOps.get(op);
                double prefillMs = p == null ? 0 : p.msPerRun() * r.prefill().runs();
                double decodeMs = d == null ? 0 : d.msPerRun();
                out.printf(Locale.ROOT, "%-34s %12.1f %5.1f%% %15.3f %5.1f%% %8.0f%n", op, prefillMs,
                        prefillAll == 0 ? 0 : 100 * prefillMs / prefillAll, decodeMs,
                        r.decode().msPerRun() == 0 ? 0 : 100 * decodeMs / r.decode().msPerRun(),
                        d != null ? d.nodesPerRun() : p.nodesPerRun());
            }
            out.printf("(the whole profile: %s)%n", r.file());
        }
        out.flush();
        return 0;
    }

    private static void phaseJson(ObjectNode o, io.kaiyuan.engine.ort.OpProfile.Phase p) {
        o.put("runs", p.runs()).put("ms_per_run", p.msPerRun()).put("kernel_ms_per_run", p.kernelMsPerRun())
                .put("nodes_per_run", p.nodesPerRun());
        ArrayNode ops = o.putArray("ops");
        p.ops().forEach(x -> ops.addObject().put("op", x.op()).put("ms_per_run", x.msPerRun())
                .put("nodes_per_run", x.nodesPerRun()));
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
