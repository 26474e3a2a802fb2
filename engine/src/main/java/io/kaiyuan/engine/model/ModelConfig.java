package io.kaiyuan.engine.model;

import com.fasterxml.jackson.databind.JsonNode;
import io.kaiyuan.engine.api.ModelLoadException;
import java.nio.file.Path;

/**
 * The fields of config.json that the engine checks the graph against.
 *
 * @param modelType e.g. qwen2, qwen3
 * @param layers num_hidden_layers
 * @param heads num_attention_heads
 * @param kvHeads num_key_value_heads (heads when absent)
 * @param headDim head_dim when present (Qwen3), else hidden_size / heads
 * @param vocabSize vocab_size
 * @param maxPositions max_position_embeddings: the context limit
 */
public record ModelConfig(
        String modelType, int layers, int heads, int kvHeads, int headDim, int vocabSize, int maxPositions) {

    public static ModelConfig parse(JsonNode json, Path file) {
        String type = json.path("model_type").asText("");
        int layers = required(json, "num_hidden_layers", file);
        int heads = required(json, "num_attention_heads", file);
        int hidden = required(json, "hidden_size", file);
        int kvHeads = json.path("num_key_value_heads").asInt(heads);
        int headDim = json.hasNonNull("head_dim") ? json.get("head_dim").asInt() : hidden / heads;
        int vocab = required(json, "vocab_size", file);
        int maxPositions = json.path("max_position_embeddings").asInt(32768);
        return new ModelConfig(type, layers, heads, kvHeads, headDim, vocab, maxPositions);
    }

    private static int required(JsonNode json, String field, Path file) {
        JsonNode n = json.get(field);
        if (n == null || !n.canConvertToInt()) {
            throw new ModelLoadException(file + " has no integer \"" + field + "\": this does not look like a decoder's config.");
        }
        return n.asInt();
    }
}
