package io.kaiyuan.engine.download;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Requests to a hub, everything from outside treated as hostile: redirects are followed here, over http and
 * https only; a source's credentials go only to the host the user configured for it (its endpoint), on every
 * request, page and redirect; an API answer is read whole within a size cap and a deadline (a connection
 * that goes quiet, drips or never ends is cut).
 */
final class HttpSupport {
    static final int MAX_REDIRECTS = 10;
    /** HTTPS_PROXY, HTTP_PROXY and NO_PROXY from the environment, else the JVM's proxy settings. */
    static final java.net.ProxySelector PROXIES = EnvProxySelector.fromEnvironment();
    /** Cuts the connections of calls past their deadline. */
    private static final ScheduledExecutorService WATCHDOG = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "kaiyuan-http-deadline");
        t.setDaemon(true);
        return t;
    });

    private HttpSupport() {}

    /**
     * The bounds of an API call (a listing, a model's info).
     *
     * @param maxBodyBytes the largest answer read; a longer one is refused
     * @param deadline the whole call, redirects and body included
     * @param readTimeout the longest silence within it
     * @param maxPages the most pages one listing may have
     */
    record Limits(long maxBodyBytes, Duration deadline, Duration readTimeout, int maxPages) {
        static final Limits DEFAULT = new Limits(64L << 20, Duration.ofSeconds(120), Duration.ofSeconds(30), 1000);
    }

    /** An API answer read whole. */
    record Answer(int status, Map<String, List<String>> headers, byte[] body, URI uri) {
        String header(String name) {
            List<String> v = headers.get(name.toLowerCase(Locale.ROOT));
            return v == null || v.isEmpty() ? null : v.get(0);
        }

        List<String> headers(String name) {
            return headers.getOrDefault(name.toLowerCase(Locale.ROOT), List.of());
        }
    }

    /**
     * Ends a call at its deadline by cutting the connection it is on, whatever it is waiting for (the
     * headers, a body that drips).
     */
    static final class Deadline implements AutoCloseable {
        private final Duration length;
        private final ScheduledFuture<?> timer;
        private volatile HttpURLConnection current;
        private volatile boolean expired;

        Deadline(Duration length) {
            this.length = length;
            this.timer = length == null ? null
                    : WATCHDOG.schedule(this::expire, Math.max(1, length.toMillis()), TimeUnit.MILLISECONDS);
        }

        /** No deadline: the connection's read timeout (and the caller's own rules) bound each wait. */
        static Deadline none() {
            return new Deadline(null);
        }

        void watch(HttpURLConnection c) {
            current = c;
            if (expired) {
                c.disconnect();
            }
        }

        private void expire() {
            expired = true;
            HttpURLConnection c = current;
            if (c != null) {
                c.disconnect();
            }
        }

        boolean expired() {
            return expired;
        }

        IOException failure() {
            return new IOException(String.format(Locale.ROOT, "no complete answer within %d s", length.toSeconds()));
        }

        @Override
        public void close() {
            if (timer != null) {
                timer.cancel(false);
            }
        }
    }

    /** An open response: status, headers (lower-case names) and its body. */
    record Stream(int status, Map<String, List<String>> headers, InputStream body, HttpURLConnection connection, URI uri)
            implements AutoCloseable {
        String header(String name) {
            List<String> v = headers.get(name.toLowerCase(Locale.ROOT));
            return v == null || v.isEmpty() ? null : v.get(0);
        }

        @Override
        public void close() {
            try {
                if (body != null) {
                    body.close();
                }
            } catch (IOException ignored) {
                // closing after a failure
            }
            connection.disconnect();
        }
    }

    /**
     * GETs an API answer from {@code source} and reads it whole, within {@code limits}.
     *
     * @throws HubException when the answer is larger than the limit or a redirect leaves http(s)
     * @throws IOException when the source cannot be reached or the deadline passes
     */
    static Answer get(HubSource source, URI uri, Map<String, String> extraHeaders, Limits limits) throws IOException {
        return send(source, uri, null, extraHeaders, limits);
    }

    /**
     * PUTs a JSON body to {@code source} and reads the answer whole, within {@code limits}; a redirect is not
     * followed (its status is the answer).
     */
    static Answer putJson(HubSource source, URI uri, byte[] json, Map<String, String> extraHeaders, Limits limits)
            throws IOException {
        return send(source, uri, json, extraHeaders, limits);
    }

    private static Answer send(HubSource source, URI uri, byte[] json, Map<String, String> extraHeaders, Limits limits)
            throws IOException {
        try (Deadline deadline = new Deadline(limits.deadline())) {
            try (Stream s = open(source.name(), uri, source.endpoint(), source.headers(), extraHeaders, limits.readTimeout(),
                    source.proxies(), deadline, json)) {
                byte[] body = s.body() == null ? new byte[0] : read(s.body(), limits.maxBodyBytes(), source.name(), deadline);
                return new Answer(s.status(), s.headers(), body, s.uri());
            } catch (IOException e) {
                if (deadline.expired()) {
                    throw deadline.failure();
                }
                throw e;
            }
        }
    }

    private static byte[] read(InputStream in, long max, String name, Deadline deadline) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[64 * 1024];
        long total = 0;
        int n;
        while ((n = in.read(buffer)) >= 0) {
            total += n;
            if (total > max) {
                throw new HubException(HubException.Kind.SERVER_ERROR, name, String.format(Locale.ROOT,
                        "%s sent an answer larger than %d MB, which no listing is: it was not read further.", name,
                        max >> 20), false);
            }
            if (deadline.expired()) {
                throw deadline.failure();
            }
            out.write(buffer, 0, n);
        }
        return out.toByteArray();
    }

    /**
     * Opens {@code uri} with HttpURLConnection (it reads a file several times faster than java.net.http's
     * InputStream body), following redirects over http and https only. {@code sourceHeaders} (credentials)
     * go only to {@code authority}'s scheme, host and port; a read silent for {@code readTimeout} fails.
     */
    static Stream open(String name, URI uri, URI authority, Map<String, String> sourceHeaders, Map<String, String> extraHeaders,
            Duration readTimeout, java.net.ProxySelector proxies, Deadline deadline) throws IOException {
        return open(name, uri, authority, sourceHeaders, extraHeaders, readTimeout, proxies, deadline, null);
    }

    /** As above; with {@code json}, a PUT of that body whose redirects are not followed. */
    private static Stream open(String name, URI uri, URI authority, Map<String, String> sourceHeaders,
            Map<String, String> extraHeaders, Duration readTimeout, java.net.ProxySelector proxies, Deadline deadline,
            byte[] json) throws IOException {
        URI current = uri;
        for (int hop = 0; hop <= MAX_REDIRECTS; hop++) {
            String scheme = current.getScheme() == null ? "" : current.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals("http") && !scheme.equals("https") || current.getHost() == null) {
                throw new HubException(HubException.Kind.SERVER_ERROR, name, name + (hop == 0 ? " is not an http(s) address: "
                        : " redirected to an address that is not http(s): ") + current.getScheme() + ":…; Kaiyuan follows"
                        + " only http and https.", false);
            }
            List<java.net.Proxy> proxy = proxies.select(current);
            HttpURLConnection c = (HttpURLConnection) current.toURL().openConnection(
                    proxy == null || proxy.isEmpty() ? java.net.Proxy.NO_PROXY : proxy.get(0));
            deadline.watch(c);
            c.setInstanceFollowRedirects(false);
            c.setConnectTimeout(20_000);
            c.setReadTimeout((int) Math.max(1, Math.min(Integer.MAX_VALUE, readTimeout.toMillis())));
            c.setRequestProperty("User-Agent", "kaiyuan");
            c.setRequestProperty("Accept-Encoding", "identity");
            if (sameHost(authority, current)) {
                sourceHeaders.forEach(c::setRequestProperty);
            }
            extraHeaders.forEach(c::setRequestProperty);
            int status;
            Map<String, List<String>> headers = new HashMap<>();
            try {
                if (json != null) {
                    c.setRequestMethod("PUT");
                    c.setDoOutput(true);
                    c.setRequestProperty("Content-Type", "application/json");
                    c.setFixedLengthStreamingMode(json.length);
                    try (var out = c.getOutputStream()) {
                        out.write(json);
                    }
                }
                status = c.getResponseCode();
                c.getHeaderFields().forEach((k, v) -> {
                    if (k != null) {
                        headers.put(k.toLowerCase(Locale.ROOT), v);
                    }
                });
            } catch (IOException | RuntimeException e) {
                c.disconnect();
                throw e;
            }
            if (json == null && status >= 300 && status < 400 && headers.containsKey("location")) {
                c.disconnect();
                try {
                    current = current.resolve(headers.get("location").get(0).strip());
                } catch (IllegalArgumentException e) {
                    throw new HubException(HubException.Kind.SERVER_ERROR, name, name + " redirected to an address that is not"
                            + " one.", false);
                }
                continue;
            }
            InputStream body = status >= 400 ? c.getErrorStream() : c.getInputStream();
            return new Stream(status, headers, body, c, current);
        }
        throw new HubException(HubException.Kind.SERVER_ERROR, name, name + " redirected more than " + MAX_REDIRECTS
                + " times from " + uri + ".", true);
    }

    /** Whether {@code b} is on {@code a}'s scheme, host and port (the port a scheme implies counts as given). */
    static boolean sameHost(URI a, URI b) {
        return a != null && b != null && Objects.equals(lower(a.getScheme()), lower(b.getScheme()))
                && Objects.equals(lower(a.getHost()), lower(b.getHost())) && port(a) == port(b);
    }

    private static String lower(String s) {
        return s == null ? null : s.toLowerCase(Locale.ROOT);
    }

    private static int port(URI u) {
        if (u.getPort() >= 0) {
            return u.getPort();
        }
        return "https".equalsIgnoreCase(u.getScheme()) ? 443 : 80;
    }
}
