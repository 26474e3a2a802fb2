package io.kaiyuan.ui.models;

import io.kaiyuan.engine.testing.HubTestServer;
import io.kaiyuan.engine.testing.TestModels;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/** A loopback hub serving the catalog's Qwen2.5-0.5B repository as a tiny model with a q4 graph. */
final class CatalogHub implements AutoCloseable {
    static final String ID = "qwen2.5-0.5b-instruct";
    static final String REPO = "onnx-community/Qwen2.5-0.5B-Instruct";
    final HubTestServer hub;

    CatalogHub(Path work) throws IOException {
        Path model = TestModels.withTokenizer(TestModels.chatSized().variantFile("model_q4"), work.resolve("served"));
        Map<String, byte[]> files = HubTestServer.filesOf(model);
        hub = new HubTestServer();
        hub.addRepo(REPO, files);
    }

    String url() {
        return hub.endpoint().toString();
    }

    @Override
    public void close() {
        hub.close();
    }
}
