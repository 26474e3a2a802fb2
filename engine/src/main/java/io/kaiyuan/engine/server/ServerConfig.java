package io.kaiyuan.engine.server;

import java.util.Optional;
import java.util.Set;

/**
 * How the OpenAI-compatible server listens and whom it answers.
 *
 * @param host the address to bind; 127.0.0.1 by default, so only this machine reaches it
 * @param port the TCP port; 0 picks a free one
 * @param apiKey when present, every request must carry {@code Authorization: Bearer <key>}
 * @param maxQueue requests that may wait per model behind the running one; more get 429
 * @param maxBodyBytes the largest request body accepted; larger ones get 413
 * @param allowedHosts Host header names answered besides localhost, 127.0.0.1 and ::1 ({@code *}: any);
 *     guards against DNS rebinding
 * @param allowedOrigins browser origins answered besides local ones, such as {@code https://app.example}
 *     ({@code *}: any)
 * @param defaultMaxTokens the tokens a request may generate when it sets no {@code max_tokens}
 */
public record ServerConfig(String host, int port, Optional<String> apiKey, int maxQueue, long maxBodyBytes,
        Set<String> allowedHosts, Set<String> allowedOrigins, int defaultMaxTokens) {
    public static final String DEFAULT_HOST = "127.0.0.1";
    public static final int DEFAULT_PORT = 11435;
    public static final int DEFAULT_MAX_QUEUE = 16;
    public static final long DEFAULT_MAX_BODY_BYTES = 4L << 20;
    public static final int DEFAULT_MAX_TOKENS = 4096;

    public ServerConfig {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("The port must be 0 to 65535, not " + port + ".");
        }
        if (maxQueue < 0) {
            throw new IllegalArgumentException("The queue length must be 0 or more, not " + maxQueue + ".");
        }
        if (maxBodyBytes < 1024) {
            throw new IllegalArgumentException("The body limit must be at least 1024 bytes, not " + maxBodyBytes + ".");
        }
        if (defaultMaxTokens < 1) {
            throw new IllegalArgumentException("The default token limit must be 1 or more, not " + defaultMaxTokens + ".");
        }
        apiKey = apiKey.filter(k -> !k.isBlank());
        allowedHosts = Set.copyOf(allowedHosts);
        allowedOrigins = Set.copyOf(allowedOrigins);
    }

    /** 127.0.0.1:11435, no key, the default queue and body limit, local hosts and origins only. */
    public static ServerConfig defaults() {
        return new ServerConfig(DEFAULT_HOST, DEFAULT_PORT, Optional.empty(), DEFAULT_MAX_QUEUE, DEFAULT_MAX_BODY_BYTES,
                Set.of(), Set.of());
    }

    public ServerConfig(String host, int port, Optional<String> apiKey, int maxQueue, long maxBodyBytes,
            Set<String> allowedHosts, Set<String> allowedOrigins) {
        this(host, port, apiKey, maxQueue, maxBodyBytes, allowedHosts, allowedOrigins, DEFAULT_MAX_TOKENS);
    }

    public ServerConfig withDefaultMaxTokens(int n) {
        return new ServerConfig(host, port, apiKey, maxQueue, maxBodyBytes, allowedHosts, allowedOrigins, n);
    }

    public ServerConfig withPort(int p) {
        return new ServerConfig(host, p, apiKey, maxQueue, maxBodyBytes, allowedHosts, allowedOrigins, defaultMaxTokens);
    }

    public ServerConfig withApiKey(String key) {
        return new ServerConfig(host, port, Optional.ofNullable(key), maxQueue, maxBodyBytes, allowedHosts, allowedOrigins,
                defaultMaxTokens);
    }

    public ServerConfig withMaxQueue(int n) {
        return new ServerConfig(host, port, apiKey, n, maxBodyBytes, allowedHosts, allowedOrigins, defaultMaxTokens);
    }

    public ServerConfig withMaxBodyBytes(long n) {
        return new ServerConfig(host, port, apiKey, maxQueue, n, allowedHosts, allowedOrigins, defaultMaxTokens);
    }

    public ServerConfig withAllowed(Set<String> hosts, Set<String> origins) {
        return new ServerConfig(host, port, apiKey, maxQueue, maxBodyBytes, hosts, origins, defaultMaxTokens);
    }

    /** The key is never printed. */
    @Override
    public String toString() {
        return "ServerConfig[" + host + ":" + port + ", key " + (apiKey.isPresent() ? "set" : "none") + ", queue " + maxQueue
                + ", body " + maxBodyBytes + " bytes, hosts " + allowedHosts + ", origins " + allowedOrigins + ", default "
                + defaultMaxTokens + " tokens]";
    }
}
