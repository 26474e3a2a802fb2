package io.kaiyuan.engine.model;

import java.util.List;
import java.util.Locale;

/**
 * The ONNX graph variants of the onnx-community layout, each one file under onnx/, and {@link #GENAI}: the one
 * graph of an ONNX Runtime GenAI folder, named by its genai_config.json.
 */
public enum Variant {
    FP32("model"),
    FP16("model_fp16"),
    Q4("model_q4"),
    Q4F16("model_q4f16"),
    INT8("model_int8"),
    UINT8("model_uint8"),
    QUANTIZED("model_quantized"),
    BNB4("model_bnb4"),
    /** The graph of an ONNX Runtime GenAI folder (genai_config.json beside it says which file). */
    GENAI("model");

    /** The variants of the transformers.js layout, whose graphs are {@code onnx/}{@link #fileName()}. */
    public static final List<Variant> ONNX_FOLDER = List.of(FP32, FP16, Q4, Q4F16, INT8, UINT8, QUANTIZED, BNB4);

    /** Preference when no variant is asked for and the model runs on the CPU. */
    public static final List<Variant> CPU_PREFERENCE = List.of(Q4, INT8, QUANTIZED, UINT8, FP32, BNB4, Q4F16, FP16, GENAI);
    /** Preference on a GPU provider. */
    public static final List<Variant> GPU_PREFERENCE = List.of(FP16, Q4F16, FP32, Q4, INT8, QUANTIZED, UINT8, BNB4, GENAI);

    private final String baseName;

    Variant(String baseName) {
        this.baseName = baseName;
    }

    /** The graph's file name under onnx/, e.g. {@code model_q4f16.onnx} (for {@link #GENAI}, genai_config.json names it). */
    public String fileName() {
        return baseName + ".onnx";
    }

    /**
     * Bytes per value of the KV cache the onnx-community exports of this variant use (float16 or float32); a GenAI
     * graph's cache is counted as float32 (its CPU builds), which over-counts a GPU build's float16 cache.
     */
    public int kvBytesPerValue() {
        return this == FP16 || this == Q4F16 ? 2 : 4;
    }

    /** The command-line name: fp32, fp16, q4, q4f16, int8, uint8, quantized, bnb4, genai. */
    public String cliName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Variant parse(String name) {
        for (Variant v : values()) {
            if (v.cliName().equalsIgnoreCase(name.trim())) {
                return v;
            }
        }
        throw new IllegalArgumentException(
                "Unknown variant '" + name + "': use fp32, fp16, q4, q4f16, int8, uint8, quantized, bnb4 or genai"
                        + " (an ONNX Runtime GenAI folder).");
    }
}
