package io.kaiyuan.engine.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kaiyuan.engine.api.ModelLoadException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A model folder in one of two layouts, each with tokenizer.json and tokenizer_config.json:
 * <ul>
 *   <li>the Hugging Face onnx-community (transformers.js/Optimum) layout: config.json, generation_config.json
 *       and onnx/&lt;variant&gt;.onnx with its external _data files;</li>
 *   <li>an ONNX Runtime GenAI folder: genai_config.json and the one graph it names (model.onnx with
 *       model.onnx.data), whose inputs and outputs it names too.</li>
 * </ul>
 * Opening it checks that every file is there and names the first one that is not.
 */
public final class ModelFolder {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** A model's JSON files are read up to this size; the largest real ones (tokenizer_config.json) are far smaller. */
    static final long MAX_JSON_BYTES = 16L << 20;

    private final Path dir;
    private final ModelConfig config;
    private final GenerationConfig generation;
    private final JsonNode tokenizerConfig;
    private final List<Variant> variants;
    /** The GenAI folder's configuration, or null in the onnx-community layout. */
    private final GenAiConfig genai;
    /** {@link #name()}, read once. */
    private volatile String name;

    private ModelFolder(Path dir, ModelConfig config, GenerationConfig generation, JsonNode tokenizerConfig,
            List<Variant> variants, GenAiConfig genai) {
        this.dir = dir;
        this.config = config;
        this.generation = generation;
        this.tokenizerConfig = tokenizerConfig;
        this.variants = List.copyOf(variants);
        this.genai = genai;
    }

    private JsonNode configJson;

    /** Opens and checks a folder; throws {@link ModelLoadException} with a message for the user. */
    public static ModelFolder open(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new ModelLoadException("No model folder at " + dir + ": give a folder that holds config.json and onnx/.");
        }
        if (Files.exists(dir.resolve(GenAiConfig.FILE))) {
            return openGenAi(dir);
        }
        JsonNode configJson = readJson(dir, "config.json", true);
        ModelConfig config = ModelConfig.parse(configJson, dir.resolve("config.json"));
        JsonNode generationJson = readJson(dir, "generation_config.json", false);
        GenerationConfig generation = GenerationConfig.parse(generationJson, configJson);
        requireFile(dir, "tokenizer.json");
        JsonNode tokenizerConfig = readJson(dir, "tokenizer_config.json", true);
        Path onnx = dir.resolve("onnx");
        List<Variant> present = new ArrayList<>();
        for (Variant v : Variant.ONNX_FOLDER) {
            if (Files.isRegularFile(onnx.resolve(v.fileName()))) {
                present.add(v);
            }
        }
        if (present.isEmpty()) {
            throw new ModelLoadException("No ONNX graph in " + onnx + ": expected one of onnx/model.onnx, onnx/model_q4.onnx,"
                    + " onnx/model_fp16.onnx, ... as in the onnx-community exports.");
        }
        ModelFolder folder = new ModelFolder(dir, config, generation, tokenizerConfig, present, null);
        folder.configJson = configJson;
        return folder;
    }

    /**
     * An ONNX Runtime GenAI folder: genai_config.json describes the graph; generation_config.json, when there,
     * gives the sampling defaults, else genai_config.json's search section does.
     */
    private static ModelFolder openGenAi(Path dir) {
        Path file = dir.resolve(GenAiConfig.FILE);
        GenAiConfig genai = GenAiConfig.parse(readJson(dir, GenAiConfig.FILE, true), file);
        JsonNode generationJson = readJson(dir, "generation_config.json", false);
        GenerationConfig generation = GenerationConfig.parse(generationJson.isEmpty() ? genai.generation() : generationJson,
                genai.generation());
        requireFile(dir, "tokenizer.json");
        JsonNode tokenizerConfig = readJson(dir, "tokenizer_config.json", true);
        if (!Files.isRegularFile(dir.resolve(genai.graphFile()))) {
            throw new ModelLoadException(genai.graphFile() + " is missing in " + dir + ": genai_config.json names it as the"
                    + " model's graph; download it from the model's repository.");
        }
        return new ModelFolder(dir, genai.config(), generation, tokenizerConfig, List.of(Variant.GENAI), genai);
    }

    private static void requireFile(Path dir, String name) {
        if (!Files.isRegularFile(dir.resolve(name))) {
            throw new ModelLoadException(name + " is missing in " + dir + ": download it from the model's repository.");
        }
    }

    private static JsonNode readJson(Path dir, String name, boolean required) {
        Path file = dir.resolve(name);
        if (!Files.isRegularFile(file)) {
            if (required) {
                requireFile(dir, name);
            }
            return JSON.createObjectNode();
        }
        try {
            if (Files.size(file) > MAX_JSON_BYTES) {
                throw new ModelLoadException(file + " is larger than " + (MAX_JSON_BYTES >> 20) + " MiB, which no model's "
                        + name + " is: download it again from the model's repository.");
            }
            JsonNode node = JSON.readTree(file.toFile());
            if (node == null || !node.isObject()) {
                throw new ModelLoadException(file + " is not a JSON object.");
            }
            return node;
        } catch (IOException e) {
            throw new ModelLoadException(file + " is not valid JSON: " + e.getMessage(), e);
        }
    }

    public Path dir() {
        return dir;
    }

    /** config.json as read, or null for a GenAI folder (which has none). */
    public JsonNode configJson() {
        return configJson == null ? null : configJson.deepCopy();
    }

    public ModelConfig config() {
        return config;
    }

    public GenerationConfig generation() {
        return generation;
    }

    /** tokenizer_config.json as read (chat_template, special tokens). */
    public JsonNode tokenizerConfig() {
        return tokenizerConfig;
    }

    /** Whether this is an ONNX Runtime GenAI folder (genai_config.json), whose one variant is {@link Variant#GENAI}. */
    public boolean isGenAi() {
        return genai != null;
    }

    /** The graph's input and output names and how its KV cache is kept. */
    public DecoderIo io() {
        return genai != null ? genai.io() : DecoderIo.TRANSFORMERS_JS;
    }

    /** The variants whose graph is present, in {@link Variant} order. */
    public List<Variant> variants() {
        return variants;
    }

    /**
     * The variant to run: the one asked for (which must be present), else the first present in the
     * provider's preference order.
     */
    public Variant chooseVariant(Optional<Variant> requested, boolean gpu) {
        if (requested.isPresent()) {
            Variant v = requested.get();
            if (!variants.contains(v)) {
                String where = v == Variant.GENAI ? "an ONNX Runtime GenAI graph" : "onnx/" + v.fileName();
                throw new ModelLoadException("Variant " + v.cliName() + " (" + where + ") is not in " + dir
                        + "; present: " + String.join(", ", variants.stream().map(Variant::cliName).toList()) + ".");
            }
            return v;
        }
        for (Variant v : gpu ? Variant.GPU_PREFERENCE : Variant.CPU_PREFERENCE) {
            if (variants.contains(v)) {
                return v;
            }
        }
        throw new IllegalStateException("no variant present");
    }

    /** The graph file of a variant. */
    public Path graphFile(Variant variant) {
        if (variant == Variant.GENAI) {
            if (genai == null) {
                throw new IllegalArgumentException(dir + " is not an ONNX Runtime GenAI folder");
            }
            return dir.resolve(genai.graphFile());
        }
        return dir.resolve("onnx").resolve(variant.fileName());
    }

    /**
     * Bytes of a variant's graph with its external data files ({@code model.onnx}, {@code model.onnx_data}, ... or
     * a GenAI folder's {@code model.onnx.data}).
     */
    public long weightsBytes(Variant variant) {
        Path graph = graphFile(variant);
        String name = graph.getFileName().toString();
        long bytes = 0;
        try (var files = java.nio.file.Files.list(graph.getParent())) {
            // (not Kaiyuan's own rewrites beside the graph, which are kilobytes reading the same weights)
            for (Path f : files.filter(f -> f.getFileName().toString().startsWith(name)
                    && !f.getFileName().toString().contains(".kaiyuan-")).toList()) {
                bytes += java.nio.file.Files.size(f);
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return bytes;
    }

    /** The memory a variant needs at {@code contextTokens}: its weights, KV cache and working memory. */
    public MemoryFit.Estimate memoryEstimate(Variant variant, int contextTokens, long availableBytes) {
        return MemoryFit.estimate(weightsBytes(variant), config(), variant.kvBytesPerValue(),
                Math.min(contextTokens, config().maxPositions()), availableBytes);
    }

    /**
     * The model's name in messages: its installed id (from the install manifest, so {@code org/name}) when
     * it has one, else the folder's name.
     */
    public String name() {
        String id = name;
        if (id == null) {
            id = displayName(dir);
            name = id;
        }
        return id;
    }

    /** {@link #name()} of any folder: the installed id its manifest names, else the folder's name. */
    public static String displayName(Path dir) {
        try {
            Optional<String> id = ModelRegistry.installedAt(dir).map(ModelRegistry.InstalledModel::id);
            if (id.isPresent()) {
                return id.get();
            }
        } catch (RuntimeException unreadableManifest) {
            // named by its folder
        }
        Path name = dir.toAbsolutePath().normalize().getFileName();
        return name == null ? dir.toString() : name.toString();
    }
}
