package io.kaiyuan.engine.download;

import java.util.List;

/** A repository's files at one commit. */
public record RepoListing(String repo, String commit, List<RemoteFile> files) {
    public RepoListing {
        files = List.copyOf(files);
    }
}
