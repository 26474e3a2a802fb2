package io.kaiyuan.engine.download;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.URI;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EnvProxySelectorTest {
    private static String select(Map<String, String> env, String uri) {
        Proxy p = new EnvProxySelector(env, null).select(URI.create(uri)).get(0);
        if (p.type() == Proxy.Type.DIRECT) {
            return "direct";
        }
        InetSocketAddress a = (InetSocketAddress) p.address();
        return p.type() + " " + a.getHostString() + ":" + a.getPort();
    }

    @Test
    void schemeSpecificVariablesInEitherCase() {
        Map<String, String> env = Map.of("HTTPS_PROXY", "http://proxy.corp:3128", "http_proxy", "plain:8080");
        assertEquals("HTTP proxy.corp:3128", select(env, "https://huggingface.co/api/models"));
        assertEquals("HTTP plain:8080", select(env, "http://hf-mirror.com/x"));
        assertEquals("SOCKS s5:1080", select(Map.of("ALL_PROXY", "socks5://s5:1080"), "https://www.modelscope.cn/"));
        assertEquals("direct", select(Map.of(), "https://huggingface.co/"));
    }

    @Test
    void noProxyAndLoopbackGoDirect() {
        Map<String, String> env = Map.of("HTTPS_PROXY", "proxy:3128", "NO_PROXY", "modelscope.cn, .internal,hf-mirror.com");
        assertEquals("direct", select(env, "https://www.modelscope.cn/api"));
        assertEquals("direct", select(env, "https://hub.internal/x"));
        assertEquals("direct", select(env, "https://hf-mirror.com/x"));
        assertEquals("HTTP proxy:3128", select(env, "https://huggingface.co/x"));
        assertEquals("direct", select(env, "https://127.0.0.1:8080/x"));
        assertEquals("direct", select(env, "http://localhost:8080/x"));
        assertEquals("direct", select(Map.of("HTTPS_PROXY", "p:1", "no_proxy", "*"), "https://huggingface.co/"));
    }
}
