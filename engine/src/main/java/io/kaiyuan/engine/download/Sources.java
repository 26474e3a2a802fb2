package io.kaiyuan.engine.download;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** The sources a pull tries in order, from the name a user picks: the CLI's {@code --source} and the UI's selector. */
public final class Sources {
    /** The named sources; any http(s) base URL serving the Hugging Face paths is accepted too. */
    public static final List<String> NAMES = List.of("huggingface", "hf-mirror", "modelscope");

    private Sources() {}

    /**
     * The origins for {@code source}: {@code huggingface} (HF_ENDPOINT honoured) falls back to hf-mirror.com
     * unless HF_ENDPOINT is set, then to the ModelScope copy when one is known; {@code hf-mirror} and
     * {@code modelscope} are used alone; a base URL is a Hugging Face-style hub.
     *
     * @param hfRepo the repository on Hugging Face (and its mirrors)
     * @param modelScopeId the repository on ModelScope, when a copy is known there
     * @param revision a branch, tag or commit; empty for each hub's default (main; master on ModelScope)
     * @throws IllegalArgumentException for an unknown source name, with the accepted ones
     */
    public static List<Origin> origins(String source, Map<String, String> env, String hfRepo, Optional<String> modelScopeId,
            Optional<String> revision) {
        String s = source.trim().toLowerCase(Locale.ROOT);
        String hfRevision = revision.orElse("main");
        String msRevision = revision.orElse("master");
        List<Origin> out = new ArrayList<>();
        switch (s) {
            case "huggingface" -> {
                out.add(new Origin(HuggingFaceSource.fromEnvironment(env), hfRepo, hfRevision));
                if (!env.containsKey("HF_ENDPOINT")) {
                    // A fallback the user did not choose: their Hugging Face token stays with Hugging Face.
                    out.add(new Origin(HuggingFaceSource.mirror(env).withoutToken(), hfRepo, hfRevision));
                }
                modelScopeId.ifPresent(id -> out.add(new Origin(ModelScopeSource.fromEnvironment(env), id, msRevision)));
            }
            case "hf-mirror" -> out.add(new Origin(HuggingFaceSource.mirror(env), hfRepo, hfRevision));
            case "modelscope" -> out.add(new Origin(ModelScopeSource.fromEnvironment(env), modelScopeId.orElse(hfRepo),
                    msRevision));
            default -> {
                if (!s.startsWith("http://") && !s.startsWith("https://")) {
                    throw new IllegalArgumentException("Unknown source '" + source
                            + "': use huggingface, hf-mirror, modelscope or a base URL such as https://hf-mirror.com.");
                }
                out.add(new Origin(new HuggingFaceSource(source.trim(), URI.create(source.trim()),
                        Optional.ofNullable(env.get("HF_TOKEN")), proxies(env)), hfRepo, hfRevision));
            }
        }
        return out;
    }

    /**
     * The sources a name stands for, in the order they are tried: huggingface (HF_ENDPOINT honoured), then
     * hf-mirror.com without the token when HF_ENDPOINT is not set; hf-mirror; modelscope; or a base URL.
     * For searching.
     */
    public static List<HubSource> named(String source, Map<String, String> env) {
        return origins(source, env, "org/name", Optional.empty(), Optional.empty()).stream().map(Origin::source).toList();
    }

    /** The proxies of {@code env} (HTTPS_PROXY, HTTP_PROXY, ALL_PROXY, NO_PROXY, either case), else the JVM's. */
    static java.net.ProxySelector proxies(Map<String, String> env) {
        return new EnvProxySelector(env, java.net.ProxySelector.getDefault());
    }
}
