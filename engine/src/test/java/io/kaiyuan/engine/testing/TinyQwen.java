package io.kaiyuan.engine.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kaiyuan.engine.onnx.OnnxGraph;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Builds tiny random-weight Qwen2- and Qwen3-shaped decoders in the Hugging Face "onnx-community"
 * layout (config.json, generation_config.json, onnx/&lt;variant&gt;.onnx), with the graph I/O that
 * Optimum exports: input_ids, attention_mask, optional position_ids, past_key_values.N.key/value
 * (float32 or float16), optional num_logits_to_keep; outputs logits and present.N.key/value (float16
 * logits with a float16 cache, as the fp16 and q4f16 exports have).
 *
 * <p>Deterministic: the same spec and seed give the same bytes. With a float16 KV cache the new keys
 * and values are rounded through float16 before attention, so a cached run computes exactly what a
 * run without a cache computes.
 */
public final class TinyQwen {

    /** What to build. Use {@link #qwen2()}, {@link #qwen3()} or {@link #glm()} and the with-methods. */
    public record Spec(
            String modelType,
            int layers,
            int hidden,
            int heads,
            int kvHeads,
            int headDim,
            int intermediate,
            int vocab,
            int maxPositions,
            boolean positionIds,
            boolean fp16Kv,
            boolean logitsToKeep,
            boolean externalData,
            String variantFile,
            long seed,
            Map<String, Object> generationConfig,
            Quant quant,
            int accuracyLevel) {

        /**
         * 4-bit weights as the onnx-community q4 exports have them (ONNX Runtime's MatMul4BitsQuantizer, symmetric,
         * block 32: the linear layers and the LM head; the embedding stays float32), or the same values as floats.
         */
        public Spec quant(Quant q) {
            return new Spec(modelType, layers, hidden, heads, kvHeads, headDim, intermediate, vocab, maxPositions,
                    positionIds, fp16Kv, logitsToKeep, externalData, variantFile, seed, generationConfig, q, accuracyLevel);
        }

        /** MatMulNBits' accuracy_level (0: float32 compute, as the exports; 4: int8 compute). */
        public Spec accuracyLevel(int level) {
            return new Spec(modelType, layers, hidden, heads, kvHeads, headDim, intermediate, vocab, maxPositions,
                    positionIds, fp16Kv, logitsToKeep, externalData, variantFile, seed, generationConfig, quant, level);
        }

        public Spec layers(int n) {
            return new Spec(modelType, n, hidden, heads, kvHeads, headDim, intermediate, vocab, maxPositions,
                    positionIds, fp16Kv, logitsToKeep, externalData, variantFile, seed, generationConfig, quant, accuracyLevel);
        }

        public Spec dims(int hidden, int heads, int kvHeads, int headDim, int intermediate) {
            return new Spec(modelType, layers, hidden, heads, kvHeads, headDim, intermediate, vocab, maxPositions,
                    positionIds, fp16Kv, logitsToKeep, externalData, variantFile, seed, generationConfig, quant, accuracyLevel);
        }

        public Spec vocab(int n) {
            return new Spec(modelType, layers, hidden, heads, kvHeads, headDim, intermediate, n, maxPositions,
                    positionIds, fp16Kv, logitsToKeep, externalData, variantFile, seed, generationConfig, quant, accuracyLevel);
        }

        public Spec maxPositions(int n) {
            return new Spec(modelType, layers, hidden, heads, kvHeads, headDim, intermediate, vocab, n,
                    positionIds, fp16Kv, logitsToKeep, externalData, variantFile, seed, generationConfig, quant, accuracyLevel);
        }

        public Spec positionIds(boolean on) {
            return new Spec(modelType, layers, hidden, heads, kvHeads, headDim, intermediate, vocab, maxPositions,
                    on, fp16Kv, logitsToKeep, externalData, variantFile, seed, generationConfig, quant, accuracyLevel);
        }

        public Spec fp16Kv(boolean on) {
            return new Spec(modelType, layers, hidden, heads, kvHeads, headDim, intermediate, vocab, maxPositions,
                    positionIds, on, logitsToKeep, externalData, variantFile, seed, generationConfig, quant, accuracyLevel);
        }

        public Spec logitsToKeep(boolean on) {
            return new Spec(modelType, layers, hidden, heads, kvHeads, headDim, intermediate, vocab, maxPositions,
                    positionIds, fp16Kv, on, externalData, variantFile, seed, generationConfig, quant, accuracyLevel);
        }

        public Spec externalData(boolean on) {
            return new Spec(modelType, layers, hidden, heads, kvHeads, headDim, intermediate, vocab, maxPositions,
                    positionIds, fp16Kv, logitsToKeep, on, variantFile, seed, generationConfig, quant, accuracyLevel);
        }

        public Spec variantFile(String name) {
            return new Spec(modelType, layers, hidden, heads, kvHeads, headDim, intermediate, vocab, maxPositions,
                    positionIds, fp16Kv, logitsToKeep, externalData, name, seed, generationConfig, quant, accuracyLevel);
        }

        public Spec seed(long s) {
            return new Spec(modelType, layers, hidden, heads, kvHeads, headDim, intermediate, vocab, maxPositions,
                    positionIds, fp16Kv, logitsToKeep, externalData, variantFile, s, generationConfig, quant, accuracyLevel);
        }

        public Spec generationConfig(Map<String, Object> config) {
            return new Spec(modelType, layers, hidden, heads, kvHeads, headDim, intermediate, vocab, maxPositions,
                    positionIds, fp16Kv, logitsToKeep, externalData, variantFile, seed, Map.copyOf(config), quant, accuracyLevel);
        }

        public boolean qwen3() {
            return modelType.equals("qwen3");
        }

        /** GLM (GlmForCausalLM, as GLM-Edge): interleaved rotary embedding over half of each head. */
        public boolean glm() {
            return modelType.equals("glm");
        }

        /** Dimensions of each head that the rotary embedding turns (GLM: half of them). */
        public int rotaryDim() {
            return glm() ? headDim / 2 : headDim;
        }

        /** Parameter count of the built model. */
        public long parameters() {
            long attn = (long) hidden * heads * headDim * 2 + (long) hidden * kvHeads * headDim * 2;
            long mlp = 3L * hidden * intermediate;
            return 2L * vocab * hidden + layers * (attn + mlp + 2L * hidden) + hidden;
        }
    }

    /** How the linear layers' weights are stored. */
    public enum Quant {
        /** Random float32 weights. */
        FLOAT,
        /** Weights that 4-bit blocks hold exactly (block 32, a float16 scale, zero point 8), written as float32 MatMul. */
        Q4_AS_FLOAT,
        /** The same 4-bit blocks as MatMulNBits (bits 4, block_size 32, no zero_points input: 8). */
        Q4,
        /**
         * The same 4-bit blocks, and everything else float16, as the onnx-community q4f16 exports are made
         * (MatMulNBits quantization, then onnxconverter's float16 conversion): float16 initializers (scales, norms,
         * biases, the embedding; values beyond 1e4 clamped to it, as the converter does), float16 compute, a blocked
         * Cast to float32 followed by one to float16; the graph's float inputs and outputs stay float32 behind Casts
         * ({@code keep_io_types}), or with {@link Spec#fp16Kv} are float16 themselves (cache and logits).
         */
        Q4F16
    }

    /** Block size of the 4-bit weights, as the onnx-community q4 exports. */
    public static final int Q4_BLOCK = 32;

    /**
     * One weight as built: its name (embed_tokens, layers.N.q_proj.weight, ..., norm.weight, lm_head), its shape
     * (rows x cols; a vector is 1 x n; a linear layer is [in, out]), its values and, for 4-bit weights, its blocks.
     */
    public record Weight(String name, int rows, int cols, float[] values, Q4 q4) {}

    /** The weights {@code spec} builds, in the order drawn, without writing anything. */
    public static List<Weight> weights(Spec spec) {
        Builder b = new Builder(spec);
        b.graph();
        return b.weights;
    }

    /** Token id used as end of sequence by default in built models. */
    public static final int EOS = 2;

    private TinyQwen() {}

    /** A Qwen2-shaped decoder: q/k/v biases, head_dim = hidden/heads, GQA 4:2. */
    public static Spec qwen2() {
        return new Spec("qwen2", 2, 64, 4, 2, 16, 128, 512, 256, true, false, false, false, "model", 7L,
                Map.of("eos_token_id", List.of(EOS), "do_sample", false), Quant.FLOAT, 0);
    }

    /** A Qwen3-shaped decoder: q/k RMS norms, no biases, head_dim larger than hidden/heads. */
    public static Spec qwen3() {
        return new Spec("qwen3", 2, 64, 4, 1, 32, 128, 512, 256, true, false, false, false, "model", 11L,
                Map.of("eos_token_id", List.of(EOS), "do_sample", false), Quant.FLOAT, 0);
    }

    /**
     * A GLM-shaped decoder as GLM-Edge's export: q/k/v biases, an explicit head_dim larger than
     * hidden/heads, GQA 4:1, rotary embedding interleaved (pairs 2i, 2i+1) over half of each head
     * (partial_rotary_factor 0.5), and three end-of-sequence ids.
     */
    public static Spec glm() {
        return new Spec("glm", 2, 64, 4, 1, 32, 128, 512, 256, true, false, false, false, "model", 13L,
                Map.of("eos_token_id", List.of(EOS, 3, 4), "do_sample", false), Quant.FLOAT, 0);
    }

    /** Writes the model folder into {@code dir} (created if needed) and returns it. */
    public static Path build(Spec spec, Path dir) throws IOException {
        return build(spec, dir, null);
    }

    /**
     * Like {@link #build(Spec, Path)}, with one more int64 graph input of that name that the graph does
     * not use (as merged decoders declare use_cache_branch), to test how unknown inputs are reported.
     */
    public static Path build(Spec spec, Path dir, String extraInput) throws IOException {
        Files.createDirectories(dir.resolve("onnx"));
        writeConfig(spec, dir);
        OnnxGraph graph = new Builder(spec).graph();
        if (extraInput != null) {
            graph.input(extraInput, OnnxGraph.INT64, 1L);
        }
        graph.write(dir.resolve("onnx").resolve(spec.variantFile() + ".onnx"), spec.externalData());
        return dir;
    }

    /**
     * Writes the same model (the same weights for the same spec and seed) as an ONNX Runtime GenAI folder, as
     * the GenAI model builder lays it out: genai_config.json naming the graph and its inputs/outputs with
     * {@code io}'s names, model.onnx (+ model.onnx.data with external data), no config.json or
     * generation_config.json. The graph uses the builder's fused ops: SimplifiedLayerNormalization,
     * SkipSimplifiedLayerNormalization and GroupQueryAttention, whose seqlens_k and total_sequence_length
     * are computed in the graph from the attention mask; its rotary embedding runs inside
     * GroupQueryAttention (do_rotary) when the spec has no position_ids, else in RotaryEmbedding ops fed by
     * position_ids (always so for Qwen3, whose q/k norms come between projection and rotation).
     */
    public static Path buildGenAi(Spec spec, Path dir, io.kaiyuan.engine.model.DecoderIo io) throws IOException {
        if (spec.glm() || spec.fp16Kv() || spec.logitsToKeep()) {
            throw new IllegalArgumentException("GenAI test graphs are Qwen-shaped with a float32 cache");
        }
        Spec s = spec.qwen3() ? spec.positionIds(true) : spec;
        Files.createDirectories(dir);
        ObjectMapper json = new ObjectMapper();
        ObjectNode root = json.createObjectNode();
        ObjectNode model = root.putObject("model");
        model.put("bos_token_id", 1);
        model.put("context_length", s.maxPositions());
        ObjectNode decoder = model.putObject("decoder");
        decoder.putObject("session_options").put("log_id", "onnxruntime-genai").putArray("provider_options");
        decoder.put("filename", "model.onnx");
        decoder.put("head_size", s.headDim());
        decoder.put("hidden_size", s.hidden());
        ObjectNode inputs = decoder.putObject("inputs");
        inputs.put("input_ids", io.inputIds());
        inputs.put("attention_mask", io.attentionMask());
        if (s.positionIds()) {
            inputs.put("position_ids", io.positionIds());
        }
        inputs.put("past_key_names", io.pastKey());
        inputs.put("past_value_names", io.pastValue());
        ObjectNode outputs = decoder.putObject("outputs");
        outputs.put("logits", io.logits());
        outputs.put("present_key_names", io.presentKey());
        outputs.put("present_value_names", io.presentValue());
        decoder.put("num_attention_heads", s.heads());
        decoder.put("num_hidden_layers", s.layers());
        decoder.put("num_key_value_heads", s.kvHeads());
        Object eos = s.generationConfig().getOrDefault("eos_token_id", EOS);
        model.set("eos_token_id", json.valueToTree(eos));
        model.put("pad_token_id", EOS);
        model.put("type", s.modelType());
        model.put("vocab_size", s.vocab());
        ObjectNode search = root.putObject("search");
        search.put("do_sample", false);
        search.put("max_length", s.maxPositions());
        search.put("num_beams", 1);
        search.put("past_present_share_buffer", io.shareBuffer());
        search.put("repetition_penalty", 1.0);
        search.put("temperature", 1.0);
        search.put("top_k", 1);
        search.put("top_p", 1.0);
        json.writerWithDefaultPrettyPrinter().writeValue(dir.resolve("genai_config.json").toFile(), root);
        OnnxGraph graph = new Builder(s, io).graph();
        graph.write(dir.resolve("model.onnx"), s.externalData(), "model.onnx.data");
        return dir;
    }

    /**
     * A model that writes a script, whatever it is asked: the logits at position {@code from + i - 1} pick
     * {@code script[i]} (one-hot), and every other position the end-of-sequence token 151645. So with a
     * prompt of {@code from} tokens, greedy or sampled (the script's token is 30 logits above the rest), the
     * answer is the script. Qwen-sized vocabulary, one layer, a cache that holds zeros: for testing what
     * happens to text a real model would write (tool calls, say) without a model that writes it.
     */
    public static Path scripted(Path dir, int[] script, int from, int maxPositions) throws IOException {
        return scripted(dir, Map.of(from, script), maxPositions);
    }

    /**
     * As {@link #scripted(Path, int[], int, int)} with several scripts, each after a prompt of its length: a
     * conversation whose turns the test knows (the model's answer, then its answer to a longer prompt).
     */
    public static Path scripted(Path dir, Map<Integer, int[]> scripts, int maxPositions) throws IOException {
        int vocab = 151936;
        int eos = 151645;
        for (Map.Entry<Integer, int[]> e : scripts.entrySet()) {
            if (e.getKey() < 1 || e.getKey() + e.getValue().length > maxPositions) {
                throw new IllegalArgumentException("each script must fit after its prompt");
            }
        }
        Spec spec = qwen2().vocab(vocab).dims(8, 1, 1, 8, 8).layers(1).maxPositions(maxPositions)
                .generationConfig(Map.of("eos_token_id", List.of(eos, 151643), "do_sample", false));
        Files.createDirectories(dir.resolve("onnx"));
        writeConfig(spec, dir);
        long[] table = new long[maxPositions];
        java.util.Arrays.fill(table, eos);
        for (Map.Entry<Integer, int[]> e : scripts.entrySet()) {
            for (int i = 0; i < e.getValue().length; i++) {
                table[e.getKey() - 1 + i] = e.getValue()[i];
            }
        }
        OnnxGraph g = new OnnxGraph();
        g.input("input_ids", OnnxGraph.INT64, "batch_size", "sequence_length");
        g.input("attention_mask", OnnxGraph.INT64, "batch_size", "total_sequence_length");
        g.input("past_key_values.0.key", OnnxGraph.FLOAT, "batch_size", 1L, "past_sequence_length", 8L);
        g.input("past_key_values.0.value", OnnxGraph.FLOAT, "batch_size", 1L, "past_sequence_length", 8L);
        g.output("logits", OnnxGraph.FLOAT, "batch_size", "sequence_length", (long) vocab);
        g.output("present.0.key", OnnxGraph.FLOAT, "batch_size", 1L, "total_sequence_length", 8L);
        g.output("present.0.value", OnnxGraph.FLOAT, "batch_size", 1L, "total_sequence_length", 8L);
        g.longs("script", table);
        g.scalarLong("idx1", 1);
        g.scalarLong("idx2", 2);
        g.scalarLong("one", 1);
        g.longs("depth", vocab);
        g.floats("onOff", new long[] {2}, new float[] {0f, 30f});
        g.longs("axes0", 0);
        g.longs("axes13", 1, 3);
        g.longs("width", 1, 1, 1, 8);
        g.scalarFloat("nothing", 0f);
        String past = g.op("Gather", new String[] {g.op("Shape", "past_key_values.0.key"), "idx2"}, "axis", 0L);
        String seq = g.op("Gather", new String[] {g.op("Shape", "input_ids"), "idx1"}, "axis", 0L);
        String positions = g.op("Range", new String[] {past, g.op("Add", past, seq), "one"});
        String next = g.op("Unsqueeze", g.op("Gather", new String[] {"script", positions}, "axis", 0L), "axes0");
        g.node("OneHot", new String[] {next, "depth", "onOff"}, new String[] {"logits"}, "axis", -1L);
        String zeros = g.op("Expand", g.op("Mul", g.op("Unsqueeze", g.op("Cast", new String[] {"input_ids"}, "to",
                (long) OnnxGraph.FLOAT), "axes13"), "nothing"), "width");
        g.node("Concat", new String[] {"past_key_values.0.key", zeros}, new String[] {"present.0.key"}, "axis", 2L);
        g.node("Concat", new String[] {"past_key_values.0.value", zeros}, new String[] {"present.0.value"}, "axis", 2L);
        g.write(dir.resolve("onnx").resolve("model.onnx"), false);
        return dir;
    }

    private static void writeConfig(Spec spec, Path dir) throws IOException {
        ObjectMapper json = new ObjectMapper();
        ObjectNode config = json.createObjectNode();
        config.putArray("architectures").add(spec.glm() ? "GlmForCausalLM"
                : spec.qwen3() ? "Qwen3ForCausalLM" : "Qwen2ForCausalLM");
        config.put("model_type", spec.modelType());
        config.put("hidden_size", spec.hidden());
        config.put("intermediate_size", spec.intermediate());
        config.put("num_hidden_layers", spec.layers());
        config.put("num_attention_heads", spec.heads());
        config.put("num_key_value_heads", spec.kvHeads());
        if (spec.qwen3() || spec.glm()) {
            config.put("head_dim", spec.headDim());
        }
        if (spec.glm()) {
            config.put("partial_rotary_factor", 0.5);
            config.put("attention_bias", true);
        }
        config.put("vocab_size", spec.vocab());
        config.put("max_position_embeddings", spec.maxPositions());
        config.put("rms_norm_eps", 1e-6);
        config.put("rope_theta", 10000.0);
        config.put("bos_token_id", 1);
        config.put("eos_token_id", EOS);
        config.put("tie_word_embeddings", false);
        config.put("torch_dtype", "float32");
        if (spec.fp16Kv()) {
            config.putObject("transformers.js_config").putObject("kv_cache_dtype").put("q4f16", "float16").put("fp16", "float16");
        }
        json.writerWithDefaultPrettyPrinter().writeValue(dir.resolve("config.json").toFile(), config);
        Map<String, Object> gen = new LinkedHashMap<>();
        gen.put("bos_token_id", 1);
        gen.putAll(spec.generationConfig());
        json.writerWithDefaultPrettyPrinter().writeValue(dir.resolve("generation_config.json").toFile(), gen);
    }

    /** Builds the graph for one spec. */
    private static final class Builder {
        private final Spec s;
        private final OnnxGraph g = new OnnxGraph();
        private final SplittableRandom random;
        private final String kvType;
        /** The GenAI layout's names, or null for the transformers.js layout. */
        private final io.kaiyuan.engine.model.DecoderIo genai;

        Builder(Spec spec) {
            this(spec, null);
        }

        Builder(Spec spec, io.kaiyuan.engine.model.DecoderIo genai) {
            this.s = spec;
            this.genai = genai;
            this.random = new SplittableRandom(spec.seed());
            this.kvType = spec.fp16Kv() ? "float16" : "float32";
            this.half = spec.quant() == Quant.Q4F16;
            if (half && genai != null) {
                throw new IllegalArgumentException("GenAI test graphs have float32 compute");
            }
        }

        /** Float16 compute (q4f16). */
        private final boolean half;

        /** Every weight made, in the order made (for writing the same model in other formats). */
        final List<Weight> weights = new java.util.ArrayList<>();

        private float[] draw(int count, double mean, double std) {
            float[] w = new float[count];
            for (int i = 0; i < w.length; i++) {
                w[i] = (float) (mean + random.nextGaussian() * std);
            }
            return w;
        }

        private String weight(String name, int rows, int cols, double std) {
            float[] w = draw(rows * cols, 0, std);
            weights.add(new Weight(name, rows, cols, w, null));
            return floats(name, new long[] {rows, cols}, w);
        }

        private String vector(String name, int n, double mean, double std) {
            float[] w = draw(n, mean, std);
            weights.add(new Weight(name, 1, n, w, null));
            return floats(name, new long[] {n}, w);
        }

        /** Float initializers as the graph computes: float32, or float16 in a q4f16 graph. */
        private String floats(String name, long[] dims, float[] values) {
            if (!half) {
                return g.floats(name, dims, values);
            }
            java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(values.length * 2).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            for (float v : values) {
                // onnxconverter's float16 conversion clamps magnitudes to [1e-7, 1e4] (zero stays zero)
                float m = Math.abs(v);
                float clamped = m == 0 ? 0 : Math.copySign(Math.max(1e-7f, Math.min(1e4f, m)), v);
                b.putShort(Q4.toHalf(clamped));
            }
            return g.raw(name, OnnxGraph.FLOAT16, dims, b.array());
        }

        private String scalar(String name, float value) {
            return half ? floats(name, new long[0], new float[] {value}) : g.scalarFloat(name, value);
        }

        /**
         * x times a [in, out] weight: a MatMul of float32 weights, or with {@link Quant#Q4} MatMulNBits over the
         * same numbers in 4-bit blocks ({@link Quant#Q4_AS_FLOAT}: those numbers as float32).
         */
        private String matMul(String x, String name, int in, int out, double std) {
            return matMul(x, name, in, out, std, null);
        }

        /** As above, the product named {@code output} (a fresh name when null). */
        private String matMul(String x, String name, int in, int out, double std, String output) {
            String[] y = {output != null ? output : g.fresh("matmul")};
            if (s.quant() == Quant.FLOAT) {
                return g.node("MatMul", new String[] {x, weight(name, in, out, std)}, y)[0];
            }
            Q4 q4 = Q4.quantize(draw(in * out, 0, std), in, out);
            float[] values = q4.dequantized();
            weights.add(new Weight(name, in, out, values, q4));
            if (s.quant() == Quant.Q4_AS_FLOAT) {
                return g.node("MatMul", new String[] {x, g.floats(name, new long[] {in, out}, values)}, y)[0];
            }
            String data = g.raw(name + "_Q4", OnnxGraph.UINT8, new long[] {out, in / Q4_BLOCK, Q4_BLOCK / 2},
                    q4.matMulNBitsData());
            String scales = floats(name + "_scales", new long[] {(long) out * (in / Q4_BLOCK)}, q4.matMulNBitsScales());
            java.util.List<Object> attributes = new java.util.ArrayList<>(List.of("K", (long) in, "N", (long) out, "bits", 4L,
                    "block_size", (long) Q4_BLOCK));
            if (s.accuracyLevel() != 0) {
                attributes.addAll(List.of("accuracy_level", (long) s.accuracyLevel()));
            }
            return g.node("com.microsoft:MatMulNBits", new String[] {x, data, scales}, y, attributes.toArray())[0];
        }

        private String simplifiedNorm(String x, String weight) {
            return g.op("SimplifiedLayerNormalization", new String[] {x, weight}, "axis", -1L, "epsilon", 1e-6f);
        }

        private String rmsNorm(String x, String weight) {
            String before = g.scope();
            g.scope(torchScope(weight));
            String ms = g.op("ReduceMean", new String[] {g.op("Mul", x, x)}, "axes", new long[] {-1}, "keepdims", 1L);
            String r = g.op("Sqrt", g.op("Add", ms, "eps"));
            String y = g.op("Mul", g.op("Div", x, r), weight);
            g.scope(before);
            return y;
        }

        private String linear(String x, String prefix, int in, int out, boolean bias) {
            String before = g.scope();
            g.scope(torchScope(prefix));
            String y = matMul(x, prefix + ".weight", in, out, 1.0 / Math.sqrt(in));
            y = bias ? g.op("Add", y, vector(prefix + ".bias", out, 0, 0.1)) : y;
            g.scope(before);
            return y;
        }

        /**
         * The module path PyTorch's exporter names a weight's nodes with: layers.N.q_proj is
         * /model/layers.N/self_attn/q_proj, layers.N.gate_proj /model/layers.N/mlp/gate_proj, norm /model/norm,
         * lm_head /lm_head (Optimum exports, and so the onnx-community graphs, carry these names).
         */
        private static String torchScope(String weight) {
            String w = weight.endsWith(".weight") ? weight.substring(0, weight.length() - ".weight".length()) : weight;
            if (w.equals("lm_head")) {
                return "/lm_head";
            }
            if (!w.startsWith("layers.")) {
                return "/model/" + w;
            }
            int dot = w.indexOf('.', "layers.".length());
            String layer = w.substring(0, dot);
            String module = w.substring(dot + 1);
            String parent = module.endsWith("_proj") && !module.startsWith("q_") && !module.startsWith("k_")
                    && !module.startsWith("v_") && !module.startsWith("o_") ? "/mlp/"
                    : module.endsWith("_layernorm") ? "/" : "/self_attn/";
            return "/model/" + layer + parent + module;
        }

        private String rope(String x, String cos, String sin) {
            if (s.glm()) {
                return interleavedPartialRope(x, cos, sin);
            }
            int half = s.headDim() / 2;
            String x1 = g.op("Slice", new String[] {x, "zero1", g.longs(g.fresh("half"), half), "axis3"});
            String x2 = g.op("Slice", new String[] {x, g.longs(g.fresh("half"), half), g.longs(g.fresh("dim"), s.headDim()), "axis3"});
            String rotated = g.op("Concat", new String[] {g.op("Neg", x2), x1}, "axis", 3L);
            return g.op("Add", g.op("Mul", x, cos), g.op("Mul", rotated, sin));
        }

        /**
         * GLM's rotary embedding: the first rotaryDim dimensions turn in interleaved pairs (x[2i], x[2i+1])
         * with cos/sin repeated per pair; the rest pass through. cos/sin are [B,1,T,rotaryDim].
         */
        private String interleavedPartialRope(String x, String cos, String sin) {
            int rot = s.rotaryDim();
            String xRot = g.op("Slice", new String[] {x, "zero1", g.longs(g.fresh("rot"), rot), "axis3"});
            String xPass = g.op("Slice", new String[] {x, g.longs(g.fresh("rot"), rot), g.longs(g.fresh("dim"), s.headDim()),
                    "axis3"});
            String pairs = g.op("Reshape", xRot, g.longs(g.fresh("shape"), 0, 0, 0, rot / 2, 2));
            String even = g.op("Slice", new String[] {pairs, "zero1", g.longs(g.fresh("one"), 1), g.longs(g.fresh("ax"), 4)});
            String odd = g.op("Slice", new String[] {pairs, g.longs(g.fresh("one"), 1), g.longs(g.fresh("two"), 2),
                    g.longs(g.fresh("ax"), 4)});
            String rotatedPairs = g.op("Concat", new String[] {g.op("Neg", odd), even}, "axis", 4L);
            String rotated = g.op("Reshape", rotatedPairs, g.longs(g.fresh("shape"), 0, 0, 0, rot));
            String turned = g.op("Add", g.op("Mul", xRot, cos), g.op("Mul", rotated, sin));
            return g.op("Concat", new String[] {turned, xPass}, "axis", 3L);
        }

        /** [B,KVH,T,D] -> [B,H,T,D] by repeating each kv head heads/kvHeads times. */
        private String repeatKv(String x) {
            int groups = s.heads() / s.kvHeads();
            if (groups == 1) {
                return x;
            }
            String expanded = g.op("Expand", g.op("Unsqueeze", x, "axes2"), g.longs(g.fresh("rep"), 1, 1, groups, 1, 1));
            return g.op("Reshape", expanded, g.longs(g.fresh("shape"), 0, s.heads(), -1, s.headDim()));
        }

        OnnxGraph graph() {
            return genai != null ? genAiGraph() : transformersJsGraph();
        }

        /**
         * The GenAI builder's graph for the same weights, drawn in the same order as
         * {@link #transformersJsGraph()} draws them.
         */
        OnnxGraph genAiGraph() {
            var io = genai;
            g.input(io.inputIds(), OnnxGraph.INT64, "batch_size", "sequence_length");
            g.input(io.attentionMask(), OnnxGraph.INT64, "batch_size", "total_sequence_length");
            if (s.positionIds()) {
                g.input(io.positionIds(), OnnxGraph.INT64, "batch_size", "sequence_length");
            }
            for (int i = 0; i < s.layers(); i++) {
                g.input(io.pastKey(i), OnnxGraph.FLOAT, "batch_size", (long) s.kvHeads(), "past_sequence_length", (long) s.headDim());
                g.input(io.pastValue(i), OnnxGraph.FLOAT, "batch_size", (long) s.kvHeads(), "past_sequence_length", (long) s.headDim());
            }
            g.output(io.logits(), OnnxGraph.FLOAT, "batch_size", "sequence_length", (long) s.vocab());
            for (int i = 0; i < s.layers(); i++) {
                g.output(io.presentKey(i), OnnxGraph.FLOAT, "batch_size", (long) s.kvHeads(), "total_sequence_length", (long) s.headDim());
                g.output(io.presentValue(i), OnnxGraph.FLOAT, "batch_size", (long) s.kvHeads(), "total_sequence_length", (long) s.headDim());
            }
            g.longs("axes1", 1);
            g.scalarLong("idx1", 1);
            g.scalarLong("one", 1);

            String x = g.op("Gather", new String[] {weight("embed_tokens", s.vocab(), s.hidden(), 1.0), io.inputIds()}, "axis", 0L);
            // seqlens_k = sum(mask) - 1 and total_sequence_length = mask width, as int32 (the builder's subgraph)
            String seqlens = g.op("Cast", new String[] {g.op("Sub", g.op("ReduceSum", new String[] {io.attentionMask(), "axes1"},
                    "keepdims", 0L), "one")}, "to", (long) OnnxGraph.INT32);
            String totalLength = g.op("Cast", new String[] {g.op("Gather", new String[] {g.op("Shape", io.attentionMask()), "idx1"},
                    "axis", 0L)}, "to", (long) OnnxGraph.INT32);
            int half = s.headDim() / 2;
            float[] cos = new float[s.maxPositions() * half];
            float[] sin = new float[s.maxPositions() * half];
            for (int p = 0; p < s.maxPositions(); p++) {
                for (int i = 0; i < half; i++) {
                    float invFreq = (float) (1.0 / Math.pow(10000.0, (2.0 * i) / s.headDim()));
                    float angle = (float) p * invFreq;
                    cos[p * half + i] = (float) Math.cos(angle);
                    sin[p * half + i] = (float) Math.sin(angle);
                }
            }
            g.floats("cos_cache", new long[] {s.maxPositions(), half}, cos);
            g.floats("sin_cache", new long[] {s.maxPositions(), half}, sin);
            float scale = (float) (1.0 / Math.sqrt(s.headDim()));

            boolean qkvBias = !s.qwen3();
            boolean rotaryInAttention = !s.positionIds();
            String residual = x;
            String h = null;
            for (int l = 0; l < s.layers(); l++) {
                String p = "layers." + l;
                if (l == 0) {
                    h = simplifiedNorm(residual, vector(p + ".input_layernorm.weight", s.hidden(), 1.0, 0.1));
                }
                // (from layer 1 on, h is the SkipSimplifiedLayerNormalization of the previous layer's end)
                String q = linear(h, p + ".q_proj", s.hidden(), s.heads() * s.headDim(), qkvBias);
                String k = linear(h, p + ".k_proj", s.hidden(), s.kvHeads() * s.headDim(), qkvBias);
                String v = linear(h, p + ".v_proj", s.hidden(), s.kvHeads() * s.headDim(), qkvBias);
                if (s.qwen3()) {
                    String qn = vector(p + ".q_norm.weight", s.headDim(), 1.0, 0.1);
                    String kn = vector(p + ".k_norm.weight", s.headDim(), 1.0, 0.1);
                    q = g.op("Reshape", simplifiedNorm(g.op("Reshape", q, g.longs(g.fresh("shape"), 0, 0, s.heads(), s.headDim())), qn),
                            g.longs(g.fresh("shape"), 0, 0, s.heads() * s.headDim()));
                    k = g.op("Reshape", simplifiedNorm(g.op("Reshape", k, g.longs(g.fresh("shape"), 0, 0, s.kvHeads(), s.headDim())), kn),
                            g.longs(g.fresh("shape"), 0, 0, s.kvHeads() * s.headDim()));
                }
                if (!rotaryInAttention) {
                    q = g.op("com.microsoft:RotaryEmbedding", new String[] {q, io.positionIds(), "cos_cache", "sin_cache"},
                            "interleaved", 0L, "num_heads", (long) s.heads());
                    k = g.op("com.microsoft:RotaryEmbedding", new String[] {k, io.positionIds(), "cos_cache", "sin_cache"},
                            "interleaved", 0L, "num_heads", (long) s.kvHeads());
                }
                String context = g.fresh("attention");
                g.node("com.microsoft:GroupQueryAttention",
                        rotaryInAttention
                                ? new String[] {q, k, v, io.pastKey(l), io.pastValue(l), seqlens, totalLength, "cos_cache", "sin_cache"}
                                : new String[] {q, k, v, io.pastKey(l), io.pastValue(l), seqlens, totalLength},
                        new String[] {context, io.presentKey(l), io.presentValue(l)},
                        "num_heads", (long) s.heads(), "kv_num_heads", (long) s.kvHeads(), "scale", scale,
                        "do_rotary", rotaryInAttention ? 1L : 0L, "rotary_interleaved", 0L);
                String attention = linear(context, p + ".o_proj", s.heads() * s.headDim(), s.hidden(), false);

                String h2 = g.fresh("post_norm");
                String sum = g.fresh("residual");
                g.node("com.microsoft:SkipSimplifiedLayerNormalization",
                        new String[] {residual, attention, vector(p + ".post_attention_layernorm.weight", s.hidden(), 1.0, 0.1)},
                        new String[] {h2, "", "", sum}, "epsilon", 1e-6f);
                residual = sum;
                String gate = linear(h2, p + ".gate_proj", s.hidden(), s.intermediate(), false);
                String up = linear(h2, p + ".up_proj", s.hidden(), s.intermediate(), false);
                String act = g.op("Mul", g.op("Mul", gate, g.op("Sigmoid", gate)), up);
                String mlp = linear(act, p + ".down_proj", s.intermediate(), s.hidden(), false);
                if (l + 1 < s.layers()) {
                    // the next layer's input norm, fused with this layer's residual add; its weight is drawn here,
                    // in the order the transformers.js graph draws it
                    h = g.fresh("input_norm");
                    String next = g.fresh("residual");
                    g.node("com.microsoft:SkipSimplifiedLayerNormalization",
                            new String[] {residual, mlp, vector("layers." + (l + 1) + ".input_layernorm.weight", s.hidden(), 1.0, 0.1)},
                            new String[] {h, "", "", next}, "epsilon", 1e-6f);
                    residual = next;
                } else {
                    residual = g.op("Add", residual, mlp);
                }
            }
            String last = simplifiedNorm(residual, vector("norm.weight", s.hidden(), 1.0, 0.1));
            matMul(last, "lm_head", s.hidden(), s.vocab(), 4.0 / Math.sqrt(s.hidden()), io.logits());
            return g;
        }

        OnnxGraph transformersJsGraph() {
            int kvElem = s.fp16Kv() ? OnnxGraph.FLOAT16 : OnnxGraph.FLOAT;
            g.input("input_ids", OnnxGraph.INT64, "batch_size", "sequence_length");
            g.input("attention_mask", OnnxGraph.INT64, "batch_size", "total_sequence_length");
            if (s.positionIds()) {
                g.input("position_ids", OnnxGraph.INT64, "batch_size", "sequence_length");
            }
            for (int i = 0; i < s.layers(); i++) {
                g.input("past_key_values." + i + ".key", kvElem, "batch_size", (long) s.kvHeads(), "past_sequence_length", (long) s.headDim());
                g.input("past_key_values." + i + ".value", kvElem, "batch_size", (long) s.kvHeads(), "past_sequence_length", (long) s.headDim());
            }
            if (s.logitsToKeep()) {
                g.input("num_logits_to_keep", OnnxGraph.INT64);
            }
            g.output("logits", kvElem, "batch_size", "sequence_length", (long) s.vocab());
            for (int i = 0; i < s.layers(); i++) {
                g.output("present." + i + ".key", kvElem, "batch_size", (long) s.kvHeads(), "total_sequence_length", (long) s.headDim());
                g.output("present." + i + ".value", kvElem, "batch_size", (long) s.kvHeads(), "total_sequence_length", (long) s.headDim());
            }

            scalar("eps", 1e-6f);
            g.longs("zero1", 0);
            g.longs("axis3", 3);
            g.longs("axes0", 0);
            g.longs("axes1", 1);
            g.longs("axes2", 2);
            g.longs("axes12", 1, 2);
            g.longs("axesLast", -1);
            g.scalarLong("idx1", 1);
            g.scalarLong("idx2", 2);
            g.scalarLong("one", 1);
            g.scalarLong("zero", 0);
            scalar("maskOn", 0f);
            scalar("maskOff", -1e9f);
            scalar("scale", (float) (1.0 / Math.sqrt(s.headDim())));
            // q4f16 with float32 inputs: the converter's Casts to float16 at the graph's inputs
            String[] pastKeys = new String[s.layers()];
            String[] pastValues = new String[s.layers()];
            for (int i = 0; i < s.layers(); i++) {
                boolean cast = half && !s.fp16Kv();
                pastKeys[i] = cast ? g.op("Cast", new String[] {"past_key_values." + i + ".key"}, "to", (long) OnnxGraph.FLOAT16)
                        : "past_key_values." + i + ".key";
                pastValues[i] = cast ? g.op("Cast", new String[] {"past_key_values." + i + ".value"}, "to", (long) OnnxGraph.FLOAT16)
                        : "past_key_values." + i + ".value";
            }

            g.scope("/model/embed_tokens");
            String x = g.op("Gather", new String[] {weight("embed_tokens", s.vocab(), s.hidden(), 1.0), "input_ids"}, "axis", 0L);
            g.scope("/model");

            String past = g.op("Gather", new String[] {g.op("Shape", "past_key_values.0.key"), "idx2"}, "axis", 0L);
            String seq = g.op("Gather", new String[] {g.op("Shape", "input_ids"), "idx1"}, "axis", 0L);
            String total = g.op("Gather", new String[] {g.op("Shape", "attention_mask"), "idx1"}, "axis", 0L);
            String queryIdx = g.op("Range", new String[] {past, g.op("Add", past, seq), "one"});
            String positions = s.positionIds() ? "position_ids" : g.op("Unsqueeze", queryIdx, "axes0");

            float[] invFreq = new float[s.rotaryDim() / 2];
            for (int i = 0; i < invFreq.length; i++) {
                invFreq[i] = (float) (1.0 / Math.pow(10000.0, (2.0 * i) / s.rotaryDim()));
            }
            String floatPositions = g.op("Cast", new String[] {positions}, "to", (long) OnnxGraph.FLOAT);
            if (half) {
                // Cast is on the converter's block list: its float32 output is cast to float16 after it
                floatPositions = g.op("Cast", new String[] {floatPositions}, "to", (long) OnnxGraph.FLOAT16);
            }
            String freqs = g.op("Mul", g.op("Unsqueeze", floatPositions, "axesLast"),
                    floats("inv_freq", new long[] {invFreq.length}, invFreq));
            String emb = s.glm()
                    // each frequency twice in a row: [f0, f0, f1, f1, ...] (repeat_interleave)
                    ? g.op("Reshape", g.op("Concat", new String[] {g.op("Unsqueeze", freqs, "axesLast"),
                            g.op("Unsqueeze", freqs, "axesLast")}, "axis", -1L),
                            g.longs(g.fresh("shape"), 0, 0, s.rotaryDim()))
                    : g.op("Concat", new String[] {freqs, freqs}, "axis", -1L);
            String cos = g.op("Unsqueeze", g.op("Cos", emb), "axes1");
            String sin = g.op("Unsqueeze", g.op("Sin", emb), "axes1");

            String keyIdx = g.op("Range", new String[] {"zero", total, "one"});
            String causal = g.op("LessOrEqual", g.op("Unsqueeze", keyIdx, "axes0"), g.op("Unsqueeze", queryIdx, "axes1"));
            String padding = g.op("Unsqueeze", g.op("Cast", new String[] {"attention_mask"}, "to", (long) OnnxGraph.BOOL), "axes12");
            String bias = g.op("Where", new String[] {g.op("And", causal, padding), "maskOn", "maskOff"});

            boolean qkvBias = !s.qwen3(); // Qwen2 and GLM have q/k/v biases
            for (int l = 0; l < s.layers(); l++) {
                String p = "layers." + l;
                g.scope("/model/layers." + l + "/self_attn");
                String h = rmsNorm(x, vector(p + ".input_layernorm.weight", s.hidden(), 1.0, 0.1));
                String q = g.op("Reshape", linear(h, p + ".q_proj", s.hidden(), s.heads() * s.headDim(), qkvBias),
                        g.longs(g.fresh("shape"), 0, 0, s.heads(), s.headDim()));
                String k = g.op("Reshape", linear(h, p + ".k_proj", s.hidden(), s.kvHeads() * s.headDim(), qkvBias),
                        g.longs(g.fresh("shape"), 0, 0, s.kvHeads(), s.headDim()));
                String v = g.op("Reshape", linear(h, p + ".v_proj", s.hidden(), s.kvHeads() * s.headDim(), qkvBias),
                        g.longs(g.fresh("shape"), 0, 0, s.kvHeads(), s.headDim()));
                if (s.qwen3()) {
                    q = rmsNorm(q, vector(p + ".q_norm.weight", s.headDim(), 1.0, 0.1));
                    k = rmsNorm(k, vector(p + ".k_norm.weight", s.headDim(), 1.0, 0.1));
                }
                q = rope(g.op("Transpose", new String[] {q}, "perm", new long[] {0, 2, 1, 3}), cos, sin);
                k = rope(g.op("Transpose", new String[] {k}, "perm", new long[] {0, 2, 1, 3}), cos, sin);
                v = g.op("Transpose", new String[] {v}, "perm", new long[] {0, 2, 1, 3});

                String presentKey = "present." + l + ".key";
                String presentValue = "present." + l + ".value";
                String keys;
                String values;
                if (half) {
                    // float16 keys and values; float32 presents behind Casts unless the cache is float16
                    keys = s.fp16Kv() ? presentKey : g.fresh("present_key");
                    values = s.fp16Kv() ? presentValue : g.fresh("present_value");
                    g.node("Concat", new String[] {pastKeys[l], k}, new String[] {keys}, "axis", 2L);
                    g.node("Concat", new String[] {pastValues[l], v}, new String[] {values}, "axis", 2L);
                    if (!s.fp16Kv()) {
                        g.node("Cast", new String[] {keys}, new String[] {presentKey}, "to", (long) OnnxGraph.FLOAT);
                        g.node("Cast", new String[] {values}, new String[] {presentValue}, "to", (long) OnnxGraph.FLOAT);
                    }
                } else if (s.fp16Kv()) {
                    String k16 = g.op("Cast", new String[] {k}, "to", (long) OnnxGraph.FLOAT16);
                    String v16 = g.op("Cast", new String[] {v}, "to", (long) OnnxGraph.FLOAT16);
                    g.node("Concat", new String[] {"past_key_values." + l + ".key", k16}, new String[] {presentKey}, "axis", 2L);
                    g.node("Concat", new String[] {"past_key_values." + l + ".value", v16}, new String[] {presentValue}, "axis", 2L);
                    keys = g.op("Cast", new String[] {presentKey}, "to", (long) OnnxGraph.FLOAT);
                    values = g.op("Cast", new String[] {presentValue}, "to", (long) OnnxGraph.FLOAT);
                } else {
                    g.node("Concat", new String[] {"past_key_values." + l + ".key", k}, new String[] {presentKey}, "axis", 2L);
                    g.node("Concat", new String[] {"past_key_values." + l + ".value", v}, new String[] {presentValue}, "axis", 2L);
                    keys = presentKey;
                    values = presentValue;
                }
                keys = repeatKv(keys);
                values = repeatKv(values);
                String scores = g.op("Add", g.op("Mul", g.op("MatMul", q, g.op("Transpose", new String[] {keys}, "perm", new long[] {0, 1, 3, 2})), "scale"), bias);
                String context = g.op("MatMul", g.op("Softmax", new String[] {scores}, "axis", -1L), values);
                context = g.op("Reshape", g.op("Transpose", new String[] {context}, "perm", new long[] {0, 2, 1, 3}),
                        g.longs(g.fresh("shape"), 0, 0, s.heads() * s.headDim()));
                x = g.op("Add", x, linear(context, p + ".o_proj", s.heads() * s.headDim(), s.hidden(), false));

                String h2 = rmsNorm(x, vector(p + ".post_attention_layernorm.weight", s.hidden(), 1.0, 0.1));
                String gate = linear(h2, p + ".gate_proj", s.hidden(), s.intermediate(), false);
                String up = linear(h2, p + ".up_proj", s.hidden(), s.intermediate(), false);
                String act = g.op("Mul", g.op("Mul", gate, g.op("Sigmoid", gate)), up);
                x = g.op("Add", x, linear(act, p + ".down_proj", s.intermediate(), s.hidden(), false));
            }
            x = rmsNorm(x, vector("norm.weight", s.hidden(), 1.0, 0.1));
            g.scope("/lm_head");
            if (s.logitsToKeep()) {
                String start = g.op("Unsqueeze", g.op("Neg", "num_logits_to_keep"), "axes0");
                x = g.op("Slice", new String[] {x, start, g.longs("int_max", Long.MAX_VALUE), "axes1"});
            }
            if (s.fp16Kv() != half) {
                // float16 exports with a float16 cache return float16 logits too; q4f16 with float32 inputs and
                // outputs casts its float16 logits to float32
                String logits = matMul(x, "lm_head", s.hidden(), s.vocab(), 4.0 / Math.sqrt(s.hidden()));
                g.node("Cast", new String[] {logits}, new String[] {"logits"}, "to",
                        (long) (half ? OnnxGraph.FLOAT : OnnxGraph.FLOAT16));
            } else {
                matMul(x, "lm_head", s.hidden(), s.vocab(), 4.0 / Math.sqrt(s.hidden()), "logits");
            }
            return g;
        }
    }
}
