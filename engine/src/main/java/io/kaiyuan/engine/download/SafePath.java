package io.kaiyuan.engine.download;

/** Refuses remote paths that could escape the model's folder. */
public final class SafePath {
    private SafePath() {}

    /** Throws {@link HubException} for an empty or absolute path, a backslash, or a {@code ..} segment. */
    public static String check(String path) {
        if (path == null || path.isEmpty() || path.startsWith("/") || path.contains("\\") || path.contains("\0")
                || path.matches("^[A-Za-z]:.*")) {
            throw new HubException("Refusing the remote path '" + path + "': it is absolute or contains a backslash.", false);
        }
        for (String segment : path.split("/", -1)) {
            if (segment.equals("..") || segment.equals(".") || segment.isEmpty()) {
                throw new HubException("Refusing the remote path '" + path + "': it leaves the model's folder.", false);
            }
        }
        return path;
    }
}
