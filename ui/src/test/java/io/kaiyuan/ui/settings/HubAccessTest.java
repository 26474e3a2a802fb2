package io.kaiyuan.ui.settings;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** What downloads run with once tokens and a proxy are set in Settings. */
class HubAccessTest {
    @Test
    void settingsTakeThePlaceOfTheEnvironmentsOwnAndAnEmptyValueKeepsIt() {
        Map<String, String> env = Map.of("HF_TOKEN", "hf_env", "https_proxy", "http://env:1", "PATH", "/bin");
        Map<String, String> none = HubAccess.environment(env, HubAccess.Values.NONE);
        assertEquals(env, none);

        Map<String, String> set = HubAccess.environment(env, new HubAccess.Values(" hf_app ", "ms_app", "http://127.0.0.1:7890"));
        assertEquals("hf_app", set.get("HF_TOKEN"));
        assertEquals("ms_app", set.get("MODELSCOPE_API_TOKEN"));
        // Both spellings: the lower-case one is read first, as curl does.
        assertEquals("http://127.0.0.1:7890", set.get("https_proxy"));
        assertEquals("http://127.0.0.1:7890", set.get("HTTPS_PROXY"));
        assertEquals("http://127.0.0.1:7890", set.get("http_proxy"));
        assertEquals("/bin", set.get("PATH"));
    }

    @Test
    void aProxyIsAnAddress() {
        for (String ok : new String[] {"", "127.0.0.1:7890", "http://127.0.0.1:7890", "https://proxy.example.com",
            "socks5://127.0.0.1:1080", "http://user:pass@proxy:3128/"}) {
            assertTrue(HubAccess.validProxy(ok), ok);
        }
        for (String bad : new String[] {"my proxy", "ftp://x:21", "http://", "http://host:80/path", "://x"}) {
            assertFalse(HubAccess.validProxy(bad), bad);
        }
    }
}
