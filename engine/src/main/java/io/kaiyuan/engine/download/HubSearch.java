package io.kaiyuan.engine.download;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kaiyuan.engine.api.CancellationToken;
import io.kaiyuan.engine.model.Catalog;
import io.kaiyuan.engine.model.CatalogEntry;
import io.kaiyuan.engine.model.MemoryFit;
import io.kaiyuan.engine.model.ModelConfig;
import io.kaiyuan.engine.model.Variant;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * Finds models Kaiyuan can run on a hub: the hub's search (ONNX repositories by name, most downloaded
 * first), then each repository's real file listing, keeping those in the transformers.js layout
 * ({@code config.json}, {@code tokenizer.json}, {@code tokenizer_config.json} and {@code onnx/model*.onnx}
 * graphs) or holding ONNX Runtime GenAI folders ({@code genai_config.json}, the tokenizer files and an
 * {@code .onnx} graph). Each result has its variants with their real sizes (graph plus data files; the same
 * bytes under two names are one offer), then each GenAI folder as a {@code genai} offer (the CPU build
 * first, the one a pull takes unless told otherwise), the architecture from {@code config.json} or the
 * folder's {@code genai_config.json}, and whether each offer fits this machine.
 */
public final class HubSearch {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern GRAPH = Pattern.compile("onnx/(model(?:_[a-z0-9]+)?)\\.onnx");
    private static final Set<String> REQUIRED = Set.of("config.json", "tokenizer.json", "tokenizer_config.json");
    /** GenAI folders of one repository read (one request each for their genai_config.json). */
    static final int MAX_GENAI_OFFERS = 8;
    /** config.json and genai_config.json are small: a larger one is not a decoder's config. */
    private static final HttpSupport.Limits CONFIG_LIMITS = new HttpSupport.Limits(256 << 10, Duration.ofSeconds(30),
            Duration.ofSeconds(15), 1);

    /**
     * One variant offered: the names it goes by (two when two names are the same bytes), its graph and data
     * files and their bytes, whether it fits, and for a GenAI offer its folder in the repository ("" otherwise;
     * a pull names it with {@code --folder}).
     */
    public record Offer(List<Variant> variants, List<RemoteFile> files, long bytes, Optional<MemoryFit.Estimate> fit,
            String folder) {
        public Offer {
            variants = List.copyOf(variants);
            files = List.copyOf(files);
        }

        public Offer(List<Variant> variants, List<RemoteFile> files, long bytes, Optional<MemoryFit.Estimate> fit) {
            this(variants, files, bytes, fit, "");
        }

        /** The first name, the one a pull asks for. */
        public Variant variant() {
            return variants.get(0);
        }
    }

    /**
     * A repository Kaiyuan can run.
     *
     * @param summary what the search said of it (downloads, likes, updated, licence)
     * @param commit the commit listed
     * @param offers its onnx/ variants, smallest first, then its GenAI folders, the one a pull takes first
     * @param genaiFolder whether it holds an ONNX Runtime GenAI folder
     * @param catalogEntry the catalog's entry for it, when it is one
     * @param config its config.json, else its first GenAI folder's genai_config.json
     * @param source the source it was listed from
     */
    public record Hit(RepoSummary summary, String commit, List<Offer> offers, boolean genaiFolder,
            Optional<CatalogEntry> catalogEntry, Optional<ModelConfig> config, HubSource source) {
        public Hit {
            offers = List.copyOf(offers);
        }

        public String repo() {
            return summary.repo();
        }
    }

    /**
     * A search's results, how many repositories the hub returned that Kaiyuan cannot run, and the source
     * that answered (a fallback when the first could not be reached).
     */
    public record Results(List<Hit> hits, int skipped, HubSource source) {
        public Results {
            hits = List.copyOf(hits);
        }
    }

    private HubSearch() {}

    /**
     * Searches {@code source} and lists each result (one request for the search, two per repository).
     *
     * @param limit the most repositories to look at (the hub's order)
     * @param contextTokens the context the fit is judged at
     * @param availableBytes memory available for a model
     * @param onHit hears each runnable repository as soon as it is listed (for a list that fills as it comes)
     * @throws HubException when the search itself fails; a repository that cannot be listed is skipped
     */
    public static Results search(HubSource source, String query, int limit, Catalog catalog, int contextTokens,
            long availableBytes, CancellationToken cancel, Consumer<Hit> onHit) {
        return search(List.of(source), query, limit, catalog, contextTokens, availableBytes, cancel, onHit);
    }

    /**
     * As above over sources in order, as downloads fall back: when one cannot be reached (or fails on its
     * side), the next is searched (huggingface, then hf-mirror.com without the Hugging Face token).
     *
     * @throws HubException the last source's failure when none answers, or the first that is not of that kind
     */
    public static Results search(List<HubSource> sources, String query, int limit, Catalog catalog, int contextTokens,
            long availableBytes, CancellationToken cancel, Consumer<Hit> onHit) {
        HubException last = null;
        for (HubSource source : sources) {
            List<RepoSummary> found;
            try {
                found = source.search(query, limit);
            } catch (HubException e) {
                boolean elsewhere = e.kind() == HubException.Kind.UNREACHABLE
                        || e.kind() == HubException.Kind.SERVER_ERROR && e.retryable();
                if (!elsewhere) {
                    throw e;
                }
                last = e;
                continue;
            }
            return examineAll(source, found, catalog, contextTokens, availableBytes, cancel, onHit);
        }
        throw last != null ? last : new IllegalArgumentException("no source to search");
    }

    private static Results examineAll(HubSource source, List<RepoSummary> found, Catalog catalog, int contextTokens,
            long availableBytes, CancellationToken cancel, Consumer<Hit> onHit) {
        List<Hit> hits = new ArrayList<>();
        int skipped = 0;
        for (RepoSummary summary : found) {
            if (cancel.isCancelled()) {
                break;
            }
            Optional<Hit> hit;
            try {
                hit = examine(source, summary, catalog, contextTokens, availableBytes);
            } catch (RuntimeException e) {
                hit = Optional.empty(); // gated, gone, unreadable or a hostile listing: not offered
            }
            if (hit.isPresent()) {
                hits.add(hit.get());
                onHit.accept(hit.get());
            } else {
                skipped++;
            }
        }
        return new Results(hits, skipped, source);
    }

    /**
     * One repository looked at as a search result would be (for a download to continue after a restart):
     * empty when it is not in a layout Kaiyuan runs.
     *
     * @throws HubException when it cannot be listed
     */
    public static Optional<Hit> lookup(HubSource source, String repo, Catalog catalog, int contextTokens,
            long availableBytes) {
        return examine(source, new RepoSummary(repo, 0, 0, Optional.empty(), List.of()), catalog, contextTokens,
                availableBytes);
    }

    /** A repository's offers, or empty when it is not in a layout Kaiyuan runs. */
    static Optional<Hit> examine(HubSource source, RepoSummary summary, Catalog catalog, int contextTokens,
            long availableBytes) {
        RepoListing listing = source.list(summary.repo(), source.defaultRevision());
        Optional<Layout> layout = layout(listing);
        if (layout.isEmpty()) {
            return Optional.empty();
        }
        List<Offer> offers = new ArrayList<>();
        Optional<ModelConfig> config = Optional.empty();
        if (layout.get().transformersJs()) {
            config = readConfig(source, listing);
            config.ifPresent(c -> offers.addAll(offers(listing, c, contextTokens, availableBytes)));
        }
        int read = 0;
        for (GenAiFolders.Folder folder : layout.get().genai()) {
            if (read++ == MAX_GENAI_OFFERS) {
                break;
            }
            Optional<ModelConfig> folderConfig = readGenAiConfig(source, listing, folder);
            if (folderConfig.isEmpty()) {
                continue;
            }
            config = config.or(() -> folderConfig);
            int tokens = Math.min(contextTokens, folderConfig.get().maxPositions());
            MemoryFit.Estimate fit = MemoryFit.estimate(folder.weightBytes(), folderConfig.get(), Variant.GENAI.kvBytesPerValue(),
                    tokens, availableBytes);
            offers.add(new Offer(List.of(Variant.GENAI), folder.weights(), folder.weightBytes(), Optional.of(fit), folder.path()));
        }
        if (offers.isEmpty() || config.isEmpty()) {
            return Optional.empty(); // no decoder configuration Kaiyuan can read
        }
        return Optional.of(new Hit(summary, listing.commit(), offers, !layout.get().genai().isEmpty(),
                catalog.find(summary.repo()), config, source));
    }

    /** What a listing holds: the transformers.js layout, GenAI folders (in the order a pull prefers them), or both. */
    record Layout(boolean transformersJs, List<GenAiFolders.Folder> genai) {}

    static Optional<Layout> layout(RepoListing listing) {
        boolean graphs = false;
        Set<String> root = new java.util.HashSet<>();
        for (RemoteFile f : listing.files()) {
            if (GRAPH.matcher(f.path()).matches()) {
                graphs = true;
            }
            if (!f.path().contains("/")) {
                root.add(f.path());
            }
        }
        boolean transformersJs = graphs && root.containsAll(REQUIRED);
        List<GenAiFolders.Folder> genai = GenAiFolders.of(listing);
        return transformersJs || !genai.isEmpty() ? Optional.of(new Layout(transformersJs, genai)) : Optional.empty();
    }

    /** Each graph with its data files, the same bytes (by sha256) offered once under all their names. */
    static List<Offer> offers(RepoListing listing, ModelConfig config, int contextTokens, long availableBytes) {
        Map<Variant, List<RemoteFile>> byVariant = new LinkedHashMap<>();
        for (Variant v : Variant.ONNX_FOLDER) {
            String graph = "onnx/" + v.fileName();
            List<RemoteFile> files = new ArrayList<>();
            for (RemoteFile f : listing.files()) {
                if (f.path().equals(graph) || f.path().startsWith(graph + "_data")) {
                    files.add(f);
                }
            }
            if (files.stream().anyMatch(f -> f.path().equals(graph))) {
                byVariant.put(v, files);
            }
        }
        List<Offer> offers = new ArrayList<>();
        Map<String, Integer> byDigest = new LinkedHashMap<>();
        int tokens = Math.min(contextTokens, config.maxPositions());
        for (Map.Entry<Variant, List<RemoteFile>> e : byVariant.entrySet()) {
            String digest = digest(e.getValue());
            Integer same = digest == null ? null : byDigest.get(digest);
            if (same != null) {
                Offer o = offers.get(same);
                List<Variant> names = new ArrayList<>(o.variants());
                names.add(e.getKey());
                offers.set(same, new Offer(names, o.files(), o.bytes(), o.fit()));
                continue;
            }
            long bytes = e.getValue().stream().mapToLong(RemoteFile::size).sum();
            MemoryFit.Estimate fit = MemoryFit.estimate(bytes, config, e.getKey().kvBytesPerValue(), tokens, availableBytes);
            if (digest != null) {
                byDigest.put(digest, offers.size());
            }
            offers.add(new Offer(List.of(e.getKey()), e.getValue(), bytes, Optional.of(fit)));
        }
        offers.sort(java.util.Comparator.comparingLong(Offer::bytes));
        return offers;
    }

    /** The files' digests together, or null when one has none. */
    private static String digest(List<RemoteFile> files) {
        StringBuilder sb = new StringBuilder();
        for (RemoteFile f : files) {
            if (f.sha256().isEmpty()) {
                return null;
            }
            sb.append(f.path().replaceFirst("^onnx/model(_[a-z0-9]+)?\\.onnx", "")).append('=').append(f.sha256().get())
                    .append(';');
        }
        return sb.toString();
    }

    /** The decoder's shape from a GenAI folder's genai_config.json, or empty when it cannot be read. */
    private static Optional<ModelConfig> readGenAiConfig(HubSource source, RepoListing listing, GenAiFolders.Folder folder) {
        String path = folder.path().isEmpty() ? io.kaiyuan.engine.model.GenAiConfig.FILE
                : folder.path() + "/" + io.kaiyuan.engine.model.GenAiConfig.FILE;
        try {
            HttpSupport.Answer answer = HttpSupport.get(source, source.fileUri(listing.repo(), listing.commit(), path), Map.of(),
                    CONFIG_LIMITS);
            if (answer.status() != 200) {
                return Optional.empty();
            }
            JsonNode json = JSON.readTree(answer.body());
            if (json == null || !json.isObject()) {
                return Optional.empty();
            }
            return Optional.of(io.kaiyuan.engine.model.GenAiConfig.parse(json, Path.of(path.replace('/', '_'))).config());
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    private static Optional<ModelConfig> readConfig(HubSource source, RepoListing listing) {
        try {
            HttpSupport.Answer answer = HttpSupport.get(source, source.fileUri(listing.repo(), listing.commit(), "config.json"),
                    Map.of(), CONFIG_LIMITS);
            if (answer.status() != 200) {
                return Optional.empty();
            }
            JsonNode json = JSON.readTree(answer.body());
            if (json == null || !json.isObject()) {
                return Optional.empty();
            }
            return Optional.of(ModelConfig.parse(json, Path.of(listing.repo().replace('/', '_') + "-config.json")));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }
}
