package io.kaiyuan.app.wiring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kaiyuan.engine.remote.Secrets;
import io.kaiyuan.ui.settings.HubAccess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The download tokens and proxy from Settings: kept in the key file, read again at start, and what downloads run with. */
class KeyFileHubAccessTest {
    @TempDir
    Path dir;

    @Test
    void savedValuesAreKeptInTheKeyFileAndDownloadsRunWithThem() throws Exception {
        Path keys = dir.resolve("keys.json");
        Map<String, String> env = Map.of("HF_TOKEN", "hf_env", "HOME", "/home/u");
        KeyFileHubAccess access = new KeyFileHubAccess(new Secrets(keys), env);
        assertEquals(HubAccess.Values.NONE, access.load());
        assertEquals("hf_env", access.environment().get("HF_TOKEN"), "the environment's own until Settings has one");

        access.save(new HubAccess.Values("hf_app", "ms_app", "http://127.0.0.1:7890"));
        assertEquals("hf_app", access.environment().get("HF_TOKEN"));
        assertEquals("ms_app", access.environment().get("MODELSCOPE_API_TOKEN"));
        assertEquals("http://127.0.0.1:7890", access.environment().get("HTTPS_PROXY"));
        assertEquals("/home/u", access.environment().get("HOME"));
        if (Files.getFileAttributeView(keys, java.nio.file.attribute.PosixFileAttributeView.class) != null) {
            assertEquals(Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE), Files.getPosixFilePermissions(keys),
                    "only its owner reads the tokens");
        }

        // The next start reads them again; an emptied value goes from the file.
        KeyFileHubAccess again = new KeyFileHubAccess(new Secrets(keys), env);
        assertEquals(new HubAccess.Values("hf_app", "ms_app", "http://127.0.0.1:7890"), again.load());
        again.save(new HubAccess.Values("", "ms_app", ""));
        assertFalse(Files.readString(keys).contains("hf_app"));
        assertEquals("hf_env", again.environment().get("HF_TOKEN"));
        assertFalse(again.environment().containsKey("HTTPS_PROXY"));

        assertThrows(IllegalArgumentException.class, () -> again.save(new HubAccess.Values("", "", "not a proxy")));
        assertTrue(Files.readString(keys).contains("ms_app"), "a refused value changes nothing");
    }
}
