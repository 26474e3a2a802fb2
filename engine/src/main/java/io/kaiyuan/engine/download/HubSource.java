package io.kaiyuan.engine.download;

import java.net.URI;
import java.util.Map;

/** One place models can be downloaded from: Hugging Face, a mirror of it, or ModelScope. */
public interface HubSource {
    /** A short name for messages: huggingface, hf-mirror, modelscope, or the base URL. */
    String name();

    /** The files of {@code repo} at {@code revision} (a branch, tag or commit), and the commit it is. */
    RepoListing list(String repo, String revision);

    /**
     * Repositories whose name matches {@code query} that may hold ONNX models, most downloaded first, at most
     * {@code limit}.
     *
     * @throws HubException when the source cannot be searched (or reached)
     */
    default java.util.List<RepoSummary> search(String query, int limit) {
        throw new HubException(HubException.Kind.OTHER, name(), name() + " cannot be searched from Kaiyuan yet: search"
                + " Hugging Face or hf-mirror, or pull a repository by its id.", false);
    }

    /** The revision a repository is read at when none is given: main (master on ModelScope). */
    default String defaultRevision() {
        return "main";
    }

    /** Where one file of a listed commit is downloaded from. */
    URI fileUri(String repo, String commit, String path);

    /** The address the user configured for this source: its headers go to its scheme, host and port only. */
    URI endpoint();

    /** Headers to send to this source's own host (authorization); never sent to another host. */
    Map<String, String> headers();

    /**
     * The proxies for this source's requests: those of the environment it was made from (HTTPS_PROXY,
     * HTTP_PROXY, NO_PROXY, ...), else the JVM's.
     */
    default java.net.ProxySelector proxies() {
        return HttpSupport.PROXIES;
    }

    /**
     * Whether a token the user gave for another source is held back from this one (a fallback the user did
     * not choose): a gated model then fails here, and the progress says the source runs without it.
     */
    default boolean tokenWithheld() {
        return false;
    }
}
