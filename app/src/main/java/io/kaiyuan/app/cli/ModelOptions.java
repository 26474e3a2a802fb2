package io.kaiyuan.app.cli;

import io.kaiyuan.app.paths.AppPaths;
import io.kaiyuan.engine.api.ExecutionProvider;
import io.kaiyuan.engine.api.ModelLoadException;
import io.kaiyuan.engine.generate.LanguageModel;
import io.kaiyuan.engine.model.Variant;
import java.nio.file.Files;
import java.nio.file.Path;
import io.kaiyuan.engine.model.ModelRegistry;
import java.util.Optional;
import picocli.CommandLine.Option;

/** Options shared by the commands that load a model. */
final class ModelOptions {
    @Option(names = "--model", required = true, paramLabel = "<folder|id>",
            description = "A model folder (onnx-community or ONNX Runtime GenAI layout) or the id of an installed model.")
    String model;

    @Option(names = "--variant", paramLabel = "V",
            description = "fp32, fp16, q4, q4f16, int8, uint8, quantized, bnb4 or genai (default: the best present for the"
                    + " provider).")
    String variant;

    @Option(names = "--provider", paramLabel = "P", defaultValue = "auto",
            description = "auto, cpu, cuda, directml or coreml (default: ${DEFAULT-VALUE}).")
    String provider;

    @Option(names = "--threads", paramLabel = "N", defaultValue = "0",
            description = "Intra-op threads; 0 lets ONNX Runtime choose (one per physical core).")
    int threads;

    @Option(names = "--exact", description = {"Run a 4-bit graph as exported (float32 compute) instead of rebuilt for the",
            "CPU (fused attention, int8 compute: faster; logits about 1-2%% apart)."})
    boolean exact;

    LanguageModel.LoadOptions loadOptions() {
        if (threads < 0) {
            throw new IllegalArgumentException("--threads must be 0 or more");
        }
        return new LanguageModel.LoadOptions(Optional.ofNullable(variant).map(Variant::parse),
                ExecutionProvider.parse(provider), threads, exact);
    }

    /** The folder of {@link #model}: a path, or an installed model's folder. */
    Path folder() {
        return new Locator(model).folder();
    }

    /** How results name the model: the installed id the user gave, else the folder's name. */
    String displayName(Path folder) {
        return Files.isDirectory(Path.of(model)) ? folder.getFileName().toString() : model;
    }

    /** Finds a model folder from what the user typed: a path, or an installed model's id. */
    record Locator(String model) {
        Path folder() {
            Path asPath = Path.of(model);
            if (Files.isDirectory(asPath)) {
                return asPath;
            }
            ModelRegistry registry = new ModelRegistry(AppPaths.fromEnvironment().models());
            Optional<ModelRegistry.InstalledModel> installed = looksLikeId(model) ? registry.find(model) : Optional.empty();
            if (installed.isPresent()) {
                return installed.get().dir();
            }
            throw new ModelLoadException("No model folder at '" + model + "', and no installed model with that id in "
                    + registry.modelsDir() + ". Give the path of a folder that holds config.json and onnx/, or see"
                    + " './kaiyuan models list'.");
        }

        private static boolean looksLikeId(String s) {
            return s.matches("[A-Za-z0-9][A-Za-z0-9._-]*(/[A-Za-z0-9][A-Za-z0-9._-]*)?");
        }
    }
}
