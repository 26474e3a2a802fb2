package io.kaiyuan.app.cli;

import io.kaiyuan.app.paths.AppPaths;
import io.kaiyuan.engine.api.CancellationToken;
import io.kaiyuan.engine.api.ChatMessage;
import io.kaiyuan.engine.api.ExecutionProvider;
import io.kaiyuan.engine.api.GenerationMetrics;
import io.kaiyuan.engine.api.GenerationRequest;
import io.kaiyuan.engine.api.SamplingOverrides;
import io.kaiyuan.engine.compare.Comparison;
import io.kaiyuan.engine.compare.RunCard;
import io.kaiyuan.engine.generate.LanguageModel;
import io.kaiyuan.engine.model.MemoryFit;
import io.kaiyuan.engine.model.ModelFolder;
import io.kaiyuan.engine.model.ModelRegistry;
import io.kaiyuan.engine.model.Variant;
import io.kaiyuan.engine.ort.OrtRuntime;
import io.kaiyuan.engine.remote.Endpoint;
import io.kaiyuan.engine.remote.RemoteEndpoints;
import io.kaiyuan.engine.remote.Secrets;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code kaiyuan compare}: one prompt on 2 to 4 models, side by side, with a run card to repeat it. */
@Command(name = "compare", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Run one prompt on 2-4 models (or one model with other variants) and write a run card.")
final class CompareCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--model", paramLabel = "<folder|id>[@variant][,key=value...]",
            description = {"A column, 2 to 4 times: a model folder or installed id, optionally @variant (q4, fp16, ...)"
                    + " and this column's own settings: provider, temperature, top_k, top_p, min_p, repetition_penalty, seed.",
                    "Example: --model qwen/Qwen2.5-0.5B-Instruct@q4,temperature=0.7,seed=1"})
    List<String> models = new ArrayList<>();

    @ArgGroup(exclusive = true)
    Input input;

    static final class Input {
        @Option(names = "--prompt", paramLabel = "TEXT", description = "One user message.")
        String prompt;

        @Option(names = "--messages", paramLabel = "FILE.json", description = "An OpenAI-style message array.")
        Path messages;

        @Option(names = "--rerun", paramLabel = "CARD.json", description = "Run a run card again and say whether it reproduced.")
        Path rerun;
    }

    @Option(names = "--system", paramLabel = "TEXT", description = "A system message before the conversation.")
    String system;

    @Option(names = "--max-new-tokens", paramLabel = "N", defaultValue = "256",
            description = "The most tokens each column generates (default: ${DEFAULT-VALUE}).")
    int maxNewTokens;

    @CommandLine.Mixin
    SamplingOptions sampling;

    @Option(names = "--provider", paramLabel = "P", defaultValue = "auto", description = "auto, cpu, cuda, directml or coreml.")
    String provider;

    @Option(names = "--card", paramLabel = "FILE.json",
            description = "Where to write the run card (and FILE.md beside it); default: $KAIYUAN_HOME/runs/<time>.json.")
    Path card;

    @Option(names = "--json", description = "Print the run card as JSON instead of the columns.")
    boolean json;

    @Override
    public Integer call() throws IOException {
        if (input == null) {
            throw new IllegalArgumentException("Give --prompt TEXT, --messages FILE.json or --rerun CARD.json.");
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        RunCard previous = null;
        List<Comparison.Column> columns;
        GenerationRequest request;
        if (input.rerun != null) {
            if (!models.isEmpty()) {
                throw new IllegalArgumentException("--rerun takes its models from the card; leave out --model.");
            }
            previous = RunCard.fromJson(Files.readString(input.rerun));
            columns = previous.rerunColumns(name -> new ModelOptions.Locator(name).folder(), name -> remotes().column(name));
            request = previous.request();
        } else {
            if (models.size() < 2 || models.size() > 4) {
                throw new IllegalArgumentException("Give 2 to 4 --model options, not " + models.size() + ".");
            }
            columns = new ArrayList<>();
            for (String m : models) {
                columns.add(column(m));
            }
            List<ChatMessage> messages = new ArrayList<>();
            if (system != null) {
                messages.add(ChatMessage.system(system));
            }
            if (input.messages != null) {
                messages.addAll(GenerateCommand.readMessages(input.messages));
            } else {
                messages.add(ChatMessage.user(input.prompt));
            }
            request = new GenerationRequest(new GenerationRequest.Prompt.Chat(messages, Map.of()), sampling.overrides(),
                    maxNewTokens, List.of());
        }
        Comparison.Schedule schedule = Comparison.plan(columns, request, MemoryFit.availableMemory());
        err.println("Running " + schedule.reason() + ".");
        err.flush();
        RunCard result = Comparison.run(new OrtRuntime(), columns, request, schedule, new Comparison.Listener() { },
                new CancellationToken(), CompareCommand::origin);
        Path written = write(result);
        if (json) {
            out.print(result.toJson());
        } else {
            print(out, result);
            out.println("Run card: " + written + " (and " + markdownPath(written).getFileName() + ")");
        }
        int status = 0;
        if (previous != null) {
            List<Boolean> same = previous.sameTokens(result);
            StringBuilder line = new StringBuilder("Reproduced:");
            for (int i = 0; i < same.size(); i++) {
                line.append(' ').append((char) ('A' + i)).append(same.get(i) ? " same tokens;" : " different tokens;");
            }
            err.println(line.substring(0, line.length() - 1) + (same.contains(false)
                    ? ". Sampled runs reproduce only with a seed; greedy ones on the same provider and files." : "."));
            status = same.contains(false) ? 1 : 0;
        }
        out.flush();
        err.flush();
        return status;
    }

    /** An installed model's repository, revision and manifest; for a folder, its own manifest if it has one. */
    private static Comparison.Origin origin(Comparison.Column c) {
        ModelRegistry registry = new ModelRegistry(AppPaths.fromEnvironment().models());
        if (!Files.isDirectory(Path.of(c.name())) && registry.find(c.name()).isPresent()) {
            return Comparison.Origin.installedAt(registry.modelsDir().resolve(ModelRegistry.folderName(c.name())));
        }
        return Comparison.Origin.installedAt(c.folder());
    }

    private RemoteEndpoints remotes;

    /** The remote endpoints added in the desktop app's Settings (read once). */
    private RemoteEndpoints remotes() {
        if (remotes == null) {
            AppPaths paths = AppPaths.fromEnvironment();
            try {
                remotes = new RemoteEndpoints(paths.endpoints(), new Secrets(paths.keys()));
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
        return remotes;
    }

    /** A column from "folder-or-id[@variant][,key=value...]", or a remote model "remote/ENDPOINT/MODEL[,key=value...]". */
    private Comparison.Column column(String spec) {
        String[] parts = spec.split(",");
        String model = parts[0];
        if (Endpoint.isRemote(model)) {
            Comparison.Remote remote = remotes().column(model).orElseThrow(() -> new IllegalArgumentException("No remote"
                    + " endpoint '" + Endpoint.endpointOf(model) + "' is set up: add it in the app's Settings."));
            return Comparison.Column.remote(model, remote, settings(spec, parts).own());
        }
        int at = model.lastIndexOf('@');
        String name = at > 0 ? model.substring(0, at) : model;
        Optional<Variant> variant = at > 0 ? Optional.of(Variant.parse(model.substring(at + 1))) : Optional.empty();
        ColumnSettings own = settings(spec, parts);
        return new Comparison.Column(name, new ModelOptions.Locator(name).folder(),
                new LanguageModel.LoadOptions(variant, ExecutionProvider.parse(own.provider()), 0), own.own());
    }

    /** What a --model option sets after its commas: the provider and the column's own sampling settings. */
    private record ColumnSettings(String provider, SamplingOverrides own) {}

    private ColumnSettings settings(String spec, String[] parts) {
        String columnProvider = provider;
        Double temperature = null;
        Integer topK = null;
        Double topP = null;
        Double minP = null;
        Double repetitionPenalty = null;
        Long seed = null;
        for (int i = 1; i < parts.length; i++) {
            int eq = parts[i].indexOf('=');
            String key = eq > 0 ? parts[i].substring(0, eq).strip() : parts[i];
            String value = eq > 0 ? parts[i].substring(eq + 1).strip() : "";
            try {
                switch (key) {
                    case "provider" -> columnProvider = value;
                    case "temperature" -> temperature = Double.valueOf(value);
                    case "top_k" -> topK = Integer.valueOf(value);
                    case "top_p" -> topP = Double.valueOf(value);
                    case "min_p" -> minP = Double.valueOf(value);
                    case "repetition_penalty" -> repetitionPenalty = Double.valueOf(value);
                    case "seed" -> seed = Long.valueOf(value);
                    default -> throw new IllegalArgumentException("Unknown column setting '" + parts[i] + "' in --model "
                            + spec + ": use provider, temperature, top_k, top_p, min_p, repetition_penalty or seed,"
                            + " as in --model ID@q4,temperature=0.7.");
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("'" + value + "' is not a number for " + key + " in --model " + spec + ".");
            }
        }
        SamplingOverrides own = new SamplingOverrides(temperature, topK, topP, minP, repetitionPenalty, seed);
        own.orElse(sampling.overrides()).checked();
        return new ColumnSettings(columnProvider, own);
    }

    private Path write(RunCard result) throws IOException {
        Path target = card != null ? card : AppPaths.fromEnvironment().home().resolve("runs")
                .resolve(LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")) + ".json");
        Files.createDirectories(target.toAbsolutePath().getParent());
        Files.writeString(target, result.toJson());
        Files.writeString(markdownPath(target), result.toMarkdown());
        return target;
    }

    private static Path markdownPath(Path json) {
        String name = json.getFileName().toString();
        return json.resolveSibling((name.endsWith(".json") ? name.substring(0, name.length() - 5) : name) + ".md");
    }

    private static void print(PrintWriter out, RunCard card) {
        int fastest = card.fastest();
        int shortest = card.shortest();
        for (int i = 0; i < card.columns().size(); i++) {
            RunCard.ColumnRun c = card.columns().get(i);
            out.printf("=== %c: %s (%s, %s, %s) ===%n%s%n%n", (char) ('A' + i), c.model(), c.variant(), c.provider(),
                    RunCard.describe(c.sampling()), c.result().text().strip());
        }
        out.printf("%-3s %-36s %8s %9s %7s %-9s %8s %8s %8s %12s%n", "", "MODEL", "TTFT ms", "tokens/s", "tokens", "FINISH",
                "load ms", "model MB", "peak MB", "tok/1k chars");
        for (int i = 0; i < card.columns().size(); i++) {
            RunCard.ColumnRun c = card.columns().get(i);
            GenerationMetrics m = c.result().metrics();
            out.printf(Locale.ROOT, "%-3s %-36s %8.0f %9.1f %7d %-9s %8d %8s %8.0f %12s%s%n", (char) ('A' + i) + "",
                    c.model() + "@" + c.variant(), m.ttftMs(), m.decodeTokensPerS(), m.generatedTokens(),
                    c.result().finishReason().jsonName(), c.loadMs(), c.modelResidentBytes() < 0 ? "?"
                            : String.format(Locale.ROOT, "%.0f", c.modelResidentBytes() / 1e6),
                    c.peakResidentBytes() / 1e6, RunCard.perThousand(c),
                    (i == fastest ? "  fastest" : "") + (i == shortest ? "  shortest" : ""));
        }
        if (card.schedule().parallel()) {
            out.println("The columns ran at once: peak MB is the process's peak with every model loaded.");
        }
    }
}
