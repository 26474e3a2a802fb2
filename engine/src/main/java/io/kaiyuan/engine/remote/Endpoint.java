package io.kaiyuan.engine.remote;

import java.net.URI;
import java.util.Locale;

/**
 * An OpenAI-compatible endpoint the user added: a name for it and the API's base URL (the part before
 * {@code /chat/completions}, such as {@code https://api.deepseek.com/v1}). Its key is kept in the key file.
 */
public record Endpoint(String name, String baseUrl) {
    /** The prefix of remote model ids: {@code remote/<endpoint>/<model>}. */
    public static final String ID_PREFIX = "remote/";

    public Endpoint {
        name = name == null ? "" : name.strip();
        if (name.isEmpty() || name.contains("/") || name.length() > 64) {
            throw new IllegalArgumentException("An endpoint needs a name of 1 to 64 characters without '/'.");
        }
        baseUrl = baseUrl == null ? "" : baseUrl.strip();
        while (baseUrl.endsWith("/")) {
            baseUrl = baseUrl.substring(0, baseUrl.length() - 1);
        }
        URI uri;
        try {
            uri = URI.create(baseUrl);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + baseUrl + "' is not a URL: give the API's base URL, such as"
                    + " https://api.deepseek.com/v1.");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null) {
            throw new IllegalArgumentException("'" + baseUrl + "' is not an http(s) URL: give the API's base URL, such as"
                    + " https://api.deepseek.com/v1.");
        }
    }

    /** The key file entry of this endpoint's API key. */
    public String keyName() {
        return keyName(name);
    }

    /** The key file entry of the API key of the endpoint named {@code name}. */
    public static String keyName(String name) {
        return "endpoint:" + name;
    }

    /** The id a model of this endpoint has in the model pickers: {@code remote/<name>/<model>}. */
    public String modelId(String model) {
        return ID_PREFIX + name + "/" + model;
    }

    /** Whether {@code id} names a remote model. */
    public static boolean isRemote(String id) {
        return id != null && id.startsWith(ID_PREFIX) && id.indexOf('/', ID_PREFIX.length()) > ID_PREFIX.length();
    }

    /** The endpoint name in a remote model id. */
    public static String endpointOf(String id) {
        return id.substring(ID_PREFIX.length(), id.indexOf('/', ID_PREFIX.length()));
    }

    /** The endpoint's own model name in a remote model id (may contain '/'). */
    public static String modelOf(String id) {
        return id.substring(id.indexOf('/', ID_PREFIX.length()) + 1);
    }
}
