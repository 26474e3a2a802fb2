package io.kaiyuan.engine.testing;

import java.nio.file.Files;
import java.nio.file.Path;

/** The shared reference facts beside the repository ({@code ../shared/reference}); CI has them. */
public final class Reference {
    private Reference() {}

    /** The reference folder; a test that needs it fails (never skips) when it is missing. */
    public static Path dir() {
        Path dir = Path.of("").toAbsolutePath();
        for (int i = 0; i < 3 && dir != null; i++, dir = dir.getParent()) {
            Path candidate = dir.resolve("../shared/reference").normalize();
            if (Files.isDirectory(candidate)) {
                return candidate;
            }
        }
        throw new AssertionError("../shared/reference is missing beside the repository: the catalog and template"
                + " reference tests read it");
    }
}
