package io.kaiyuan.engine.download;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Hugging Face Hub protocol, on huggingface.co, HF_ENDPOINT, hf-mirror.com or any base URL that
 * serves the same paths. Thread-safe.
 */
public final class HuggingFaceSource implements HubSource {
    public static final URI OFFICIAL = URI.create("https://huggingface.co");
    public static final URI HF_MIRROR = URI.create("https://hf-mirror.com");
    static final Pattern REPO = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*/[A-Za-z0-9][A-Za-z0-9._-]*");
    private static final Pattern NEXT = Pattern.compile("<([^>]+)>\\s*;\\s*rel=\"?next\"?");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String name;
    private final URI endpoint;
    private final Optional<String> token;
    private final java.net.ProxySelector proxies;
    private final HttpSupport.Limits limits;
    /** The token this source would have had, held back: a fallback the user did not configure gets none. */
    private final boolean withheld;

    public HuggingFaceSource(String name, URI endpoint, Optional<String> token) {
        this(name, endpoint, token, HttpSupport.PROXIES);
    }

    /** @param proxies the proxies of its requests */
    public HuggingFaceSource(String name, URI endpoint, Optional<String> token, java.net.ProxySelector proxies) {
        this(name, endpoint, token, proxies, HttpSupport.Limits.DEFAULT);
    }

    /** @param limits the bounds of its API calls */
    HuggingFaceSource(String name, URI endpoint, Optional<String> token, java.net.ProxySelector proxies,
            HttpSupport.Limits limits) {
        this(name, endpoint, token, proxies, limits, false);
    }

    private HuggingFaceSource(String name, URI endpoint, Optional<String> token, java.net.ProxySelector proxies,
            HttpSupport.Limits limits, boolean withheld) {
        this.withheld = withheld;
        this.name = name;
        this.endpoint = URI.create(endpoint.toString().replaceAll("/+$", ""));
        this.token = token.filter(t -> !t.isBlank());
        this.proxies = proxies;
        this.limits = limits;
    }

    /** The same source with other bounds on its API calls (tests make them small). */
    HuggingFaceSource withLimits(HttpSupport.Limits l) {
        return new HuggingFaceSource(name, endpoint, token, proxies, l, withheld);
    }

    /** The same source without its token: a fallback the user did not configure gets none. */
    public HuggingFaceSource withoutToken() {
        return new HuggingFaceSource(name, endpoint, Optional.empty(), proxies, limits, withheld || token.isPresent());
    }

    @Override
    public boolean tokenWithheld() {
        return withheld;
    }

    @Override
    public URI endpoint() {
        return endpoint;
    }

    /** huggingface.co, or HF_ENDPOINT when set; HF_TOKEN and the environment's proxies when set. */
    public static HuggingFaceSource fromEnvironment(Map<String, String> env) {
        String endpoint = env.getOrDefault("HF_ENDPOINT", "");
        return new HuggingFaceSource("huggingface", endpoint.isBlank() ? OFFICIAL : URI.create(endpoint),
                Optional.ofNullable(env.get("HF_TOKEN")), Sources.proxies(env));
    }

    /** hf-mirror.com, with HF_TOKEN when set. */
    public static HuggingFaceSource mirror(Map<String, String> env) {
        return new HuggingFaceSource("hf-mirror", HF_MIRROR, Optional.ofNullable(env.get("HF_TOKEN")), Sources.proxies(env));
    }

    @Override
    public java.net.ProxySelector proxies() {
        return proxies;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Map<String, String> headers() {
        return token.map(t -> Map.of("Authorization", "Bearer " + t)).orElse(Map.of());
    }

    static String checkRepo(String repo) {
        if (!REPO.matcher(repo).matches() || repo.contains("..")) {
            throw new HubException("'" + repo + "' is not a repository id: use organisation/name, e.g."
                    + " onnx-community/Qwen2.5-0.5B-Instruct.", false);
        }
        return repo;
    }

    private static String quote(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static String quotePath(String path) {
        List<String> parts = new ArrayList<>();
        for (String p : path.split("/")) {
            parts.add(quote(p));
        }
        return String.join("/", parts);
    }

    @Override
    public RepoListing list(String repo, String revision) {
        checkRepo(repo);
        JsonNode info = getJson(endpoint + "/api/models/" + repo + "/revision/" + quote(revision), repo, revision).json();
        String commit = info.path("sha").asText("");
        if (!commit.matches("[0-9a-f]{40}")) {
            throw new HubException(HubException.Kind.SERVER_ERROR, name, name + " gave no commit for " + repo + "@" + revision + ".",
                    true);
        }
        List<RemoteFile> files = new ArrayList<>();
        String next = endpoint + "/api/models/" + repo + "/tree/" + commit + "?recursive=true";
        java.util.Set<String> pages = new java.util.HashSet<>();
        while (next != null) {
            if (!pages.add(next)) {
                throw new HubException(HubException.Kind.SERVER_ERROR, name, name + " sent a listing of " + repo
                        + " whose pages lead back to a page already read: it was not read further.", false);
            }
            if (pages.size() > limits.maxPages()) {
                throw new HubException(HubException.Kind.SERVER_ERROR, name, name + " sent a listing of " + repo
                        + " of more than " + limits.maxPages() + " pages: it was not read further.", false);
            }
            Page page = getJson(next, repo, revision);
            if (!page.json().isArray()) {
                throw new HubException(HubException.Kind.SERVER_ERROR, name, name + " sent a listing page of " + repo
                        + " that is not a list of files.", true);
            }
            for (JsonNode entry : page.json()) {
                if (!"file".equals(entry.path("type").asText())) {
                    continue;
                }
                JsonNode lfs = entry.path("lfs");
                Optional<String> sha256 = lfs.path("oid").isTextual()
                        ? Optional.of(lfs.get("oid").asText().replaceFirst("^sha256:", "")) : Optional.empty();
                long size = lfs.path("size").canConvertToLong() ? lfs.get("size").asLong() : entry.path("size").asLong();
                files.add(new RemoteFile(entry.path("path").asText(), size, sha256));
            }
            next = page.next();
        }
        return new RepoListing(repo, commit, files);
    }

    /** The most results one search returns, and the pages it reads for them. */
    static final int MAX_SEARCH_RESULTS = 100;
    static final int MAX_SEARCH_PAGES = 10;

    /**
     * {@code GET /api/models?search=...&filter=onnx&sort=downloads&direction=-1&limit=...}, following the
     * {@code Link} pages until {@code limit} repositories are read (bounded like listings).
     */
    @Override
    public List<RepoSummary> search(String query, int limit) {
        String q = query.strip();
        if (q.isEmpty() || q.length() > 200) {
            throw new IllegalArgumentException("Search for 1 to 200 characters of a model's name.");
        }
        int wanted = Math.max(1, Math.min(limit, MAX_SEARCH_RESULTS));
        String next = endpoint + "/api/models?search=" + java.net.URLEncoder.encode(q, java.nio.charset.StandardCharsets.UTF_8)
                + "&filter=onnx&sort=downloads&direction=-1&limit=" + wanted;
        List<RepoSummary> out = new ArrayList<>();
        java.util.Set<String> pages = new java.util.HashSet<>();
        java.util.Set<String> seen = new java.util.HashSet<>();
        while (next != null && out.size() < wanted) {
            if (!pages.add(next) || pages.size() > MAX_SEARCH_PAGES) {
                break; // a page already read, or enough pages: what was read is the answer
            }
            Page page = getJson(next, "search '" + q + "'", "");
            if (!page.json().isArray()) {
                throw new HubException(HubException.Kind.SERVER_ERROR, name, name + " sent search results that are not a"
                        + " list of models.", true);
            }
            for (JsonNode m : page.json()) {
                String id = m.path("id").asText(m.path("modelId").asText(""));
                if (!REPO.matcher(id).matches() || !seen.add(id)) {
                    continue;
                }
                List<String> tags = new ArrayList<>();
                m.path("tags").forEach(t -> {
                    if (t.isTextual() && tags.size() < 200) {
                        tags.add(t.asText());
                    }
                });
                Optional<String> modified = Optional.ofNullable(m.path("lastModified").isTextual()
                        ? m.get("lastModified").asText() : m.path("createdAt").isTextual() ? m.get("createdAt").asText() : null);
                out.add(new RepoSummary(id, Math.max(0, m.path("downloads").asLong()), Math.max(0, m.path("likes").asLong()),
                        modified, tags));
                if (out.size() == wanted) {
                    break;
                }
            }
            next = page.next();
        }
        return out;
    }

    @Override
    public URI fileUri(String repo, String commit, String path) {
        return URI.create(endpoint + "/" + checkRepo(repo) + "/resolve/" + quote(commit) + "/" + quotePath(SafePath.check(path)));
    }

    private record Page(JsonNode json, String next) {}

    private Page getJson(String url, String repo, String revision) {
        URI uri;
        try {
            uri = URI.create(url);
        } catch (IllegalArgumentException e) {
            throw new HubException(HubException.Kind.SERVER_ERROR, name, name + " sent a listing page address that is not"
                    + " one.", false);
        }
        HttpSupport.Answer answer;
        try {
            answer = HttpSupport.get(this, uri, Map.of("Accept", "application/json"), limits);
        } catch (HubException e) {
            throw e;
        } catch (IOException e) {
            throw new HubException(HubException.Kind.UNREACHABLE, name, name + " cannot be reached (" + endpoint.getHost()
                    + "): " + HubException.describe(e) + ". Check the network or the proxy; from mainland China,"
                    + " hf-mirror or ModelScope usually work.", true, e);
        }
        int status = answer.status();
        if (status != 200) {
            throw errorFor(status, Optional.ofNullable(answer.header("X-Error-Code")).orElse(""), repo, revision, null);
        }
        JsonNode json;
        try {
            json = JSON.readTree(answer.body());
        } catch (IOException e) {
            throw new HubException(HubException.Kind.SERVER_ERROR, name, name + " sent a listing Kaiyuan cannot read: "
                    + HubException.describe(e), true, e);
        }
        if (json == null) {
            throw new HubException(HubException.Kind.SERVER_ERROR, name, name + " sent an empty listing.", true);
        }
        String next = null;
        for (String link : answer.headers("Link")) {
            Matcher m = NEXT.matcher(link);
            if (m.find()) {
                try {
                    next = answer.uri().resolve(m.group(1).strip()).toString();
                } catch (IllegalArgumentException e) {
                    throw new HubException(HubException.Kind.SERVER_ERROR, name, name + " sent a next-page address that is"
                            + " not one.", false);
                }
            }
        }
        return new Page(json, next);
    }

    /** The message for an error status, from Hugging Face's X-Error-Code. */
    HubException errorFor(int status, String code, String repo, String revision, String path) {
        if (status == 401 || status == 403 || code.equals("GatedRepo")) {
            return new HubException(HubException.Kind.NEEDS_ACCESS, name, repo + " is gated: accept its licence on " + endpoint
                    + "/" + repo + " while logged in, then give Kaiyuan an access token of that account (HF_TOKEN, or"
                    + " Settings in the app).", false);
        }
        if (code.equals("RevisionNotFound")) {
            return new HubException(HubException.Kind.NOT_FOUND, name, repo + " has no revision '" + revision + "'.", false);
        }
        if (code.equals("EntryNotFound") || (status == 404 && path != null)) {
            return new HubException(HubException.Kind.NOT_FOUND, name, repo + " has no file " + path + " at " + revision + ".",
                    false);
        }
        if (code.equals("RepoNotFound") || status == 404) {
            return new HubException(HubException.Kind.NOT_FOUND, name, name + " has no repository " + repo
                    + " (check the id, or the source).", false);
        }
        return new HubException(HubException.Kind.SERVER_ERROR, name, name + " answered HTTP " + status + " for " + repo + ".",
                status >= 500 || status == 429);
    }
}
