package io.kaiyuan.engine.download;

import java.util.List;
import java.util.Optional;

/**
 * A repository as a hub's search lists it.
 *
 * @param repo its id, org/name
 * @param downloads downloads the hub counts (last 30 days on Hugging Face)
 * @param likes likes
 * @param lastModified when it last changed (ISO-8601), when the hub says
 * @param tags the hub's tags ({@code license:apache-2.0}, {@code onnx}, ...)
 */
public record RepoSummary(String repo, long downloads, long likes, Optional<String> lastModified, List<String> tags) {
    public RepoSummary {
        tags = List.copyOf(tags);
    }

    /** The licence its tags name ({@code license:apache-2.0} → {@code apache-2.0}). */
    public Optional<String> licence() {
        return tags.stream().filter(t -> t.startsWith("license:")).map(t -> t.substring("license:".length())).findFirst();
    }
}
