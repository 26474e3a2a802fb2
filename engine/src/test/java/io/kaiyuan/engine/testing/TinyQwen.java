package io.kaiyuan.engine.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
            Map<String, Object> generationConfig) {

        public Spec layers(int n) {
            return new Spec(modelType, n, hidden, heads, kvHeads, headDim, intermediate, vocab, maxPositions,
                    positionIds, fp16Kv, logitsToKeep, externalData, variantFile, seed, generationConfig);
        }

        public Spec dims(int hidden, int heads, int kvHeads, int headDim, int intermediate) {
            return new Spec(modelType, layers, hidden, heads, kvHeads, headDim, intermediate, vocab, maxPositions,
                    positionIds, fp16Kv, logitsToKeep, externalData, variantFile, seed, generationConfig);
        }

        public Spec vocab(int n) {
            return new Spec(modelType, layers, hidden, heads, kvHeads, headDim, intermediate, n, maxPositions,
                    positionIds, fp16Kv, logitsToKeep, externalData, variantFile, seed, generationConfig);
        }

        public Spec maxPositions(int n) {
            return new Spec(modelType, layers, hidden, heads, kvHeads, headDim, intermediate, vocab, n,
                    positionIds, fp16Kv, logitsToKeep, externalData, variantFile, seed, generationConfig);
        }

        public Spec positionIds(boolean on) {
            return new Spec(modelType, layers, hidden, heads, kvHeads, headDim, intermediate, vocab, maxPositions,
                    on, fp16Kv, logitsToKeep, externalData, variantFile, seed, generationConfig);
        }

        public Spec fp16Kv(boolean on) {
            return new Spec(modelType, layers, hidden, heads, kvHeads, headDim, intermediate, vocab, maxPositions,
                    positionIds, on, logitsToKeep, externalData, variantFile, seed, generationConfig);
        }

        public Spec logitsToKeep(boolean on) {
            return new Spec(modelType, layers, hidden, heads, kvHeads, headDim, intermediate, vocab, maxPositions,
                    positionIds, fp16Kv, on, externalData, variantFile, seed, generationConfig);
        }

        public Spec externalData(boolean on) {
            return new Spec(modelType, layers, hidden, heads, kvHeads, headDim, intermediate, vocab, maxPositions,
                    positionIds, fp16Kv, logitsToKeep, on, variantFile, seed, generationConfig);
        }

        public Spec variantFile(String name) {
            return new Spec(modelType, layers, hidden, heads, kvHeads, headDim, intermediate, vocab, maxPositions,
                    positionIds, fp16Kv, logitsToKeep, externalData, name, seed, generationConfig);
        }

        public Spec seed(long s) {
            return new Spec(modelType, layers, hidden, heads, kvHeads, headDim, intermediate, vocab, maxPositions,
                    positionIds, fp16Kv, logitsToKeep, externalData, variantFile, s, generationConfig);
        }

        public Spec generationConfig(Map<String, Object> config) {
            return new Spec(modelType, layers, hidden, heads, kvHeads, headDim, intermediate, vocab, maxPositions,
                    positionIds, fp16Kv, logitsToKeep, externalData, variantFile, seed, Map.copyOf(config));
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

    /** Token id used as end of sequence by default in built models. */
    public static final int EOS = 2;

    private TinyQwen() {}

    /** A Qwen2-shaped decoder: q/k/v biases, head_dim = hidden/heads, GQA 4:2. */
    public static Spec qwen2() {
        return new Spec("qwen2", 2, 64, 4, 2, 16, 128, 512, 256, true, false, false, false, "model", 7L,
                Map.of("eos_token_id", List.of(EOS), "do_sample", false));
    }

    /** A Qwen3-shaped decoder: q/k RMS norms, no biases, head_dim larger than hidden/heads. */
    public static Spec qwen3() {
        return new Spec("qwen3", 2, 64, 4, 1, 32, 128, 512, 256, true, false, false, false, "model", 11L,
                Map.of("eos_token_id", List.of(EOS), "do_sample", false));
    }

    /**
     * A GLM-shaped decoder as GLM-Edge's export: q/k/v biases, an explicit head_dim larger than
     * hidden/heads, GQA 4:1, rotary embedding interleaved (pairs 2i, 2i+1) over half of each head
     * (partial_rotary_factor 0.5), and three end-of-sequence ids.
     */
    public static Spec glm() {
        return new Spec("glm", 2, 64, 4, 1, 32, 128, 512, 256, true, false, false, false, "model", 13L,
                Map.of("eos_token_id", List.of(EOS, 3, 4), "do_sample", false));
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
            config.putObject("transformers.js_config").putObject("kv_cache_dtype").put("fp16", "float16");
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

        Builder(Spec spec) {
            this.s = spec;
            this.random = new SplittableRandom(spec.seed());
            this.kvType = spec.fp16Kv() ? "float16" : "float32";
        }

        private String weight(String name, int rows, int cols, double std) {
            float[] w = new float[rows * cols];
            for (int i = 0; i < w.length; i++) {
                w[i] = (float) (random.nextGaussian() * std);
            }
            return g.floats(name, new long[] {rows, cols}, w);
        }

        private String vector(String name, int n, double mean, double std) {
            float[] w = new float[n];
            for (int i = 0; i < n; i++) {
                w[i] = (float) (mean + random.nextGaussian() * std);
            }
            return g.floats(name, new long[] {n}, w);
        }

        private String rmsNorm(String x, String weight) {
            String ms = g.op("ReduceMean", new String[] {g.op("Mul", x, x)}, "axes", new long[] {-1}, "keepdims", 1L);
            String r = g.op("Sqrt", g.op("Add", ms, "eps"));
            return g.op("Mul", g.op("Div", x, r), weight);
        }

        private String linear(String x, String prefix, int in, int out, boolean bias) {
            String y = g.op("MatMul", x, weight(prefix + ".weight", in, out, 1.0 / Math.sqrt(in)));
            return bias ? g.op("Add", y, vector(prefix + ".bias", out, 0, 0.1)) : y;
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

            g.scalarFloat("eps", 1e-6f);
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
            g.scalarFloat("maskOn", 0f);
            g.scalarFloat("maskOff", -1e9f);
            g.scalarFloat("scale", (float) (1.0 / Math.sqrt(s.headDim())));

            String x = g.op("Gather", new String[] {weight("embed_tokens", s.vocab(), s.hidden(), 1.0), "input_ids"}, "axis", 0L);

            String past = g.op("Gather", new String[] {g.op("Shape", "past_key_values.0.key"), "idx2"}, "axis", 0L);
            String seq = g.op("Gather", new String[] {g.op("Shape", "input_ids"), "idx1"}, "axis", 0L);
            String total = g.op("Gather", new String[] {g.op("Shape", "attention_mask"), "idx1"}, "axis", 0L);
            String queryIdx = g.op("Range", new String[] {past, g.op("Add", past, seq), "one"});
            String positions = s.positionIds() ? "position_ids" : g.op("Unsqueeze", queryIdx, "axes0");

            float[] invFreq = new float[s.rotaryDim() / 2];
            for (int i = 0; i < invFreq.length; i++) {
                invFreq[i] = (float) (1.0 / Math.pow(10000.0, (2.0 * i) / s.rotaryDim()));
            }
            String freqs = g.op("Mul", g.op("Unsqueeze", g.op("Cast", new String[] {positions}, "to", (long) OnnxGraph.FLOAT), "axesLast"),
                    g.floats("inv_freq", new long[] {invFreq.length}, invFreq));
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
                if (s.fp16Kv()) {
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
            if (s.logitsToKeep()) {
                String start = g.op("Unsqueeze", g.op("Neg", "num_logits_to_keep"), "axes0");
                x = g.op("Slice", new String[] {x, start, g.longs("int_max", Long.MAX_VALUE), "axes1"});
            }
            String lmHead = weight("lm_head", s.hidden(), s.vocab(), 4.0 / Math.sqrt(s.hidden()));
            if (s.fp16Kv()) {
                // fp16 exports (fp16, q4f16) return float16 logits too.
                g.node("Cast", new String[] {g.op("MatMul", x, lmHead)}, new String[] {"logits"}, "to", (long) OnnxGraph.FLOAT16);
            } else {
                g.node("MatMul", new String[] {x, lmHead}, new String[] {"logits"});
            }
            return g;
        }
    }
}
