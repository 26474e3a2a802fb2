package io.kaiyuan.engine.download;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.ProxySelector;
import java.net.SocketAddress;
import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Honours HTTPS_PROXY, HTTP_PROXY, ALL_PROXY and NO_PROXY (either case) as curl and the official hub
 * clients do; loopback addresses are always reached directly. Without these variables the JVM's own
 * proxy settings apply (java.net.useSystemProxies for the operating system's).
 */
public final class EnvProxySelector extends ProxySelector {
    private final Map<String, String> env;
    private final ProxySelector fallback;

    public EnvProxySelector(Map<String, String> env, ProxySelector fallback) {
        this.env = env;
        this.fallback = fallback;
    }

    /** The selector for this process. */
    public static ProxySelector fromEnvironment() {
        return new EnvProxySelector(System.getenv(), ProxySelector.getDefault());
    }

    private String variable(String name) {
        String v = env.get(name.toLowerCase(Locale.ROOT));
        if (v == null || v.isBlank()) {
            v = env.get(name.toUpperCase(Locale.ROOT));
        }
        return v == null || v.isBlank() ? null : v.trim();
    }

    @Override
    public List<Proxy> select(URI uri) {
        String host = uri.getHost() == null ? "" : uri.getHost().toLowerCase(Locale.ROOT);
        if (isLoopback(host) || excluded(host)) {
            return List.of(Proxy.NO_PROXY);
        }
        String setting = "https".equalsIgnoreCase(uri.getScheme()) ? variable("https_proxy") : variable("http_proxy");
        if (setting == null) {
            setting = variable("all_proxy");
        }
        if (setting == null) {
            List<Proxy> fromJvm = fallback == null ? null : fallback.select(uri);
            return fromJvm == null || fromJvm.isEmpty() ? List.of(Proxy.NO_PROXY) : fromJvm;
        }
        URI proxy = URI.create(setting.contains("://") ? setting : "http://" + setting);
        int port = proxy.getPort() > 0 ? proxy.getPort() : "https".equalsIgnoreCase(proxy.getScheme()) ? 443 : 80;
        Proxy.Type type = proxy.getScheme() != null && proxy.getScheme().toLowerCase(Locale.ROOT).startsWith("socks")
                ? Proxy.Type.SOCKS : Proxy.Type.HTTP;
        return List.of(new Proxy(type, InetSocketAddress.createUnresolved(proxy.getHost(), port)));
    }

    private static boolean isLoopback(String host) {
        return host.equals("localhost") || host.startsWith("127.") || host.equals("::1") || host.equals("[::1]");
    }

    private boolean excluded(String host) {
        String noProxy = variable("no_proxy");
        if (noProxy == null) {
            return false;
        }
        for (String entry : noProxy.split(",")) {
            String e = entry.trim().toLowerCase(Locale.ROOT);
            if (e.isEmpty()) {
                continue;
            }
            if (e.equals("*")) {
                return true;
            }
            String suffix = e.startsWith(".") ? e : "." + e;
            if (host.equals(e.replaceFirst("^\\.", "")) || host.endsWith(suffix)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void connectFailed(URI uri, SocketAddress sa, IOException ioe) {
        if (fallback != null) {
            fallback.connectFailed(uri, sa, ioe);
        }
    }
}
