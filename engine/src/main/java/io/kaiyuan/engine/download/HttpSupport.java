package io.kaiyuan.engine.download;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/** Requests with manual redirects: credentials go only to the host they belong to. */
final class HttpSupport {
    static final int MAX_REDIRECTS = 10;
    /** HTTPS_PROXY, HTTP_PROXY and NO_PROXY from the environment, else the JVM's proxy settings. */
    static final java.net.ProxySelector PROXIES = EnvProxySelector.fromEnvironment();

    private HttpSupport() {}

    static HttpClient client() {
        return client(PROXIES);
    }

    static HttpClient client(java.net.ProxySelector proxies) {
        return HttpClient.newBuilder()
                .followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(Duration.ofSeconds(20))
                .proxy(proxies)
                .build();
    }

    /** The response to {@code uri}, following redirects; headers are dropped once the host changes. */
    static <T> HttpResponse<T> send(HttpClient client, URI uri, Map<String, String> sourceHeaders,
            Map<String, String> extraHeaders, HttpResponse.BodyHandler<T> handler, Duration timeout) throws IOException {
        URI current = uri;
        for (int hop = 0; hop <= MAX_REDIRECTS; hop++) {
            HttpRequest.Builder request = HttpRequest.newBuilder(current).timeout(timeout).GET()
                    .header("User-Agent", "kaiyuan");
            if (sameHost(uri, current)) {
                sourceHeaders.forEach(request::header);
            }
            extraHeaders.forEach(request::header);
            HttpResponse<T> response;
            try {
                response = client.send(request.build(), handler);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
            }
            int status = response.statusCode();
            if (status >= 300 && status < 400 && response.headers().firstValue("Location").isPresent()) {
                closeBody(response);
                current = current.resolve(response.headers().firstValue("Location").get());
                continue;
            }
            return response;
        }
        throw new IOException("too many redirects from " + uri);
    }

    /** An open file response: status, headers (lower-case names) and its body. */
    record Stream(int status, java.util.Map<String, java.util.List<String>> headers, java.io.InputStream body,
            java.net.HttpURLConnection connection) implements AutoCloseable {
        String header(String name) {
            java.util.List<String> v = headers.get(name.toLowerCase(java.util.Locale.ROOT));
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
     * Opens a file download with HttpURLConnection, which reads several times faster than
     * java.net.http's InputStream body; redirects are followed here so that headers go only to the
     * source's own host. A read that waits longer than {@code readTimeout} fails (a stalled transfer).
     */
    static Stream open(URI uri, Map<String, String> sourceHeaders, Map<String, String> extraHeaders,
            Duration readTimeout) throws IOException {
        return open(uri, sourceHeaders, extraHeaders, readTimeout, PROXIES);
    }

    static Stream open(URI uri, Map<String, String> sourceHeaders, Map<String, String> extraHeaders,
            Duration readTimeout, java.net.ProxySelector proxies) throws IOException {
        URI current = uri;
        for (int hop = 0; hop <= MAX_REDIRECTS; hop++) {
            java.net.HttpURLConnection c = (java.net.HttpURLConnection) current.toURL()
                    .openConnection(proxies.select(current).get(0));
            c.setInstanceFollowRedirects(false);
            c.setConnectTimeout(20_000);
            c.setReadTimeout((int) Math.max(1, readTimeout.toMillis()));
            c.setRequestProperty("User-Agent", "kaiyuan");
            c.setRequestProperty("Accept-Encoding", "identity");
            if (sameHost(uri, current)) {
                sourceHeaders.forEach(c::setRequestProperty);
            }
            extraHeaders.forEach(c::setRequestProperty);
            int status = c.getResponseCode();
            java.util.Map<String, java.util.List<String>> headers = new java.util.HashMap<>();
            c.getHeaderFields().forEach((k, v) -> {
                if (k != null) {
                    headers.put(k.toLowerCase(java.util.Locale.ROOT), v);
                }
            });
            if (status >= 300 && status < 400 && headers.containsKey("location")) {
                c.disconnect();
                current = current.resolve(headers.get("location").get(0));
                continue;
            }
            java.io.InputStream body = status >= 400 ? c.getErrorStream() : c.getInputStream();
            return new Stream(status, headers, body, c);
        }
        throw new IOException("too many redirects from " + uri);
    }

    static boolean sameHost(URI a, URI b) {
        return Objects.equals(a.getHost(), b.getHost()) && a.getPort() == b.getPort()
                && Objects.equals(a.getScheme(), b.getScheme());
    }

    static void closeBody(HttpResponse<?> response) {
        if (response.body() instanceof java.io.InputStream in) {
            try {
                in.close();
            } catch (IOException ignored) {
                // the body is not needed
            }
        }
    }

    static String bodyText(HttpResponse<java.io.InputStream> response) throws IOException {
        try (java.io.InputStream in = response.body()) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
