package io.kaiyuan.app.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kaiyuan.app.paths.AppPaths;
import io.kaiyuan.engine.api.CancellationToken;
import io.kaiyuan.engine.download.FileTransfer;
import io.kaiyuan.engine.download.HuggingFaceSource;
import io.kaiyuan.engine.download.ModelInstaller;
import io.kaiyuan.engine.download.ModelScopeSource;
import io.kaiyuan.engine.download.Origin;
import io.kaiyuan.engine.model.MemoryFit;
import io.kaiyuan.engine.model.ModelRegistry;
import io.kaiyuan.engine.model.Variant;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code kaiyuan models}: the local registry and downloads. */
@Command(name = "models", mixinStandardHelpOptions = true,
        description = "Download, list, verify, import and remove local models (in $KAIYUAN_HOME/models).",
        subcommands = {ModelsCommand.Pull.class, ModelsCommand.ListModels.class, ModelsCommand.Verify.class,
                ModelsCommand.Remove.class, ModelsCommand.Import.class})
final class ModelsCommand implements Runnable {
    private static final ObjectMapper JSON = new ObjectMapper();

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    static ModelRegistry registry() {
        return new ModelRegistry(AppPaths.fromEnvironment().models());
    }

    static String gb(long bytes) {
        return String.format(Locale.ROOT, "%.2f GB", bytes / 1e9);
    }

    @Command(name = "pull", mixinStandardHelpOptions = true, description = "Download a model and install it, verified.")
    static final class Pull implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Parameters(paramLabel = "<org/name>", description = "A repository in the onnx-community layout.")
        String repo;

        @Option(names = "--variant", paramLabel = "V", description = "fp32, fp16, q4, q4f16, int8, uint8, quantized, bnb4 (default: the best for the CPU).")
        String variant;

        @Option(names = "--source", paramLabel = "S", defaultValue = "huggingface",
                description = "huggingface (HF_ENDPOINT honoured, hf-mirror.com as fallback), hf-mirror, modelscope, or a base URL.")
        String source;

        @Option(names = "--revision", paramLabel = "REV", description = "Branch, tag or commit (default: main; master on ModelScope).")
        String revision;

        @Option(names = "--json", description = "Print the result as one JSON object.")
        boolean json;

        List<Origin> origins(Map<String, String> env) {
            String s = source.toLowerCase(Locale.ROOT);
            String hfRevision = revision != null ? revision : "main";
            List<Origin> out = new ArrayList<>();
            switch (s) {
                case "huggingface" -> {
                    out.add(new Origin(HuggingFaceSource.fromEnvironment(env), repo, hfRevision));
                    if (!env.containsKey("HF_ENDPOINT")) {
                        out.add(new Origin(HuggingFaceSource.mirror(env), repo, hfRevision));
                    }
                }
                case "hf-mirror" -> out.add(new Origin(HuggingFaceSource.mirror(env), repo, hfRevision));
                case "modelscope" -> out.add(new Origin(ModelScopeSource.fromEnvironment(env), repo,
                        revision != null ? revision : "master"));
                default -> {
                    if (!s.startsWith("http://") && !s.startsWith("https://")) {
                        throw new IllegalArgumentException("Unknown source '" + source
                                + "': use huggingface, hf-mirror, modelscope or a base URL such as https://hf-mirror.com.");
                    }
                    out.add(new Origin(new HuggingFaceSource(source, URI.create(source),
                            Optional.ofNullable(env.get("HF_TOKEN"))), repo, hfRevision));
                }
            }
            return out;
        }

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            ModelRegistry registry = registry();
            ModelInstaller installer = new ModelInstaller(registry.modelsDir(), FileTransfer.defaults());
            ProgressBar bar = new ProgressBar(err, System.console() != null && !json);
            CancellationToken cancel = new CancellationToken();
            Thread hook = new Thread(cancel::cancel, "kaiyuan-cancel-download");
            Runtime.getRuntime().addShutdownHook(hook);
            ModelInstaller.Installed installed;
            try {
                installed = installer.install(repo, origins(System.getenv()),
                        Optional.ofNullable(variant).map(Variant::parse), bar, cancel);
            } finally {
                bar.finish();
                GenerateCommand.removeHook(hook);
            }
            if (json) {
                ObjectNode o = JSON.createObjectNode().put("id", installed.id()).put("path", installed.dir().toString())
                        .put("repo", installed.repo()).put("commit", installed.commit())
                        .put("variant", installed.variant().cliName()).put("bytes", installed.bytes());
                out.println(o);
            } else {
                out.printf("Installed %s (%s, %s) in %s%nRun it: ./kaiyuan generate --model %s --prompt \"你好\"%n",
                        installed.id(), installed.variant().cliName(), gb(installed.bytes()), installed.dir(), installed.id());
            }
            out.flush();
            return 0;
        }
    }

    /** A one-line progress bar on a terminal, redrawn at most five times a second. */
    static final class ProgressBar implements ModelInstaller.Progress {
        private final PrintWriter err;
        private final boolean enabled;
        private final long start = System.nanoTime();
        private long lastDraw;
        private boolean drawn;

        ProgressBar(PrintWriter err, boolean enabled) {
            this.err = err;
            this.enabled = enabled;
        }

        @Override
        public void update(long done, long total, String file) {
            long now = System.nanoTime();
            if (!enabled || now - lastDraw < 200_000_000L && done < total) {
                return;
            }
            lastDraw = now;
            int width = 30;
            int filled = total == 0 ? width : (int) (width * done / total);
            double seconds = Math.max(1e-3, (now - start) / 1e9);
            err.printf(Locale.ROOT, "\r[%s%s] %5.1f%% %s / %s %6.1f MB/s %s   ", "#".repeat(filled), " ".repeat(width - filled),
                    total == 0 ? 100.0 : 100.0 * done / total, gb(done), gb(total), done / seconds / 1e6, file);
            err.flush();
            drawn = true;
        }

        void finish() {
            if (drawn) {
                err.println();
                err.flush();
            }
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List installed models.")
    static final class ListModels implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--json", description = "Print a JSON array.")
        boolean json;

        @Option(names = "--context", paramLabel = "TOKENS", defaultValue = "4096",
                description = "Context length the memory estimate assumes (default: ${DEFAULT-VALUE}).")
        int context;

        /** Whether the model fits in memory at the chosen context, or "?" when its folder cannot be read. */
        private String fit(ModelRegistry.InstalledModel m, long available) {
            try {
                var config = io.kaiyuan.engine.model.ModelFolder.open(m.dir()).config();
                int kvBytes = m.variant().contains("16") ? 2 : 4;
                return MemoryFit.estimate(m.bytes(), config, kvBytes, Math.min(context, config.maxPositions()), available)
                        .fit().name().toLowerCase(Locale.ROOT).replace('_', ' ');
            } catch (RuntimeException e) {
                return "?";
            }
        }

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            List<ModelRegistry.InstalledModel> models = registry().list();
            long available = MemoryFit.availableMemory();
            if (json) {
                ArrayNode array = JSON.createArrayNode();
                for (ModelRegistry.InstalledModel m : models) {
                    array.addObject().put("id", m.id()).put("path", m.dir().toString()).put("source", m.source())
                            .put("repo", m.repo()).put("commit", m.commit()).put("variant", m.variant())
                            .put("bytes", m.bytes()).put("installed_at", m.installedAt()).put("fit", fit(m, available));
                }
                out.println(array);
            } else if (models.isEmpty()) {
                out.println("No models installed. Download one: ./kaiyuan models pull onnx-community/Qwen2.5-0.5B-Instruct");
            } else {
                out.printf("%-48s %-8s %10s  %-9s %s%n", "ID", "VARIANT", "SIZE", "FITS", "SOURCE");
                for (ModelRegistry.InstalledModel m : models) {
                    out.printf("%-48s %-8s %10s  %-9s %s%n", m.id(), m.variant(), gb(m.bytes()), fit(m, available), m.source());
                }
            }
            out.flush();
            return 0;
        }
    }

    @Command(name = "verify", mixinStandardHelpOptions = true, description = "Re-hash an installed model's files.")
    static final class Verify implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Parameters(paramLabel = "<id>")
        String id;

        @Override
        public Integer call() throws Exception {
            ModelRegistry.VerifyReport report = registry().verify(id);
            PrintWriter out = spec.commandLine().getOut();
            if (report.ok()) {
                out.printf("%s: all %d files intact%n", id, report.checked());
                out.flush();
                return 0;
            }
            report.missing().forEach(f -> out.println("missing: " + f));
            report.altered().forEach(f -> out.println("altered: " + f));
            out.printf("%s is damaged: remove it and pull it again.%n", id);
            out.flush();
            return 1;
        }
    }

    @Command(name = "rm", mixinStandardHelpOptions = true, description = "Remove an installed model completely.")
    static final class Remove implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Parameters(paramLabel = "<id>")
        String id;

        @Override
        public Integer call() throws Exception {
            registry().remove(id);
            spec.commandLine().getOut().println("Removed " + id);
            spec.commandLine().getOut().flush();
            return 0;
        }
    }

    @Command(name = "import", mixinStandardHelpOptions = true, description = "Register a local model folder.")
    static final class Import implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Parameters(paramLabel = "<folder>")
        Path folder;

        @Option(names = "--id", paramLabel = "ID", description = "The id to install it under (default: the folder's name).")
        String id;

        @Option(names = "--in-place", description = "Reference the folder where it is instead of copying it.")
        boolean inPlace;

        @Override
        public Integer call() throws Exception {
            String modelId = id != null ? id : folder.toAbsolutePath().normalize().getFileName().toString();
            ModelRegistry.InstalledModel m = registry().importFolder(folder, modelId, inPlace);
            spec.commandLine().getOut().printf("Imported %s (%s) from %s%n", m.id(), inPlace ? "in place" : "copied", folder);
            spec.commandLine().getOut().flush();
            return 0;
        }
    }
}
