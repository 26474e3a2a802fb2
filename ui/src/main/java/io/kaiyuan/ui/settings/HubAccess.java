package io.kaiyuan.ui.settings;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * What downloads need from Settings: the Hugging Face and ModelScope access tokens and a proxy. Kept with
 * the API keys (a file only its owner can read, since a proxy address may hold a password); implemented in
 * the app's wiring.
 */
public interface HubAccess {
    /** The values as the page shows them; empty for none. */
    record Values(String huggingFaceToken, String modelScopeToken, String proxy) {
        public static final Values NONE = new Values("", "", "");

        public Values {
            huggingFaceToken = huggingFaceToken == null ? "" : huggingFaceToken.strip();
            modelScopeToken = modelScopeToken == null ? "" : modelScopeToken.strip();
            proxy = proxy == null ? "" : proxy.strip();
        }
    }

    /** The stored values. Reads the key file: call off the FX thread. */
    Values load() throws IOException;

    /** Stores the values (an empty one removes its entry). Writes the key file: call off the FX thread. */
    void save(Values values) throws IOException;

    /**
     * The environment downloads run with: {@code env} with the values set in Settings in place of HF_TOKEN,
     * MODELSCOPE_API_TOKEN and the proxy variables (both cases, as tools read either); a value left empty
     * keeps the environment's own.
     */
    static Map<String, String> environment(Map<String, String> env, Values values) {
        Map<String, String> out = new HashMap<>(env);
        if (!values.huggingFaceToken().isEmpty()) {
            out.put("HF_TOKEN", values.huggingFaceToken());
        }
        if (!values.modelScopeToken().isEmpty()) {
            out.put("MODELSCOPE_API_TOKEN", values.modelScopeToken());
        }
        if (!values.proxy().isEmpty()) {
            for (String name : new String[] {"HTTPS_PROXY", "HTTP_PROXY"}) {
                out.put(name, values.proxy());
                out.put(name.toLowerCase(Locale.ROOT), values.proxy());
            }
        }
        return out;
    }

    /** Whether {@code proxy} is empty or a proxy address: host:port, or http, https or socks with a host. */
    static boolean validProxy(String proxy) {
        String p = proxy == null ? "" : proxy.strip();
        if (p.isEmpty()) {
            return true;
        }
        if (p.chars().anyMatch(Character::isWhitespace)) {
            return false;
        }
        try {
            URI uri = new URI(p.contains("://") ? p : "http://" + p);
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            return Set.of("http", "https", "socks", "socks5", "socks5h").contains(scheme) && uri.getHost() != null
                    && (uri.getPath() == null || uri.getPath().isEmpty() || uri.getPath().equals("/"));
        } catch (URISyntaxException e) {
            return false;
        }
    }
}
