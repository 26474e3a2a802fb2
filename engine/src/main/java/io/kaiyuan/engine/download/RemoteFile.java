package io.kaiyuan.engine.download;

import java.util.Optional;

/**
 * A file of a repository at one commit.
 *
 * @param path its path in the repository, checked by {@link SafePath}
 * @param size bytes
 * @param sha256 the content's sha256 when the hub gives it (LFS files)
 */
public record RemoteFile(String path, long size, Optional<String> sha256) {
    public RemoteFile {
        SafePath.check(path);
        if (size < 0) {
            throw new IllegalArgumentException("negative size for " + path);
        }
    }
}
