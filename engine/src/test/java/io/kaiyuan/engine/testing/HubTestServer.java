package io.kaiyuan.engine.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A Hugging Face Hub on 127.0.0.1 for tests: /api/models/{repo}/revision/{rev}, the paginated
 * /api/models/{repo}/tree/{commit}, and /{repo}/resolve/{commit}/{path}, where files over 1 KiB redirect
 * to a "CDN" under another host name (localhost), as LFS files do. Faults can be switched on per test.
 */
public final class HubTestServer implements AutoCloseable {
    public static final String COMMIT = "0123456789abcdef0123456789abcdef01234567";
    private static final ObjectMapper JSON = new ObjectMapper();

    public final Map<String, Map<String, byte[]>> repos = new ConcurrentHashMap<>();
    /** Extra listing entries (hostile paths). */
    public final List<String> extraListedPaths = new CopyOnWriteArrayList<>();
    public final List<String> requests = new CopyOnWriteArrayList<>();
    public final List<String> authorizationOnCdn = new CopyOnWriteArrayList<>();
    public final List<String> authorizationOnHub = new CopyOnWriteArrayList<>();
    /** Every request as "HOST PATH AUTHORIZATION", the host as the client named it (Host header). */
    public final List<String> byHost = new CopyOnWriteArrayList<>();
    /** Host name the listing's next-page links use (e.g. "localhost", another host for the client); null: ours. */
    public volatile String nextPageHost;
    /** The listing's next-page link names the page itself. */
    public volatile boolean nextPageLoops;
    /** How the tree listing misbehaves: never ends, endless whitespace, one byte now and then; null: it does not. */
    public volatile String listingFault;
    /** Milliseconds between the bytes of a "drip" fault. */
    public volatile long dripMillis = 500;
    /** Where file requests redirect to instead (e.g. file:///etc/passwd); null: the usual. */
    public volatile String fileRedirect;
    /** File transfers send one byte every {@link #dripMillis} after this many bytes (once); -1 off. */
    public final AtomicInteger dripFilesAfter = new AtomicInteger(-1);

    public volatile boolean gated;
    public volatile boolean ignoreRange;
    public volatile boolean corrupt;
    public volatile int failFilesWithStatus;
    /** Bytes after which the next file transfer drops its connection (once); -1 off. */
    public final AtomicInteger dropAfter = new AtomicInteger(-1);
    /** Bytes after which the next file transfer stalls (once); -1 off. */
    public final AtomicInteger stallAfter = new AtomicInteger(-1);
    public volatile long stallMillis = 5_000;
    /** Each file transfer's rate limit in bytes per second; 0 for none. */
    public volatile long bytesPerSecond;
    /** File transfers in progress now, and the most seen at once. */
    public final AtomicInteger activeTransfers = new AtomicInteger();
    public final AtomicInteger maxActiveTransfers = new AtomicInteger();
    public volatile int pageSize = 2;
    /** Whether the ModelScope listing honours PageNumber/PageSize (else it sends everything each time). */
    public volatile boolean modelScopePaging = true;

    private final HttpServer server;

    public HubTestServer() throws IOException {
        this(0);
    }

    /** On a given port of 127.0.0.1 (0: any free one). */
    public HubTestServer(int port) throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
        server.setExecutor(Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "hub-test-server");
            t.setDaemon(true);
            return t;
        }));
        server.createContext("/", this::handle);
        server.start();
    }

    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    public void addRepo(String repo, Map<String, byte[]> files) {
        repos.put(repo, new LinkedHashMap<>(files));
    }

    /** A folder's files by their paths inside it ('/' separated), to serve as a repository. */
    public static Map<String, byte[]> filesOf(java.nio.file.Path dir) throws IOException {
        Map<String, byte[]> files = new LinkedHashMap<>();
        try (java.util.stream.Stream<java.nio.file.Path> walk = java.nio.file.Files.walk(dir)) {
            for (java.nio.file.Path f : walk.filter(java.nio.file.Files::isRegularFile).sorted().toList()) {
                files.put(dir.relativize(f).toString().replace('\\', '/'), java.nio.file.Files.readAllBytes(f));
            }
        }
        return files;
    }

    /** What the search says of a repository: downloads, likes, last change and tags (default: none and "onnx"). */
    public record Info(long downloads, long likes, String lastModified, List<String> tags) {}

    public final Map<String, Info> info = new ConcurrentHashMap<>();
    /** Sizes the tree listing shows instead of the bytes served ("repo/path"), for pictures of large models. */
    public final Map<String, Long> listedSizes = new ConcurrentHashMap<>();
    /** Results per search page. */
    public volatile int searchPageSize = 2;

    /** /api/models?search=&filter=&sort=downloads&limit=&cursor=: repos whose id holds the text, most downloads first. */
    private void search(HttpExchange ex) throws IOException {
        Map<String, String> q = new LinkedHashMap<>();
        String raw = ex.getRequestURI().getRawQuery();
        for (String pair : raw == null ? new String[0] : raw.split("&")) {
            int eq = pair.indexOf('=');
            q.put(java.net.URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8),
                    eq < 0 ? "" : java.net.URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        String text = q.getOrDefault("search", "").toLowerCase(java.util.Locale.ROOT);
        String filter = q.get("filter");
        int limit = Integer.parseInt(q.getOrDefault("limit", "1000"));
        int cursor = Integer.parseInt(q.getOrDefault("cursor", "0"));
        List<String> matching = new ArrayList<>();
        for (String repo : repos.keySet()) {
            Info i = info.getOrDefault(repo, new Info(0, 0, null, List.of("onnx")));
            if (repo.toLowerCase(java.util.Locale.ROOT).contains(text) && (filter == null || i.tags().contains(filter))) {
                matching.add(repo);
            }
        }
        matching.sort(java.util.Comparator.comparingLong((String r) -> -info.getOrDefault(r, new Info(0, 0, null,
                List.of())).downloads()).thenComparing(r -> r));
        matching = matching.subList(0, Math.min(matching.size(), limit));
        ArrayNode page = JSON.createArrayNode();
        for (int k = cursor; k < Math.min(matching.size(), cursor + searchPageSize); k++) {
            String repo = matching.get(k);
            Info i = info.getOrDefault(repo, new Info(0, 0, null, List.of("onnx")));
            var m = page.addObject().put("id", repo).put("modelId", repo).put("downloads", i.downloads())
                    .put("likes", i.likes());
            if (i.lastModified() != null) {
                m.put("lastModified", i.lastModified());
            }
            ArrayNode tags = m.putArray("tags");
            i.tags().forEach(tags::add);
        }
        String next = cursor + searchPageSize < matching.size()
                ? "<" + endpoint() + "/api/models?" + (raw == null ? "" : raw).replaceAll("&cursor=\\d+", "") + "&cursor="
                        + (cursor + searchPageSize) + ">; rel=\"next\"" : null;
        json(ex, page.toString(), next);
    }

    public static String sha256(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String path = ex.getRequestURI().getRawPath();
            String range = ex.getRequestHeaders().getFirst("Range");
            requests.add(ex.getRequestMethod() + " " + ex.getRequestURI() + (range != null ? " " + range : ""));
            String auth = ex.getRequestHeaders().getFirst("Authorization");
            byHost.add(ex.getRequestHeaders().getFirst("Host") + " " + path + " " + auth);
            if (path.startsWith("/cdn/")) {
                authorizationOnCdn.add(String.valueOf(auth));
                String[] parts = path.substring(5).split("/", 3);
                byte[] data = repos.get(parts[0] + "/" + parts[1]).get(java.net.URLDecoder.decode(parts[2], StandardCharsets.UTF_8));
                serveBytes(ex, data, range);
                return;
            }
            authorizationOnHub.add(String.valueOf(auth));
            if (path.startsWith("/api/v1/models/")) {
                modelScope(ex, path.substring("/api/v1/models/".length()), range);
                return;
            }
            if (path.equals("/api/v1/dolphin/models") && ex.getRequestMethod().equals("PUT")) {
                modelScopeSearch(ex);
                return;
            }
            if (path.equals("/api/models")) {
                search(ex);
                return;
            }
            if (path.startsWith("/api/models/")) {
                api(ex, path.substring("/api/models/".length()));
                return;
            }
            String[] parts = path.substring(1).split("/", 5);
            if (parts.length == 5 && parts[2].equals("resolve")) {
                String repo = parts[0] + "/" + parts[1];
                if (gated) {
                    error(ex, 401, "GatedRepo");
                    return;
                }
                Map<String, byte[]> files = repos.get(repo);
                if (files == null) {
                    error(ex, 404, "RepoNotFound");
                    return;
                }
                String file = java.net.URLDecoder.decode(parts[4], StandardCharsets.UTF_8);
                byte[] data = files.get(file);
                if (data == null) {
                    error(ex, 404, "EntryNotFound");
                    return;
                }
                if (failFilesWithStatus != 0) {
                    error(ex, failFilesWithStatus, "");
                    return;
                }
                if (fileRedirect != null) {
                    ex.getResponseHeaders().add("Location", fileRedirect);
                    ex.sendResponseHeaders(302, -1);
                    return;
                }
                if (data.length > 1024) {
                    ex.getResponseHeaders().add("Location", "http://localhost:" + server.getAddress().getPort() + "/cdn/"
                            + repo + "/" + parts[4]);
                    ex.getResponseHeaders().add("X-Repo-Commit", COMMIT);
                    ex.getResponseHeaders().add("X-Linked-Etag", "\"" + sha256(data) + "\"");
                    ex.sendResponseHeaders(302, -1);
                    return;
                }
                serveBytes(ex, data, range);
                return;
            }
            error(ex, 404, "");
        }
    }

    private void api(HttpExchange ex, String rest) throws IOException {
        String[] parts = rest.split("/", 4);
        String repo = parts[0] + "/" + parts[1];
        if (gated) {
            error(ex, 401, "GatedRepo");
            return;
        }
        Map<String, byte[]> files = repos.get(repo);
        if (files == null) {
            error(ex, 404, "RepoNotFound");
            return;
        }
        if (parts[2].equals("revision")) {
            if (!parts[3].equals("main") && !parts[3].equals(COMMIT)) {
                error(ex, 404, "RevisionNotFound");
                return;
            }
            json(ex, JSON.createObjectNode().put("sha", COMMIT).toString(), null);
            return;
        }
        if (parts[2].equals("tree") && listingFault != null) {
            misbehave(ex);
            return;
        }
        if (parts[2].equals("tree")) {
            List<Map.Entry<String, Long>> entries = new ArrayList<>();
            files.forEach((p, d) -> entries.add(Map.entry(p, listedSizes.getOrDefault(repo + "/" + p, (long) d.length))));
            extraListedPaths.forEach(p -> entries.add(Map.entry(p, 1L)));
            String query = ex.getRequestURI().getQuery();
            int cursor = query != null && query.contains("cursor=") ? Integer.parseInt(query.replaceAll(".*cursor=(\\d+).*", "$1")) : 0;
            ArrayNode page = JSON.createArrayNode();
            page.addObject().put("type", "directory").put("path", "onnx").put("size", 0);
            for (int i = cursor; i < Math.min(entries.size(), cursor + pageSize); i++) {
                String p = entries.get(i).getKey();
                byte[] data = files.get(p);
                var node = page.addObject().put("type", "file").put("path", p).put("size", entries.get(i).getValue());
                if (data != null && data.length > 1024) {
                    node.putObject("lfs").put("oid", sha256(data)).put("size", entries.get(i).getValue())
                            .put("pointerSize", 134);
                }
            }
            String base = nextPageHost == null ? endpoint().toString()
                    : "http://" + nextPageHost + ":" + server.getAddress().getPort();
            int nextCursor = nextPageLoops ? cursor : cursor + pageSize;
            String next = cursor + pageSize < entries.size() || nextPageLoops
                    ? "<" + base + "/api/models/" + repo + "/tree/" + COMMIT + "?recursive=true&cursor="
                            + nextCursor + ">; rel=\"next\"" : null;
            json(ex, page.toString(), next);
            return;
        }
        error(ex, 404, "");
    }

    /** A listing that never ends, as the fault asks: JSON entries, whitespace, or a byte now and then. */
    private void misbehave(HttpExchange ex) throws IOException {
        ex.getResponseHeaders().add("Content-Type", "application/json");
        ex.sendResponseHeaders(200, 0); // chunked: no length
        OutputStream out = ex.getResponseBody();
        byte[] entry = "{\"type\":\"file\",\"path\":\"a\",\"size\":1},".repeat(200).getBytes(StandardCharsets.UTF_8);
        byte[] spaces = " ".repeat(8192).getBytes(StandardCharsets.UTF_8);
        try {
            switch (listingFault) {
                case "endless" -> {
                    out.write('[');
                    while (true) {
                        out.write(entry);
                    }
                }
                case "whitespace" -> {
                    while (true) {
                        out.write(spaces);
                    }
                }
                default -> { // "drip"
                    while (true) {
                        out.write(' ');
                        out.flush();
                        Thread.sleep(dripMillis);
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            // the client gave up: what the fault is for
        }
    }

    /** The JSON bodies of the ModelScope searches received. */
    public final List<String> modelScopeSearches = new java.util.concurrent.CopyOnWriteArrayList<>();

    /**
     * ModelScope's website search, PUT /api/v1/dolphin/models with {Name, PageNumber, PageSize, SortBy, Criterion}:
     * ModelScope repositories ("ms:" ones) whose id holds Name, those tagged onnx when the criterion asks for the
     * onnx library, most downloaded first, in Data.Model.Models as {Path, Name, Downloads, Stars, License,
     * LastUpdatedTime}.
     */
    private void modelScopeSearch(HttpExchange ex) throws IOException {
        String body = new String(ex.getRequestBody().readNBytes(1 << 20), StandardCharsets.UTF_8);
        modelScopeSearches.add(body);
        var request = JSON.readTree(body);
        String text = request.path("Name").asText("").toLowerCase(java.util.Locale.ROOT);
        int number = request.path("PageNumber").asInt(1);
        int size = Math.min(request.path("PageSize").asInt(10), searchPageSize);
        boolean onnx = request.path("Criterion").toString().contains("\"libraries\"") && request.path("Criterion").toString()
                .contains("\"onnx\"");
        List<String> matching = new ArrayList<>();
        for (String key : repos.keySet()) {
            if (!key.startsWith("ms:")) {
                continue;
            }
            Info i = info.getOrDefault(key, new Info(0, 0, null, List.of("onnx")));
            if (key.substring(3).toLowerCase(java.util.Locale.ROOT).contains(text) && (!onnx || i.tags().contains("onnx"))) {
                matching.add(key);
            }
        }
        matching.sort(java.util.Comparator.comparingLong((String r) -> -info.getOrDefault(r, new Info(0, 0, null,
                List.of())).downloads()).thenComparing(r -> r));
        var root = JSON.createObjectNode().put("Code", 200).put("Success", true);
        var model = root.putObject("Data").putObject("Model").put("TotalCount", matching.size());
        ArrayNode models = model.putArray("Models");
        for (int k = (number - 1) * size; k < Math.min(matching.size(), number * size); k++) {
            String id = matching.get(k).substring(3);
            Info i = info.getOrDefault(matching.get(k), new Info(0, 0, null, List.of("onnx")));
            var m = models.addObject().put("Path", id.substring(0, id.indexOf('/'))).put("Name", id.substring(id.indexOf('/') + 1))
                    .put("Downloads", i.downloads()).put("Stars", i.likes());
            i.tags().stream().filter(t -> t.startsWith("license:")).findFirst()
                    .ifPresent(l -> m.put("License", l.substring("license:".length())));
            if (i.lastModified() != null) {
                m.put("LastUpdatedTime", java.time.Instant.parse(i.lastModified()).getEpochSecond());
            }
        }
        json(ex, root.toString(), null);
    }

    /** ModelScope: /api/v1/models/{id}/repo/files?Revision=&Recursive= and /api/v1/models/{id}/repo?FilePath=. */
    private void modelScope(HttpExchange ex, String rest, String range) throws IOException {
        String[] parts = rest.split("/");
        String repo = parts[0] + "/" + parts[1];
        Map<String, byte[]> files = repos.get("ms:" + repo);
        if (files == null) {
            error(ex, 404, "");
            return;
        }
        String query = java.net.URLDecoder.decode(ex.getRequestURI().getRawQuery(), StandardCharsets.UTF_8);
        if (parts.length == 4 && parts[3].equals("files")) {
            var root = JSON.createObjectNode();
            ArrayNode all = JSON.createArrayNode();
            all.addObject().put("Name", "onnx").put("Path", "onnx").put("Type", "tree").put("Size", 0);
            files.forEach((p, d) -> all.addObject().put("Name", p.substring(p.lastIndexOf('/') + 1)).put("Path", p)
                    .put("Type", "blob").put("Size", d.length).put("Sha256", sha256(d)));
            ArrayNode list = root.putObject("Data").putArray("Files");
            String number = query.replaceAll(".*PageNumber=(\\d+).*", "$1");
            if (modelScopePaging && !number.equals(query)) {
                // Pages of at most pageSize entries, as a hub capping the page size would send.
                int first = (Integer.parseInt(number) - 1) * pageSize;
                for (int i = first; i < Math.min(all.size(), first + pageSize); i++) {
                    list.add(all.get(i));
                }
            } else {
                list.addAll(all);
            }
            json(ex, root.toString(), null);
            return;
        }
        String filePath = query.replaceAll(".*FilePath=([^&]*).*", "$1");
        byte[] data = files.get(filePath);
        if (data == null) {
            error(ex, 404, "");
            return;
        }
        serveBytes(ex, data, range);
    }

    private static void json(HttpExchange ex, String body, String link) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().add("Content-Type", "application/json");
        if (link != null) {
            ex.getResponseHeaders().add("Link", link);
        }
        ex.sendResponseHeaders(200, bytes.length);
        ex.getResponseBody().write(bytes);
    }

    private static void error(HttpExchange ex, int status, String code) throws IOException {
        if (!code.isEmpty()) {
            ex.getResponseHeaders().add("X-Error-Code", code);
        }
        ex.sendResponseHeaders(status, -1);
    }

    private void serveBytes(HttpExchange ex, byte[] data, String range) throws IOException {
        int start = 0;
        if (range != null && !ignoreRange) {
            start = Integer.parseInt(range.replaceAll("bytes=(\\d+)-.*", "$1"));
            ex.getResponseHeaders().add("Content-Range", "bytes " + start + "-" + (data.length - 1) + "/" + data.length);
            ex.sendResponseHeaders(206, data.length - start);
        } else {
            ex.sendResponseHeaders(200, data.length);
        }
        byte[] body = data.clone();
        if (corrupt) {
            body[body.length / 2] ^= 0x5A;
        }
        OutputStream out = ex.getResponseBody();
        // A one-shot fault applies to the first transfer long enough to reach it.
        int drop = dropAfter.get() >= 0 && dropAfter.get() < body.length ? dropAfter.getAndSet(-1) : -1;
        int drip = dripFilesAfter.get() >= 0 && dripFilesAfter.get() < body.length ? dripFilesAfter.getAndSet(-1) : -1;
        int stall = stallAfter.get() >= 0 && stallAfter.get() < body.length ? stallAfter.getAndSet(-1) : -1;
        int pos = start;
        int now = activeTransfers.incrementAndGet();
        maxActiveTransfers.accumulateAndGet(now, Math::max);
        try {
            if (drip >= 0) {
                out.write(body, pos, Math.max(0, drip - pos));
                out.flush();
                for (int i = Math.max(pos, drip); i < body.length; i++) {
                    out.write(body[i]);
                    out.flush();
                    try {
                        Thread.sleep(dripMillis);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IOException("interrupted");
                    }
                }
                return;
            }
            send(out, body, pos, drop, stall);
        } finally {
            activeTransfers.decrementAndGet();
        }
    }

    private void send(OutputStream out, byte[] body, int pos, int drop, int stall) throws IOException {
        while (pos < body.length) {
            int n = Math.min(8192, body.length - pos);
            long rate = bytesPerSecond;
            if (rate > 0) {
                try {
                    Thread.sleep(Math.max(1, n * 1000L / rate));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted");
                }
            }
            if (drop >= 0 && pos + n > drop) {
                out.write(body, pos, Math.max(0, drop - pos));
                out.flush();
                throw new IOException("test fault: connection dropped at " + drop);
            }
            if (stall >= 0 && pos + n > stall) {
                out.write(body, pos, Math.max(0, stall - pos));
                out.flush();
                try {
                    Thread.sleep(stallMillis);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                throw new IOException("test fault: stalled at " + stall);
            }
            out.write(body, pos, n);
            pos += n;
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
