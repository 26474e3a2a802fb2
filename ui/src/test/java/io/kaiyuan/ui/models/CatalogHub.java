package io.kaiyuan.ui.models;

import io.kaiyuan.engine.testing.HubTestServer;
import io.kaiyuan.engine.testing.TestModels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

/** A loopback hub serving the catalog's Qwen2.5-0.5B repository as a tiny model with a q4 graph. */
final class CatalogHub implements AutoCloseable {
    static final String ID = "qwen2.5-0.5b-instruct";
    static final String REPO = "onnx-community/Qwen2.5-0.5B-Instruct";
    final HubTestServer hub;

    CatalogHub(Path work) throws IOException {
        Path model = TestModels.withTokenizer(TestModels.chatSized().variantFile("model_q4"), work.resolve("served"));
        Map<String, byte[]> files = new LinkedHashMap<>();
        try (Stream<Path> walk = Files.walk(model)) {
            for (Path f : walk.filter(Files::isRegularFile).toList()) {
                files.put(model.relativize(f).toString().replace('\\', '/'), Files.readAllBytes(f));
            }
        }
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
