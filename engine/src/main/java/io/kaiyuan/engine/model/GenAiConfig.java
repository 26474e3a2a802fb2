package io.kaiyuan.engine.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kaiyuan.engine.api.ModelLoadException;
import java.nio.file.Path;

/**
 * What Kaiyuan reads from an ONNX Runtime GenAI folder's genai_config.json: the decoder graph's file, its
 * shape, the names of its inputs and outputs, the end-of-sequence ids and the search defaults.
 *
 * @param graphFile {@code model.decoder.filename}: a file name in the folder, never a path
 * @param config the decoder's shape ({@code model.decoder.*}, {@code model.vocab_size},
 *     {@code model.context_length})
 * @param io the graph's input and output names and {@code search.past_present_share_buffer}
 * @param generation {@code model.eos_token_id} and {@code search.*} in the form of a generation_config.json,
 *     for a folder that has none
 */
public record GenAiConfig(String graphFile, ModelConfig config, DecoderIo io, ObjectNode generation) {

    /** The file that marks a folder as an ONNX Runtime GenAI export. */
    public static final String FILE = "genai_config.json";
    /** Bounds on the shape numbers, far above any real decoder and far below what would overflow. */
    private static final int MAX_LAYERS = 1024;
    private static final int MAX_HEADS = 1024;
    private static final int MAX_HEAD_SIZE = 4096;
    private static final int MAX_VOCAB = 4 << 20;
    private static final int MAX_CONTEXT = 16 << 20;

    /** Reads the parsed genai_config.json {@code json} of {@code file}; throws {@link ModelLoadException} naming the field. */
    public static GenAiConfig parse(JsonNode json, Path file) {
        JsonNode model = json.path("model");
        JsonNode decoder = model.path("decoder");
        if (!decoder.isObject()) {
            throw new ModelLoadException(file + " has no \"model.decoder\" section: it is not a decoder's genai_config.json.");
        }
        String graph = text(decoder, "filename", file, "model.decoder.filename");
        if (graph.isEmpty() || graph.length() > DecoderIo.MAX_NAME || graph.equals(".") || graph.equals("..")
                || graph.contains("/") || graph.contains("\\") || graph.indexOf(':') >= 0 || !graph.endsWith(".onnx")) {
            throw new ModelLoadException(file + ": \"model.decoder.filename\" must name an .onnx file in the folder itself,"
                    + " not \"" + shorten(graph) + "\".");
        }
        int layers = number(decoder, "num_hidden_layers", file, 1, MAX_LAYERS);
        int heads = number(decoder, "num_attention_heads", file, 1, MAX_HEADS);
        int kvHeads = decoder.has("num_key_value_heads") ? number(decoder, "num_key_value_heads", file, 1, MAX_HEADS) : heads;
        int headSize;
        if (decoder.has("head_size")) {
            headSize = number(decoder, "head_size", file, 1, MAX_HEAD_SIZE);
        } else {
            headSize = number(decoder, "hidden_size", file, 1, MAX_HEADS * MAX_HEAD_SIZE) / heads;
        }
        int vocab = number(model, "vocab_size", file, 1, MAX_VOCAB);
        int context = model.has("context_length") ? number(model, "context_length", file, 1, MAX_CONTEXT) : 32768;
        String type = model.path("type").isTextual() ? shorten(model.get("type").asText()) : "";
        ModelConfig config = new ModelConfig(type, layers, heads, kvHeads, headSize, vocab, context);

        JsonNode inputs = decoder.path("inputs");
        JsonNode outputs = decoder.path("outputs");
        DecoderIo d = DecoderIo.TRANSFORMERS_JS;
        DecoderIo io;
        try {
            io = new DecoderIo(
                    name(inputs, "input_ids", d.inputIds(), file),
                    name(inputs, "attention_mask", d.attentionMask(), file),
                    name(inputs, "position_ids", d.positionIds(), file),
                    name(inputs, "past_key_names", d.pastKey(), file),
                    name(inputs, "past_value_names", d.pastValue(), file),
                    name(outputs, "logits", d.logits(), file),
                    name(outputs, "present_key_names", d.presentKey(), file),
                    name(outputs, "present_value_names", d.presentValue(), file),
                    json.path("search").path("past_present_share_buffer").asBoolean(false));
        } catch (ModelLoadException e) {
            throw new ModelLoadException(file + ": " + e.getMessage(), e);
        }

        ObjectNode generation = JsonNodeFactory.instance.objectNode();
        JsonNode eos = model.get("eos_token_id");
        if (eos != null && (eos.canConvertToInt() || eos.isArray() && eos.size() <= 64)) {
            generation.set("eos_token_id", eos);
        }
        JsonNode search = json.path("search");
        for (String field : new String[] {"do_sample", "temperature", "top_k", "top_p", "repetition_penalty"}) {
            JsonNode value = search.get(field);
            if (value != null && (value.isNumber() || value.isBoolean())) {
                generation.set(field, value);
            }
        }
        return new GenAiConfig(graph, config, io, generation);
    }

    private static String text(JsonNode node, String field, Path file, String path) {
        JsonNode n = node.get(field);
        if (n == null || !n.isTextual()) {
            throw new ModelLoadException(file + " has no text \"" + path + "\".");
        }
        return n.asText();
    }

    private static int number(JsonNode node, String field, Path file, int min, int max) {
        JsonNode n = node.get(field);
        if (n == null || !n.canConvertToInt() || !n.isIntegralNumber() || n.asInt() < min || n.asInt() > max) {
            throw new ModelLoadException(file + " has no whole number \"" + field + "\" from " + min + " to " + max
                    + (n == null ? "" : " (it says " + shorten(n.toString()) + ")") + ".");
        }
        return n.asInt();
    }

    /** The name {@code inputs.field} gives, or the usual name when it gives none. */
    private static String name(JsonNode section, String field, String usual, Path file) {
        JsonNode n = section.get(field);
        if (n == null || n.isNull()) {
            return usual;
        }
        if (!n.isTextual()) {
            throw new ModelLoadException(file + ": \"" + field + "\" must be a name, not " + shorten(n.toString()) + ".");
        }
        return n.asText();
    }

    private static String shorten(String s) {
        return s.length() <= 80 ? s : s.substring(0, 80) + "…";
    }
}
