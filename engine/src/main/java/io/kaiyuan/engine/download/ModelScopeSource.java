package io.kaiyuan.engine.download;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * ModelScope's protocol (www.modelscope.cn, MODELSCOPE_DOMAIN to override, MODELSCOPE_API_TOKEN):
 * {@code /api/v1/models/{id}/repo/files} lists, {@code /api/v1/models/{id}/repo?FilePath=} serves files
 * with Range. The default revision is {@code master}. Search uses the model search of ModelScope's own
 * website ({@code PUT /api/v1/dolphin/models}), which its Python client does not wrap: only the fields
 * read here are relied on, and each result is then listed like any repository. Thread-safe.
 */
public final class ModelScopeSource implements HubSource {
    public static final URI OFFICIAL = URI.create("https://www.modelscope.cn");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final URI endpoint;
    private final Optional<String> token;
    private final java.net.ProxySelector proxies;
    private final HttpSupport.Limits limits;

    public ModelScopeSource(URI endpoint, Optional<String> token) {
        this(endpoint, token, HttpSupport.PROXIES);
    }

    /** @param proxies the proxies of its requests */
    public ModelScopeSource(URI endpoint, Optional<String> token, java.net.ProxySelector proxies) {
        this(endpoint, token, proxies, HttpSupport.Limits.DEFAULT);
    }

    /** @param limits the bounds of its API calls */
    ModelScopeSource(URI endpoint, Optional<String> token, java.net.ProxySelector proxies, HttpSupport.Limits limits) {
        this.endpoint = URI.create(endpoint.toString().replaceAll("/+$", ""));
        this.token = token.filter(t -> !t.isBlank());
        this.proxies = proxies;
        this.limits = limits;
    }

    @Override
    public URI endpoint() {
        return endpoint;
    }

    @Override
    public java.net.ProxySelector proxies() {
        return proxies;
    }

    public static ModelScopeSource fromEnvironment(Map<String, String> env) {
        String domain = env.getOrDefault("MODELSCOPE_DOMAIN", "");
        URI endpoint = domain.isBlank() ? OFFICIAL
                : URI.create(domain.startsWith("http") ? domain : "https://" + domain);
        return new ModelScopeSource(endpoint, Optional.ofNullable(env.get("MODELSCOPE_API_TOKEN")), Sources.proxies(env));
    }

    @Override
    public String name() {
        return "modelscope";
    }

    @Override
    public Map<String, String> headers() {
        return token.map(t -> Map.of("Authorization", "Bearer " + t)).orElse(Map.of());
    }

    private static String quote(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    @Override
    public String defaultRevision() {
        return "master";
    }

    /** Results asked for per search page. */
    static final int SEARCH_PAGE_SIZE = 50;

    /**
     * Models whose name holds {@code query}, most downloaded first, asking for those with ONNX files (a hub
     * that ignores that criterion still gives a search whose results are then listed and filtered).
     */
    @Override
    public java.util.List<RepoSummary> search(String query, int limit) {
        String q = query.strip();
        if (q.isEmpty() || q.length() > 200) {
            throw new IllegalArgumentException("Search for 1 to 200 characters of a model's name.");
        }
        int wanted = Math.max(1, Math.min(limit, HuggingFaceSource.MAX_SEARCH_RESULTS));
        java.util.List<RepoSummary> out = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (int page = 1; page <= HuggingFaceSource.MAX_SEARCH_PAGES && out.size() < wanted; page++) {
            var body = JSON.createObjectNode().put("Name", q).put("PageNumber", page)
                    .put("PageSize", Math.min(SEARCH_PAGE_SIZE, wanted)).put("SortBy", "DownloadsCount").put("Target", "");
            body.putArray("SingleCriterion");
            body.putArray("Criterion").addObject().put("category", "libraries").put("predicate", "contains")
                    .putArray("values").add("onnx");
            JsonNode models = searchPage(q, body);
            boolean fresh = false;
            for (JsonNode m : models) {
                String id = m.path("Path").asText("") + "/" + m.path("Name").asText("");
                if (!HuggingFaceSource.REPO.matcher(id).matches() || !seen.add(id)) {
                    continue;
                }
                fresh = true;
                java.util.List<String> tags = new ArrayList<>();
                String licence = m.path("License").asText("");
                if (!licence.isBlank() && licence.length() <= 100) {
                    tags.add("license:" + licence.strip().toLowerCase(Locale.ROOT));
                }
                out.add(new RepoSummary(id, Math.max(0, m.path("Downloads").asLong()), Math.max(0, m.path("Stars").asLong()),
                        updated(m), tags));
                if (out.size() == wanted) {
                    break;
                }
            }
            if (!fresh) {
                break; // the last page, or a hub that ignores paging
            }
        }
        return out;
    }

    /** When a search result last changed: LastUpdatedTime (seconds since 1970) as ISO-8601, when given. */
    private static Optional<String> updated(JsonNode m) {
        JsonNode t = m.get("LastUpdatedTime");
        if (t != null && t.canConvertToLong() && t.asLong() > 0 && t.asLong() < 32_503_680_000L) {
            return Optional.of(java.time.Instant.ofEpochSecond(t.asLong()).toString());
        }
        return Optional.empty();
    }

    private JsonNode searchPage(String q, JsonNode body) {
        URI uri = URI.create(endpoint + "/api/v1/dolphin/models");
        HttpSupport.Answer response;
        try {
            response = HttpSupport.putJson(this, uri, JSON.writeValueAsBytes(body), Map.of("Accept", "application/json"),
                    limits);
        } catch (HubException e) {
            throw e;
        } catch (IOException e) {
            throw new HubException(HubException.Kind.UNREACHABLE, "modelscope", "ModelScope cannot be reached ("
                    + endpoint.getHost() + "): " + HubException.describe(e) + ". Check the network or the proxy.", true, e);
        }
        if (response.status() != 200) {
            throw new HubException(HubException.Kind.SERVER_ERROR, "modelscope", "ModelScope answered HTTP " + response.status()
                    + " to the search for '" + q + "'.", response.status() >= 500 || response.status() == 429);
        }
        JsonNode root;
        try {
            root = JSON.readTree(response.body());
        } catch (IOException e) {
            throw new HubException(HubException.Kind.SERVER_ERROR, "modelscope", "ModelScope sent search results Kaiyuan cannot"
                    + " read: " + HubException.describe(e), true, e);
        }
        JsonNode models = root == null ? null : root.path("Data").path("Model").path("Models");
        if (models == null || !models.isArray()) {
            String message = root == null ? "" : root.path("Message").asText("");
            throw new HubException(HubException.Kind.SERVER_ERROR, "modelscope", "ModelScope sent search results that are not"
                    + " a list of models" + (message.isBlank() ? "" : ": " + message.substring(0, Math.min(200, message.length())))
                    + ".", false);
        }
        return models;
    }

    /** Entries asked for per listing page; the hub may send fewer. */
    static final int PAGE_SIZE = 100;

    /**
     * Lists every file, page by page ({@code PageNumber}/{@code PageSize}): pages follow until one brings no
     * path not seen before, which also ends the listing when a hub ignores paging and sends everything at once.
     */
    @Override
    public RepoListing list(String repo, String revision) {
        HuggingFaceSource.checkRepo(repo);
        Map<String, RemoteFile> files = new LinkedHashMap<>();
        Set<String> seen = new HashSet<>();
        for (int page = 1; page <= limits.maxPages(); page++) {
            JsonNode entries = page(repo, revision, page);
            boolean fresh = false;
            for (JsonNode f : entries) {
                String path = f.path("Path").asText();
                if (!seen.add(path)) {
                    continue;
                }
                fresh = true;
                if (!"blob".equals(f.path("Type").asText())) {
                    continue;
                }
                String sha = f.path("Sha256").asText("");
                files.put(path, new RemoteFile(path, f.path("Size").asLong(),
                        sha.matches("[0-9a-fA-F]{64}") ? Optional.of(sha.toLowerCase(Locale.ROOT)) : Optional.empty()));
            }
            if (!fresh) {
                return new RepoListing(repo, revision, new ArrayList<>(files.values()));
            }
        }
        throw new HubException(HubException.Kind.SERVER_ERROR, "modelscope", "ModelScope sent a listing of " + repo
                + " of more than " + limits.maxPages() + " pages: it was not read further.", false);
    }

    private JsonNode page(String repo, String revision, int page) {
        URI uri = URI.create(endpoint + "/api/v1/models/" + repo + "/repo/files?Revision=" + quote(revision)
                + "&Recursive=true&PageNumber=" + page + "&PageSize=" + PAGE_SIZE);
        HttpSupport.Answer response;
        try {
            response = HttpSupport.get(this, uri, Map.of("Accept", "application/json"), limits);
        } catch (HubException e) {
            throw e;
        } catch (IOException e) {
            throw new HubException(HubException.Kind.UNREACHABLE, "modelscope", "ModelScope cannot be reached ("
                    + endpoint.getHost() + "): " + HubException.describe(e) + ". Check the network or the proxy.", true, e);
        }
        int status = response.status();
        if (status == 401 || status == 403) {
            throw new HubException(HubException.Kind.NEEDS_ACCESS, "modelscope", repo + " on ModelScope needs access: accept its"
                    + " terms on " + endpoint + "/models/" + repo + " and give Kaiyuan a ModelScope access token"
                    + " (MODELSCOPE_API_TOKEN, or Settings in the app).", false);
        }
        if (status == 404) {
            throw new HubException(HubException.Kind.NOT_FOUND, "modelscope", "ModelScope has no model " + repo + " at revision "
                    + revision + " (ModelScope ids often differ from Hugging Face's).", false);
        }
        if (status != 200) {
            throw new HubException(HubException.Kind.SERVER_ERROR, "modelscope", "ModelScope answered HTTP " + status + " for "
                    + repo + ".", status >= 500 || status == 429);
        }
        JsonNode root;
        try {
            root = JSON.readTree(response.body());
        } catch (IOException e) {
            throw new HubException(HubException.Kind.SERVER_ERROR, "modelscope", "ModelScope sent a listing Kaiyuan cannot read: "
                    + HubException.describe(e), true, e);
        }
        if (root == null) {
            throw new HubException(HubException.Kind.SERVER_ERROR, "modelscope", "ModelScope sent an empty listing.", true);
        }
        JsonNode filesNode = root.path("Data").path("Files");
        if ((filesNode.isNull() || filesNode.isMissingNode()) && page > 1) {
            return JSON.createArrayNode();
        }
        if (!filesNode.isArray()) {
            throw new HubException(HubException.Kind.NOT_FOUND, "modelscope", "ModelScope has no files for " + repo + " at "
                    + revision + ": "
                    + root.path("Message").asText("unexpected answer") + ".", false);
        }
        return filesNode;
    }

    @Override
    public URI fileUri(String repo, String revision, String path) {
        return URI.create(endpoint + "/api/v1/models/" + HuggingFaceSource.checkRepo(repo) + "/repo?Revision="
                + quote(revision) + "&FilePath=" + quote(SafePath.check(path)));
    }
}
