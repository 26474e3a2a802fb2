package io.kaiyuan.engine.ort;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OrtProvider;
import io.kaiyuan.engine.api.ExecutionProvider;
import io.kaiyuan.engine.testing.TinyQwen;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OrtRuntimeTest {
    @TempDir
    Path tmp;

    @Test
    void cpuIsAlwaysListed() {
        assertTrue(new OrtRuntime().availableProviders().contains(ExecutionProvider.CPU));
    }

    @Test
    void autoRunsOnTheCpuWhenNoGpuProviderIsPresent() throws Exception {
        Path graph = TinyQwen.build(TinyQwen.qwen2(), tmp).resolve("onnx/model.onnx");
        OrtRuntime runtime = new OrtRuntime(() -> EnumSet.of(OrtProvider.CPU));
        OrtRuntime.OpenedSession opened = runtime.open(graph, ExecutionProvider.AUTO, 1);
        try (var session = opened.session()) {
            assertEquals(ExecutionProvider.CPU, opened.provider());
        }
    }

    @Test
    void autoFallsBackToTheCpuWhenAGpuProviderFailsToStart() throws Exception {
        Path graph = TinyQwen.build(TinyQwen.qwen2(), tmp).resolve("onnx/model.onnx");
        // Claim CUDA is compiled in although this build has only the CPU provider: adding it fails.
        Set<OrtProvider> claimed = EnumSet.of(OrtProvider.CPU, OrtProvider.CUDA);
        OrtRuntime runtime = new OrtRuntime(() -> claimed);
        if (new OrtRuntime().availableProviders().contains(ExecutionProvider.CUDA)) {
            return; // a real CUDA build: nothing to fall back from
        }
        OrtRuntime.OpenedSession opened = runtime.open(graph, ExecutionProvider.AUTO, 1);
        try (var session = opened.session()) {
            assertEquals(ExecutionProvider.CPU, opened.provider());
        }
        ProviderUnavailableException e = assertThrows(ProviderUnavailableException.class,
                () -> runtime.open(graph, ExecutionProvider.CUDA, 1));
        assertTrue(e.getMessage().contains("did not start") && e.getMessage().contains("cuDNN 9"), e.getMessage());
    }

    @Test
    void missingProviderSaysWhatToInstall() throws Exception {
        Path graph = TinyQwen.build(TinyQwen.qwen2(), tmp).resolve("onnx/model.onnx");
        OrtRuntime runtime = new OrtRuntime(() -> EnumSet.of(OrtProvider.CPU));
        ProviderUnavailableException cuda = assertThrows(ProviderUnavailableException.class,
                () -> runtime.open(graph, ExecutionProvider.CUDA, 1));
        assertTrue(cuda.getMessage().contains("mvn -B verify -P cuda"), cuda.getMessage());
        ProviderUnavailableException dml = assertThrows(ProviderUnavailableException.class,
                () -> runtime.open(graph, ExecutionProvider.DIRECTML, 1));
        assertTrue(dml.getMessage().contains("DirectML"), dml.getMessage());
        ProviderUnavailableException coreml = assertThrows(ProviderUnavailableException.class,
                () -> runtime.open(graph, ExecutionProvider.COREML, 1));
        assertTrue(coreml.getMessage().contains("macOS"), coreml.getMessage());
    }
}
