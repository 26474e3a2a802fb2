package io.kaiyuan.engine.remote;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SecretsTest {
    @TempDir
    Path dir;

    @Test
    void keysAreKeptInAFileOnlyItsOwnerCanRead() throws Exception {
        Path file = dir.resolve("data/keys.json");
        Secrets secrets = new Secrets(file);
        assertEquals(Optional.empty(), secrets.get("deepseek"));
        secrets.put("deepseek", "sk-one");
        secrets.put("local-server", "sk-two");
        assertEquals(Optional.of("sk-one"), new Secrets(file).get("deepseek"), "read back from the file");
        if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        }
        secrets.put("deepseek", "");
        assertEquals(Optional.empty(), secrets.get("deepseek"), "an empty key removes it");
        assertEquals(Optional.of("sk-two"), secrets.get("local-server"), "the others stay");
        assertFalse(Files.exists(dir.resolve("data/keys.json.tmp")));
        assertFalse(secrets.toString().contains("sk-two"), "never printed");
    }

    @Test
    void aFileThatIsNotAKeyFileIsNamedAndNotOverwritten() throws Exception {
        Path file = dir.resolve("keys.json");
        Files.writeString(file, "not json");
        IOException e = assertThrows(IOException.class, () -> new Secrets(file).put("x", "y"));
        assertTrue(e.getMessage().contains("move it away"), e.getMessage());
        assertEquals("not json", Files.readString(file));
    }
}
