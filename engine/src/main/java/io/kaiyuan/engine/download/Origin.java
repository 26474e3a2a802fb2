package io.kaiyuan.engine.download;

/**
 * Where a model can come from: a source, the repository's id there (ids differ between Hugging Face and
 * ModelScope), and the revision to ask for (a branch or tag until listed, then the exact commit).
 */
public record Origin(HubSource source, String repo, String revision) {
    /** The same origin pinned to a listed commit. */
    public Origin at(String commit) {
        return new Origin(source, repo, commit);
    }
}
