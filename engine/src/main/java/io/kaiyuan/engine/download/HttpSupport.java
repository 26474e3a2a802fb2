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

    private HttpSupport() {}

    static HttpClient client() {
        return HttpClient.newBuilder()
                .followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(Duration.ofSeconds(20))
                .proxy(java.net.ProxySelector.getDefault())
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
