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
 * with Range. The default revision is {@code master}. Thread-safe.
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
