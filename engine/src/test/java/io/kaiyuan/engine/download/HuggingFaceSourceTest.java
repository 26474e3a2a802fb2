package io.kaiyuan.engine.download;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kaiyuan.engine.testing.HubTestServer;
import java.net.URI;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class HuggingFaceSourceTest {
    @Test
    void hfEndpointAndTokenAreHonoured() {
        HuggingFaceSource mirror = HuggingFaceSource.fromEnvironment(Map.of("HF_ENDPOINT", "https://hf-mirror.com/",
                "HF_TOKEN", "hf_abc"));
        assertEquals(URI.create("https://hf-mirror.com/onnx-community/Qwen3-0.6B-ONNX/resolve/"
                        + "0123456789abcdef0123456789abcdef01234567/onnx/model_q4f16.onnx"),
                mirror.fileUri("onnx-community/Qwen3-0.6B-ONNX", HubTestServer.COMMIT, "onnx/model_q4f16.onnx"));
        assertEquals(Map.of("Authorization", "Bearer hf_abc"), mirror.headers());
        HuggingFaceSource official = HuggingFaceSource.fromEnvironment(Map.of());
        assertTrue(official.fileUri("a/b", HubTestServer.COMMIT, "config.json").toString().startsWith("https://huggingface.co/a/b/"));
        assertEquals(Map.of(), official.headers());
    }

    @Test
    void pathsWithSpacesAndUnicodeAreQuoted() {
        HuggingFaceSource s = new HuggingFaceSource("hf", URI.create("http://127.0.0.1:1"), Optional.empty());
        assertEquals("http://127.0.0.1:1/a/b/resolve/main/onnx/my%20model%E6%A8%A1%E5%9E%8B.onnx",
                s.fileUri("a/b", "main", "onnx/my model模型.onnx").toString());
    }

    @Test
    void badRepositoryIdsAndHostilePathsAreRefused() {
        HuggingFaceSource s = new HuggingFaceSource("hf", URI.create("http://127.0.0.1:1"), Optional.empty());
        for (String repo : new String[] {"no-slash", "../x/y", "a/b/c", "a/..", "/a/b"}) {
            HubException e = assertThrows(HubException.class, () -> s.list(repo, "main"), repo);
            assertTrue(e.getMessage().contains("is not a repository id"), e.getMessage());
        }
        for (String path : new String[] {"../x", "a/../../x", "/etc/passwd", "a\\b", "C:/x", "a//b", "./a", ""}) {
            assertThrows(HubException.class, () -> SafePath.check(path), path);
        }
        assertEquals("onnx/model.onnx_data_1", SafePath.check("onnx/model.onnx_data_1"));
    }
}
