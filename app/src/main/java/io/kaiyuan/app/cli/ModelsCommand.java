package io.kaiyuan.app.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kaiyuan.app.paths.AppPaths;
import io.kaiyuan.engine.api.CancellationToken;
import io.kaiyuan.engine.download.FileTransfer;
import io.kaiyuan.engine.download.InstallProgress;
import io.kaiyuan.engine.download.ModelInstaller;
import io.kaiyuan.engine.download.Sources;
import io.kaiyuan.engine.model.Catalog;
import io.kaiyuan.engine.model.CatalogEntry;
import io.kaiyuan.engine.model.MemoryFit;
import io.kaiyuan.engine.model.ModelRegistry;
import io.kaiyuan.engine.model.Variant;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code kaiyuan models}: the local registry and downloads. */
@Command(name = "models", mixinStandardHelpOptions = true,
        description = "Download, list, verify, import and remove local models (in $KAIYUAN_HOME/models).",
        subcommands = {ModelsCommand.CatalogCommand.class, ModelsCommand.Search.class, ModelsCommand.Pull.class,
                ModelsCommand.ListModels.class,
                ModelsCommand.Verify.class,
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

    /** The options of the commands that list models with a memory estimate. */
    static final class Listing {
        @Option(names = "--json", description = "Print a JSON array.")
        boolean json;

        @Option(names = "--context", paramLabel = "TOKENS", defaultValue = "4096",
                description = "Context length the memory estimate assumes (default: ${DEFAULT-VALUE}).")
        int context;
    }

    /** The catalog entry an argument names, if it is a catalog id (a repository is pulled as itself). */
    static Optional<CatalogEntry> catalogEntry(String idOrRepo) {
        return idOrRepo.contains("/") ? Optional.empty() : Catalog.bundled().find(idOrRepo);
    }

    @Command(name = "catalog", mixinStandardHelpOptions = true,
            description = "List the bundled catalog of Chinese open models, with what fits this machine.")
    static final class CatalogCommand implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @CommandLine.Mixin
        Listing listing;

        @Option(names = "--gpu", description = "Show the variants recommended for a GPU provider.")
        boolean gpu;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            long available = MemoryFit.availableMemory();
            ModelRegistry registry = registry();
            Locale locale = Locale.getDefault();
            if (listing.json) {
                ArrayNode array = JSON.createArrayNode();
                for (CatalogEntry e : Catalog.bundled().entries()) {
                    Variant v = e.recommended(gpu);
                    MemoryFit.Estimate fit = e.fit(v, listing.context, available);
                    ObjectNode o = array.addObject().put("id", e.id()).put("name", e.name(Locale.ENGLISH))
                            .put("name_zh", e.name(Locale.SIMPLIFIED_CHINESE)).put("organisation", e.organisation(Locale.ENGLISH))
                            .put("family", e.family()).put("parameters", e.parameters())
                            .put("licence", e.licence().name()).put("licence_url", e.licence().url())
                            .put("context_length", e.contextLength()).put("reasoning", e.reasoning())
                            .put("huggingface", e.huggingFaceRepo()).put("modelscope", e.modelScopeId().orElse(null))
                            .put("recommended_cpu", e.cpuVariant().cliName()).put("recommended_gpu", e.gpuVariant().cliName())
                            .put("variant", v.cliName()).put("weights_bytes", fit.weightsBytes())
                            .put("weights_size_seen", e.weightsBytes(v).isPresent())
                            .put("kv_cache_bytes", fit.kvCacheBytes()).put("context", fit.contextTokens())
                            .put("fit", fitName(fit.fit())).put("installed", registry.find(e.id()).isPresent())
                            .put("listing_verified", e.listingVerified())
                            .put("description", e.description(Locale.ENGLISH)).put("description_zh", e.description(Locale.SIMPLIFIED_CHINESE));
                    ObjectNode variants = o.putObject("variants");
                    e.variants().forEach((variant, files) -> {
                        ArrayNode list = variants.putArray(variant.cliName());
                        files.forEach(f -> {
                            ObjectNode file = list.addObject().put("path", f.path());
                            if (f.size().isPresent()) {
                                file.put("size", f.size().getAsLong());
                            } else {
                                file.putNull("size");
                            }
                        });
                    });
                }
                out.println(array);
            } else {
                out.printf("%-30s %-7s %-8s %-7s %11s  %-9s %-22s %s%n", "ID", "PARAMS", "CONTEXT", "VARIANT", "SIZE", "FITS",
                        "LICENCE", "NAME");
                for (CatalogEntry e : Catalog.bundled().entries()) {
                    Variant v = e.recommended(gpu);
                    MemoryFit.Estimate fit = e.fit(v, listing.context, available);
                    String size = (e.weightsBytes(v).isPresent() ? "" : "~") + gb(fit.weightsBytes());
                    out.printf(Locale.ROOT, "%-30s %-7s %-8s %-7s %11s  %-9s %-22s %s%s%n", e.id(),
                            String.format(Locale.ROOT, "%.1fB", e.parameters() / 1e9), e.contextLength() / 1024 + "K",
                            v.cliName(), size, fitName(fit.fit()), e.licence().name(), e.name(locale),
                            registry.find(e.id()).isPresent() ? "  (installed)" : "");
                }
                out.printf("Fits: weights + KV cache at %d tokens + working memory against %s available. ~ = estimated"
                        + " from the parameter count.%nSizes are as seen on the hub's pages; a pull checks the real listing"
                        + " and every file's sha256.%nInstall one: ./kaiyuan models pull <ID>%n", listing.context, gb(available));
            }
            out.flush();
            return 0;
        }
    }

    @Command(name = "search", mixinStandardHelpOptions = true,
            description = "Search a hub for models Kaiyuan can run, with their variants, real sizes and fit.")
    static final class Search implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Parameters(paramLabel = "QUERY", description = "Part of a model's name, e.g. qwen2.5 or deepseek-r1.")
        String query;

        @Option(names = "--source", paramLabel = "S", defaultValue = "huggingface",
                description = "huggingface (HF_ENDPOINT honoured, hf-mirror.com as fallback), hf-mirror, modelscope"
                        + " (MODELSCOPE_DOMAIN honoured), or a base URL.")
        String source;

        @Option(names = "--limit", paramLabel = "N", defaultValue = "20",
                description = "Repositories to look at, most downloaded first (default: ${DEFAULT-VALUE}, at most 100).")
        int limit;

        @CommandLine.Mixin
        Listing listing;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            if (limit < 1 || limit > 100) {
                throw new IllegalArgumentException("--limit takes 1 to 100, not " + limit + ".");
            }
            List<io.kaiyuan.engine.download.HubSource> hubs = Sources.named(source, System.getenv());
            long available = MemoryFit.availableMemory();
            io.kaiyuan.engine.download.HubSearch.Results results = io.kaiyuan.engine.download.HubSearch.search(hubs, query,
                    limit, Catalog.bundled(), listing.context, available, new CancellationToken(), hit -> { });
            io.kaiyuan.engine.download.HubSource hub = results.source();
            Locale locale = Locale.getDefault();
            if (listing.json) {
                ArrayNode array = JSON.createArrayNode();
                for (io.kaiyuan.engine.download.HubSearch.Hit hit : results.hits()) {
                    ObjectNode o = array.addObject().put("repo", hit.repo()).put("commit", hit.commit())
                            .put("downloads", hit.summary().downloads()).put("likes", hit.summary().likes());
                    hit.summary().lastModified().ifPresentOrElse(m -> o.put("updated", m), () -> o.putNull("updated"));
                    hit.summary().licence().ifPresentOrElse(l -> o.put("licence", l), () -> o.putNull("licence"));
                    hit.catalogEntry().ifPresentOrElse(e -> o.put("catalog_id", e.id())
                            .put("description", e.description(locale)), () -> o.putNull("catalog_id"));
                    o.put("genai_folder", hit.genaiFolder());
                    ArrayNode variants = o.putArray("variants");
                    for (io.kaiyuan.engine.download.HubSearch.Offer offer : hit.offers()) {
                        ObjectNode v = variants.addObject();
                        ArrayNode names = v.putArray("names");
                        offer.variants().forEach(n -> names.add(n.cliName()));
                        if (!offer.folder().isEmpty()) {
                            v.put("folder", offer.folder());
                        }
                        v.put("bytes", offer.bytes());
                        offer.fit().ifPresent(f -> v.put("fit", fitName(f.fit())));
                        ArrayNode files = v.putArray("files");
                        offer.files().forEach(f -> files.add(f.path()));
                    }
                }
                out.println(array.toPrettyString());
            } else if (results.hits().isEmpty()) {
                out.printf("No model Kaiyuan can run matches '%s' on %s (%d repositories looked at, none in the"
                        + " transformers.js ONNX layout or with an ONNX Runtime GenAI folder).%n", query, hub.name(),
                        results.skipped());
            } else {
                for (io.kaiyuan.engine.download.HubSearch.Hit hit : results.hits()) {
                    out.printf(Locale.ROOT, "%s  ↓%,d  ♥%,d%s%s%n", hit.repo(), hit.summary().downloads(),
                            hit.summary().likes(), hit.summary().lastModified().map(m -> "  updated " + m.substring(0,
                                    Math.min(10, m.length()))).orElse(""),
                            hit.summary().licence().map(l -> "  " + l).orElse(""));
                    hit.catalogEntry().ifPresent(e -> out.printf("  %s (catalog: %s)%n", e.description(locale), e.id()));
                    StringBuilder line = new StringBuilder("  ");
                    List<String> folders = new java.util.ArrayList<>();
                    for (io.kaiyuan.engine.download.HubSearch.Offer offer : hit.offers()) {
                        String fit = offer.fit().map(f -> " (" + fitName(f.fit()) + ")").orElse("");
                        if (!offer.folder().isEmpty()) {
                            folders.add("  genai " + gb(offer.bytes()) + fit + "  --folder " + offer.folder());
                            continue;
                        }
                        line.append(String.join("/", offer.variants().stream().map(Variant::cliName).toList()))
                                .append(' ').append(gb(offer.bytes())).append(fit).append("   ");
                    }
                    if (!line.toString().isBlank()) {
                        out.println(line.toString().stripTrailing());
                    }
                    folders.forEach(out::println);
                }
                out.printf("%d found on %s, %d left out (not in a layout Kaiyuan runs). Fits: at %d tokens against %s"
                        + " available.%nInstall one: ./kaiyuan models pull <org/name> --variant <V>  (a GenAI folder:"
                        + " --folder <F>)%n", results.hits().size(),
                        hub.name(), results.skipped(), listing.context, gb(available));
            }
            out.flush();
            return 0;
        }
    }

    static String fitName(MemoryFit.Fit fit) {
        return fit.name().toLowerCase(Locale.ROOT).replace('_', ' ');
    }

    @Command(name = "pull", mixinStandardHelpOptions = true, description = "Download a model and install it, verified.")
    static final class Pull implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Parameters(paramLabel = "<catalog id | org/name>",
                description = "A catalog id (./kaiyuan models catalog) or any repository in the onnx-community layout or"
                        + " with an ONNX Runtime GenAI folder.")
        String repo;

        @Option(names = "--variant", paramLabel = "V", description = "fp32, fp16, q4, q4f16, int8, uint8, quantized, bnb4,"
                + " or genai for the repository's ONNX Runtime GenAI folder, a CPU build first (default: the catalog's"
                + " recommendation, else the best for the CPU; a repository with only GenAI folders gives genai).")
        String variant;

        @Option(names = "--folder", paramLabel = "F", description = "The ONNX Runtime GenAI folder to take (as models search"
                + " lists them): a repository may hold several models or builds. Implies --variant genai.")
        String folder;

        @Option(names = "--as", paramLabel = "ID", description = "The id to install under (default: the catalog id or the"
                + " repository); needed to install a second folder of one repository.")
        String as;

        @Option(names = "--gpu", description = "Take the catalog's GPU recommendation (q4f16 or fp16) instead of the CPU's.")
        boolean gpu;

        @Option(names = "--source", paramLabel = "S", defaultValue = "huggingface",
                description = "huggingface (HF_ENDPOINT honoured, hf-mirror.com as fallback), hf-mirror, modelscope, or a base URL.")
        String source;

        @Option(names = "--revision", paramLabel = "REV", description = "Branch, tag or commit (default: main; master on ModelScope).")
        String revision;

        @Option(names = "--parallel", paramLabel = "N", defaultValue = "3",
                description = "Files downloaded at the same time (default: ${DEFAULT-VALUE}).")
        int parallel;

        @Option(names = "--json", description = "Print the result as one JSON object.")
        boolean json;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            Optional<CatalogEntry> entry = catalogEntry(repo);
            if (entry.isEmpty() && !repo.contains("/")) {
                throw new IllegalArgumentException("'" + repo + "' is neither a catalog id nor a repository (org/name):"
                        + " see ./kaiyuan models catalog.");
            }
            if (folder != null && variant != null && !variant.trim().equalsIgnoreCase("genai")) {
                throw new IllegalArgumentException("--folder takes an ONNX Runtime GenAI folder, so it goes with --variant"
                        + " genai (or none), not " + variant + ".");
            }
            String id = as != null ? as : entry.map(CatalogEntry::id).orElse(repo);
            String hfRepo = entry.map(CatalogEntry::huggingFaceRepo).orElse(repo);
            if (entry.isPresent() && source.equalsIgnoreCase("modelscope") && entry.get().modelScopeId().isEmpty()) {
                throw new IllegalArgumentException(id + " has no known copy on ModelScope. From mainland China use"
                        + " --source hf-mirror, or pull a ModelScope repository by its own id: ./kaiyuan models pull"
                        + " <owner/name> --source modelscope.");
            }
            Optional<Variant> chosen = Optional.ofNullable(variant).map(Variant::parse)
                    .or(() -> entry.map(e -> e.recommended(gpu)));
            ModelRegistry registry = registry();
            ModelInstaller installer = new ModelInstaller(registry.modelsDir(), FileTransfer.defaults(), parallel);
            ProgressBar bar = new ProgressBar(err, System.console() != null && !json);
            CancellationToken cancel = new CancellationToken();
            Thread hook = new Thread(cancel::cancel, "kaiyuan-cancel-download");
            Runtime.getRuntime().addShutdownHook(hook);
            ModelInstaller.Installed installed;
            try {
                installed = installer.install(id, Sources.origins(source, System.getenv(), hfRepo,
                        entry.flatMap(CatalogEntry::modelScopeId), Optional.ofNullable(revision)),
                        folder != null ? Optional.of(Variant.GENAI) : chosen, Optional.ofNullable(folder), bar, cancel);
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
        private long lastDraw;
        private boolean drawn;

        ProgressBar(PrintWriter err, boolean enabled) {
            this.err = err;
            this.enabled = enabled;
        }

        @Override
        public void update(InstallProgress p) {
            long now = System.nanoTime();
            if (!enabled || now - lastDraw < 200_000_000L && p.doneBytes() < p.totalBytes()) {
                return;
            }
            lastDraw = now;
            err.print("\r" + line(p) + "   ");
            err.flush();
            drawn = true;
        }

        /** [#####     ]  45.0% 0.35 GB / 0.79 GB   12.3 MB/s  ETA 0:36  2 files downloading */
        static String line(InstallProgress p) {
            int width = 30;
            int filled = (int) (width * p.fraction());
            long active = p.files().stream().filter(f -> f.state() == InstallProgress.FileState.DOWNLOADING).count();
            String eta = p.paused() ? "paused" : p.etaSeconds().stream()
                    .mapToObj(s -> String.format(Locale.ROOT, "ETA %d:%02d", s / 60, s % 60)).findFirst().orElse("ETA --:--");
            return String.format(Locale.ROOT, "[%s%s] %5.1f%% %s / %s %7.1f MB/s  %s  %d file%s downloading%s",
                    "#".repeat(filled), " ".repeat(width - filled), 100 * p.fraction(), gb(p.doneBytes()), gb(p.totalBytes()),
                    p.bytesPerSecond() / 1e6, eta, active, active == 1 ? "" : "s",
                    p.source().isEmpty() ? "" : " from " + p.source() + (p.withoutToken() ? " (without your token)" : ""));
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

        @CommandLine.Mixin
        Listing listing;

        /** Whether the model fits in memory at the chosen context, or "?" when its folder cannot be read. */
        private String fit(ModelRegistry.InstalledModel m, long available) {
            try {
                var config = io.kaiyuan.engine.model.ModelFolder.open(m.dir()).config();
                int kvBytes = m.variant().contains("16") ? 2 : 4;
                return fitName(MemoryFit.estimate(m.bytes(), config, kvBytes, Math.min(listing.context, config.maxPositions()),
                        available).fit());
            } catch (RuntimeException e) {
                return "?";
            }
        }

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            List<ModelRegistry.InstalledModel> models = registry().list();
            long available = MemoryFit.availableMemory();
            if (listing.json) {
                ArrayNode array = JSON.createArrayNode();
                for (ModelRegistry.InstalledModel m : models) {
                    array.addObject().put("id", m.id()).put("path", m.dir().toString()).put("source", m.source())
                            .put("repo", m.repo()).put("commit", m.commit()).put("variant", m.variant())
                            .put("bytes", m.bytes()).put("installed_at", m.installedAt()).put("fit", fit(m, available));
                }
                out.println(array);
            } else if (models.isEmpty()) {
                out.println("No models installed. See what fits: ./kaiyuan models catalog; download one: ./kaiyuan models pull qwen2.5-0.5b-instruct");
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
