package io.kaiyuan.app.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kaiyuan.engine.generate.Benchmark;
import io.kaiyuan.engine.generate.LanguageModel;
import io.kaiyuan.engine.ort.OrtRuntime;
import java.io.PrintWriter;
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

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        try (LanguageModel model = LanguageModel.load(new OrtRuntime(), modelOptions.folder(), modelOptions.loadOptions())) {
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
            }
            out.flush();
        }
        return 0;
    }
}
