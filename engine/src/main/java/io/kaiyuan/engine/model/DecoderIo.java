package io.kaiyuan.engine.model;

import io.kaiyuan.engine.api.ModelLoadException;

/**
 * The names of a decoder graph's inputs and outputs, and how its KV cache is kept between runs.
 *
 * <p>The transformers.js/Optimum layout always uses the names of {@link #TRANSFORMERS_JS}; an ONNX Runtime
 * GenAI folder names them in its genai_config.json, with {@code %d} standing for the layer number.
 *
 * @param inputIds the token ids input
 * @param attentionMask the attention mask input
 * @param positionIds the position ids input, used when the graph has it
 * @param pastKey the past keys of a layer, with {@code %d} for the layer
 * @param pastValue the past values of a layer
 * @param logits the logits output
 * @param presentKey the present keys of a layer
 * @param presentValue the present values of a layer
 * @param shareBuffer whether past and present are one buffer, updated in place by the graph (GenAI's
 *     {@code past_present_share_buffer}): the same tensor is given as past input and as present output
 */
public record DecoderIo(String inputIds, String attentionMask, String positionIds, String pastKey, String pastValue,
        String logits, String presentKey, String presentValue, boolean shareBuffer) {

    /** Longest name or name pattern accepted from a genai_config.json. */
    static final int MAX_NAME = 256;

    /** The names every transformers.js/Optimum decoder export uses; present tensors are new each run. */
    public static final DecoderIo TRANSFORMERS_JS = new DecoderIo("input_ids", "attention_mask", "position_ids",
            "past_key_values.%d.key", "past_key_values.%d.value", "logits", "present.%d.key", "present.%d.value", false);

    public DecoderIo {
        for (String name : new String[] {inputIds, attentionMask, positionIds, logits}) {
            checkName(name, false);
        }
        for (String pattern : new String[] {pastKey, pastValue, presentKey, presentValue}) {
            checkName(pattern, true);
        }
    }

    private static void checkName(String name, boolean pattern) {
        if (name == null || name.isEmpty() || name.length() > MAX_NAME) {
            throw new ModelLoadException("A graph input or output name is missing or longer than " + MAX_NAME + " characters.");
        }
        int layer = name.indexOf("%d");
        if (pattern && (layer < 0 || name.indexOf("%d", layer + 2) >= 0)) {
            throw new ModelLoadException("'" + name + "' must hold %d exactly once, for the layer number.");
        }
        if (!pattern && layer >= 0) {
            throw new ModelLoadException("'" + name + "' names one tensor and cannot hold %d.");
        }
    }

    public String pastKey(int layer) {
        return pastKey.replace("%d", Integer.toString(layer));
    }

    public String pastValue(int layer) {
        return pastValue.replace("%d", Integer.toString(layer));
    }

    public String presentKey(int layer) {
        return presentKey.replace("%d", Integer.toString(layer));
    }

    public String presentValue(int layer) {
        return presentValue.replace("%d", Integer.toString(layer));
    }

    /** This with the past/present buffer shared or not. */
    public DecoderIo withShareBuffer(boolean share) {
        return new DecoderIo(inputIds, attentionMask, positionIds, pastKey, pastValue, logits, presentKey, presentValue, share);
    }
}
