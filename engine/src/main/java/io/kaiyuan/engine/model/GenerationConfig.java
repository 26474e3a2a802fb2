package io.kaiyuan.engine.model;

import com.fasterxml.jackson.databind.JsonNode;
import io.kaiyuan.engine.api.SamplingParams;
import java.util.LinkedHashSet;
import java.util.OptionalLong;
import java.util.Set;

/**
 * The model's defaults from generation_config.json (falling back to config.json for the eos ids).
 *
 * @param eosTokenIds every id that ends a generation ({@code eos_token_id} may be an int or a list)
 * @param sampling the default sampling settings
 */
public record GenerationConfig(Set<Integer> eosTokenIds, SamplingParams sampling) {

    public GenerationConfig {
        eosTokenIds = Set.copyOf(eosTokenIds);
    }

    static GenerationConfig parse(JsonNode generation, JsonNode config) {
        Set<Integer> eos = new LinkedHashSet<>();
        addIds(generation.path("eos_token_id"), eos);
        if (eos.isEmpty()) {
            addIds(config.path("eos_token_id"), eos);
        }
        SamplingParams sampling = new SamplingParams(
                generation.path("do_sample").asBoolean(false),
                generation.path("temperature").asDouble(1.0),
                generation.path("top_k").asInt(50),
                generation.path("top_p").asDouble(1.0),
                generation.path("min_p").asDouble(0.0),
                generation.path("repetition_penalty").asDouble(1.0),
                OptionalLong.empty());
        return new GenerationConfig(eos, sampling);
    }

    private static void addIds(JsonNode node, Set<Integer> into) {
        if (node.isArray()) {
            node.forEach(n -> into.add(n.asInt()));
        } else if (node.canConvertToInt()) {
            into.add(node.asInt());
        }
    }
}
