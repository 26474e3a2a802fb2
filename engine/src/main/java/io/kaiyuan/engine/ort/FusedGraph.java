package io.kaiyuan.engine.ort;

import com.fasterxml.jackson.databind.JsonNode;
import io.kaiyuan.engine.onnx.ModelIndex;
import io.kaiyuan.engine.onnx.ModelIndex.Node;
import io.kaiyuan.engine.onnx.ModelIndex.Tensor;
import io.kaiyuan.engine.onnx.OnnxGraph;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Rebuilds a Qwen2/Qwen3 decoder exported by Optimum (the onnx-community layout: attention as dozens of small ops per
 * layer over a concatenated KV cache) as the graph ONNX Runtime runs fastest on a CPU: GroupQueryAttention with the
 * rotary embedding inside it (or RotaryEmbedding ops where Qwen3's q/k norms come first) over a past/present buffer
 * shared between runs, SimplifiedLayerNormalization and SkipSimplifiedLayerNormalization for the RMS norms and
 * residual adds, MatMulNBits with int8 compute (accuracy_level 4), and the LM head applied only to the rows asked
 * for ({@code num_logits_to_keep}). About 16 nodes a layer instead of ~64.
 *
 * <p>The original's own weight nodes are taken over as they are (their attributes kept; MatMulNBits gets
 * accuracy_level 4), found by the module names PyTorch's exporter gives them ({@code /model/layers.N/self_attn/q_proj/…},
 * {@code /model/layers.N/input_layernorm/…}, {@code /model/embed_tokens/…}, {@code /lm_head/…}); their initializers
 * are referenced inside the original file as external data, so the rebuilt graph takes a few megabytes (the rotary
 * tables) and the original must stay beside it. A q4f16 export (float16 compute, which the CPU runs op by op through
 * Casts) is rebuilt the same way and computes in float32: its float16 scales, norms and biases behind Casts that
 * ONNX Runtime folds into float32 initializers at load, its float16 embedding table kept with only the looked-up rows
 * cast, and a float32 cache. Anything unexpected (another architecture, rope scaling, a layer whose weights are not
 * where the exporter puts them) is a {@link NotFusable} naming it, and the caller runs the original. What is rebuilt is checked against the original by running both
 * ({@link OptimizedGraph}).
 */
public final class FusedGraph {
    /** What the rebuilt graph is, in the record and in what the app and bench say. */
    public static final String DESCRIPTION = "fused attention and norms (GroupQueryAttention), int8 compute";
    /** The graph's inputs and outputs: transformers.js names, the cache one buffer updated in place. */
    public static final io.kaiyuan.engine.model.DecoderIo IO =
            io.kaiyuan.engine.model.DecoderIo.TRANSFORMERS_JS.withShareBuffer(true);
    private static final int FLOAT = 1;
    private static final int FLOAT16 = 10;
    private static final int MAX_LAYERS = 1024;
    private static final int MAX_POSITIONS = 1 << 20;
    /** Values in each rotary table (cos, sin) at most: 64 MB each. */
    private static final long MAX_ROTARY_VALUES = 16L << 20;

    /** Why a graph is not rebuilt. */
    public static final class NotFusable extends Exception {
        private static final long serialVersionUID = 1L;

        public NotFusable(String message) {
            super(message);
        }
    }

    /** What was built: layers, nodes in the rebuilt graph, nodes in the original. */
    public record Result(int layers, int nodes, int sourceNodes) {}

    /** The config.json fields the rebuild needs. */
    record Shape(String type, int layers, int hidden, int heads, int kvHeads, int headDim, int maxPositions,
            double ropeTheta, float eps) {}

    private FusedGraph() {}

    /** Checks config.json for an architecture this rebuilds and reads its shape. */
    static Shape shape(JsonNode config) throws NotFusable {
        String type = config.path("model_type").asText("");
        if (!type.equals("qwen2") && !type.equals("qwen3")) {
            throw new NotFusable("model_type '" + type + "' is not qwen2 or qwen3");
        }
        if (config.hasNonNull("rope_scaling")) {
            throw new NotFusable("rope_scaling is set");
        }
        if (config.hasNonNull("partial_rotary_factor") && config.get("partial_rotary_factor").asDouble() != 1.0) {
            throw new NotFusable("partial_rotary_factor is not 1");
        }
        if (config.hasNonNull("hidden_act") && !config.get("hidden_act").asText().equals("silu")) {
            throw new NotFusable("hidden_act is not silu");
        }
        if (config.path("use_sliding_window").asBoolean(false)) {
            throw new NotFusable("use_sliding_window is on");
        }
        int layers = number(config, "num_hidden_layers", MAX_LAYERS);
        int hidden = number(config, "hidden_size", 1 << 16);
        int heads = number(config, "num_attention_heads", 1024);
        int kvHeads = config.has("num_key_value_heads") ? number(config, "num_key_value_heads", heads) : heads;
        int headDim = config.hasNonNull("head_dim") ? number(config, "head_dim", 1024) : hidden / heads;
        int maxPositions = number(config, "max_position_embeddings", MAX_POSITIONS);
        if (heads % kvHeads != 0 || headDim % 2 != 0 || headDim < 2) {
            throw new NotFusable("heads " + heads + ", kv heads " + kvHeads + ", head size " + headDim + " do not fit");
        }
        if (headDim % 16 != 0) {
            throw new NotFusable("head size " + headDim + " is not a multiple of 16, as GroupQueryAttention needs");
        }
        if ((long) maxPositions * (headDim / 2) > MAX_ROTARY_VALUES) {
            throw new NotFusable("its rotary tables (" + maxPositions + " positions x " + headDim / 2 + ") would be too large");
        }
        double theta = config.path("rope_theta").asDouble(10000.0);
        double eps = config.path("rms_norm_eps").asDouble(1e-6);
        if (!(theta > 1 && theta < 1e12) || !(eps > 0 && eps < 1)) {
            throw new NotFusable("rope_theta " + theta + " or rms_norm_eps " + eps + " is out of range");
        }
        return new Shape(type, layers, hidden, heads, kvHeads, headDim, maxPositions, theta, (float) eps);
    }

    private static int number(JsonNode config, String field, int max) throws NotFusable {
        JsonNode n = config.get(field);
        if (n == null || !n.isIntegralNumber() || n.asLong() < 1 || n.asLong() > max) {
            throw new NotFusable(field + " is missing or not a whole number from 1 to " + max);
        }
        return n.asInt();
    }

    /**
     * Rebuilds {@code source} (a decoder graph of the model {@code config} describes) as {@code target}, in the
     * same folder.
     */
    public static Result build(Path source, JsonNode config, Path target) throws IOException, NotFusable {
        Shape s = shape(config);
        Path a = source.toAbsolutePath().normalize().getParent();
        if (a == null || !a.equals(target.toAbsolutePath().normalize().getParent())) {
            throw new IllegalArgumentException("the rebuilt graph goes beside the original");
        }
        try (ModelIndex index = ModelIndex.read(source)) {
            return new Builder(index, s).build(target);
        }
    }

    private static final class Builder {
        private final ModelIndex index;
        private final Shape s;
        private final OnnxGraph g = new OnnxGraph();
        private final Map<String, List<Node>> scopes = new LinkedHashMap<>();
        private final Set<String> taken = new HashSet<>();
        private int nodes;

        Builder(ModelIndex index, Shape s) {
            this.index = index;
            this.s = s;
            for (Node n : index.nodes()) {
                int slash = n.name().lastIndexOf('/');
                if (n.name().startsWith("/") && slash > 0) {
                    scopes.computeIfAbsent(n.name().substring(0, slash), k -> new ArrayList<>()).add(n);
                }
            }
        }

        private List<Node> scope(String scope) throws NotFusable {
            List<Node> found = scopes.get(scope);
            if (found == null) {
                throw new NotFusable("no nodes named " + scope + "/… (not a PyTorch export of this architecture)");
            }
            return found;
        }

        /** An initializer of the original, taken into the rebuilt graph (once). */
        private String take(String name) throws IOException {
            if (taken.add(name)) {
                g.tensor(name, index.tensorProto(index.initializers().get(name), true));
            }
            return name;
        }

        /**
         * An initializer of the original as the float32 the rebuilt graph computes in: float16 ones (a q4f16
         * export's scales, norms and biases) behind a Cast of their own, which ONNX Runtime folds into a float32
         * initializer when it loads the graph (the file keeps referencing the original's float16 bytes).
         */
        private String takeFloat(String name) throws IOException {
            take(name);
            if (index.initializers().get(name).dataType() != FLOAT16) {
                return name;
            }
            String asFloat = name + "_float32";
            if (taken.add(asFloat)) {
                nodeTo("Cast", new String[] {name}, new String[] {asFloat}, "to", (long) FLOAT);
            }
            return asFloat;
        }

        private static boolean isFloat(Tensor t) {
            return t.dataType() == FLOAT || t.dataType() == FLOAT16;
        }

        private boolean isInitializer(String name) {
            return index.initializers().containsKey(name);
        }

        private String node(String op, String[] in, Object... attributes) {
            nodes++;
            return g.op(op, in, attributes);
        }

        private void nodeTo(String op, String[] in, String[] out, Object... attributes) {
            nodes++;
            g.node(op, in, out, attributes);
        }

        /**
         * The linear layer in {@code scope} applied to {@code x}: its MatMulNBits (accuracy_level 4) or MatMul node
         * taken over, and its bias Add when it has one; the result named {@code output} when not null.
         */
        private String linear(String scope, String x, String output) throws IOException, NotFusable {
            Node matMul = null;
            String bias = null;
            for (Node n : scope(scope)) {
                if (n.is("com.microsoft:MatMulNBits") || n.is("MatMul")) {
                    if (matMul != null) {
                        throw new NotFusable(scope + " has more than one MatMul");
                    }
                    matMul = n;
                } else if (n.is("Add")) {
                    for (String i : n.inputs()) {
                        Tensor t = index.initializers().get(i);
                        if (t != null && t.dims().length == 1 && isFloat(t)) {
                            if (bias != null) {
                                throw new NotFusable(scope + " has more than one bias");
                            }
                            bias = i;
                        }
                    }
                }
            }
            if (matMul == null || matMul.inputs().size() < 2) {
                throw new NotFusable(scope + " has no MatMul");
            }
            List<String> in = new ArrayList<>();
            in.add(x);
            for (String i : matMul.inputs().subList(1, matMul.inputs().size())) {
                if (!i.isEmpty() && !isInitializer(i)) {
                    throw new NotFusable(scope + "'s weights are computed, not stored");
                }
                in.add(i.isEmpty() ? i : takeFloat(i));
            }
            String y = bias == null && output != null ? output : g.fresh("linear");
            List<byte[]> attributes = matMul.is("com.microsoft:MatMulNBits")
                    ? matMul.attributesWith("accuracy_level", ModelIndex.intAttribute("accuracy_level", 4))
                    : matMul.attributes();
            nodes++;
            g.node(matMul.opType(), matMul.domain(), in.toArray(String[]::new), new String[] {y}, attributes);
            if (bias == null) {
                return y;
            }
            String out = output != null ? output : g.fresh("biased");
            nodeTo("Add", new String[] {y, takeFloat(bias)}, new String[] {out});
            return out;
        }

        /** The one float vector of {@code size} that the nodes in {@code scope} use: an RMS norm's weight. */
        private String normWeight(String scope, int size) throws IOException, NotFusable {
            String found = null;
            for (Node n : scope(scope)) {
                for (String i : n.inputs()) {
                    Tensor t = index.initializers().get(i);
                    if (t != null && isFloat(t) && t.dims().length == 1 && t.dims()[0] == size) {
                        if (found != null && !found.equals(i)) {
                            throw new NotFusable(scope + " has more than one weight");
                        }
                        found = i;
                    }
                }
            }
            if (found == null) {
                throw new NotFusable(scope + " has no weight of " + size);
            }
            return takeFloat(found);
        }

        Result build(Path target) throws IOException, NotFusable {
            Map<String, Integer> inputs = index.inputs();
            for (String required : List.of("input_ids", "attention_mask", IO.pastKey(0), IO.pastValue(0))) {
                if (!inputs.containsKey(required)) {
                    throw new NotFusable("the graph has no input " + required);
                }
            }
            int cacheType = inputs.get(IO.pastKey(0));
            int logitsType = index.outputs().getOrDefault("logits", 0);
            if ((cacheType != FLOAT && cacheType != FLOAT16) || (logitsType != FLOAT && logitsType != FLOAT16)) {
                throw new NotFusable("its cache or logits are neither float32 nor float16");
            }
            if (index.nodes().stream().noneMatch(n -> n.is("com.microsoft:MatMulNBits"))) {
                throw new NotFusable("it has no 4-bit weights (MatMulNBits): float graphs run as exported");
            }
            if (inputs.containsKey(IO.pastKey(s.layers())) || !inputs.containsKey(IO.pastKey(s.layers() - 1))) {
                throw new NotFusable("its cache inputs are not for " + s.layers() + " layers");
            }
            boolean qkNorm = scopes.containsKey("/model/layers.0/self_attn/q_norm");
            boolean rotaryInAttention = !qkNorm;
            int kvWidth = s.kvHeads() * s.headDim();
            g.producer("kaiyuan");
            g.input("input_ids", OnnxGraph.INT64, "batch_size", "sequence_length");
            g.input("attention_mask", OnnxGraph.INT64, "batch_size", "total_sequence_length");
            if (!rotaryInAttention) {
                g.input("position_ids", OnnxGraph.INT64, "batch_size", "sequence_length");
            }
            g.input("num_logits_to_keep", OnnxGraph.INT64);
            for (int l = 0; l < s.layers(); l++) {
                g.input(IO.pastKey(l), OnnxGraph.FLOAT, "batch_size", (long) s.kvHeads(), "past_sequence_length", (long) s.headDim());
                g.input(IO.pastValue(l), OnnxGraph.FLOAT, "batch_size", (long) s.kvHeads(), "past_sequence_length", (long) s.headDim());
            }
            g.output("logits", OnnxGraph.FLOAT, "batch_size", "sequence_length", "vocab_size");
            for (int l = 0; l < s.layers(); l++) {
                g.output(IO.presentKey(l), OnnxGraph.FLOAT, "batch_size", (long) s.kvHeads(), "present_sequence_length", (long) s.headDim());
                g.output(IO.presentValue(l), OnnxGraph.FLOAT, "batch_size", (long) s.kvHeads(), "present_sequence_length", (long) s.headDim());
            }

            // the embedding lookup as exported (Gather, or a quantized gather), on input_ids
            Node embed = null;
            for (Node n : scope("/model/embed_tokens")) {
                if (n.inputs().contains("input_ids")) {
                    embed = n;
                }
            }
            if (embed == null || embed.outputs().isEmpty()) {
                throw new NotFusable("/model/embed_tokens does not read input_ids");
            }
            List<String> embedIn = new ArrayList<>();
            boolean halfEmbedding = false;
            for (String i : embed.inputs()) {
                if (i.equals("input_ids") || i.isEmpty()) {
                    embedIn.add(i);
                } else if (isInitializer(i)) {
                    Tensor t = index.initializers().get(i);
                    if (embed.is("Gather") && !isFloat(t)) {
                        throw new NotFusable("the embedding table is neither float32 nor float16");
                    }
                    halfEmbedding |= t.dataType() == FLOAT16;
                    embedIn.add(take(i));
                } else {
                    throw new NotFusable("the embedding table is computed, not stored");
                }
            }
            String x = g.fresh("embedding");
            nodes++;
            g.node(embed.opType(), embed.domain(), embedIn.toArray(String[]::new), new String[] {x}, embed.attributes());
            if (halfEmbedding) {
                // a float16 table stays float16 (half the memory); only the rows looked up become float32
                x = node("Cast", new String[] {x}, "to", (long) FLOAT);
            }

            g.longs("axes0", 0);
            g.longs("axes1", 1);
            g.scalarLong("idx1", 1);
            g.scalarLong("one", 1);
            // GroupQueryAttention's seqlens_k (tokens seen - 1) and total_sequence_length, from the attention mask
            String seqlens = node("Cast", new String[] {node("Sub", new String[] {node("ReduceSum",
                    new String[] {"attention_mask", "axes1"}, "keepdims", 0L), "one"})}, "to", (long) OnnxGraph.INT32);
            String total = node("Cast", new String[] {node("Gather", new String[] {node("Shape",
                    new String[] {"attention_mask"}), "idx1"}, "axis", 0L)}, "to", (long) OnnxGraph.INT32);
            int half = s.headDim() / 2;
            float[] cos = new float[s.maxPositions() * half];
            float[] sin = new float[s.maxPositions() * half];
            for (int i = 0; i < half; i++) {
                // as transformers computes them: inv_freq and the angles in float32
                float invFreq = (float) (1.0 / Math.pow(s.ropeTheta(), (2.0 * i) / s.headDim()));
                for (int p = 0; p < s.maxPositions(); p++) {
                    float angle = (float) p * invFreq;
                    cos[p * half + i] = (float) Math.cos(angle);
                    sin[p * half + i] = (float) Math.sin(angle);
                }
            }
            g.floats("cos_cache", new long[] {s.maxPositions(), half}, cos);
            g.floats("sin_cache", new long[] {s.maxPositions(), half}, sin);
            float scale = (float) (1.0 / Math.sqrt(s.headDim()));

            String residual = x;
            String h = g.fresh("input_norm");
            nodeTo("SimplifiedLayerNormalization", new String[] {x,
                    normWeight("/model/layers.0/input_layernorm", s.hidden())}, new String[] {h}, "axis", -1L, "epsilon", s.eps());
            for (int l = 0; l < s.layers(); l++) {
                String p = "/model/layers." + l;
                String q = linear(p + "/self_attn/q_proj", h, null);
                String k = linear(p + "/self_attn/k_proj", h, null);
                String v = linear(p + "/self_attn/v_proj", h, null);
                if (qkNorm) {
                    q = headNorm(q, p + "/self_attn/q_norm", s.heads());
                    k = headNorm(k, p + "/self_attn/k_norm", s.kvHeads());
                    q = node("com.microsoft:RotaryEmbedding", new String[] {q, "position_ids", "cos_cache", "sin_cache"},
                            "interleaved", 0L, "num_heads", (long) s.heads());
                    k = node("com.microsoft:RotaryEmbedding", new String[] {k, "position_ids", "cos_cache", "sin_cache"},
                            "interleaved", 0L, "num_heads", (long) s.kvHeads());
                }
                String context = g.fresh("attention");
                nodeTo("com.microsoft:GroupQueryAttention",
                        rotaryInAttention
                                ? new String[] {q, k, v, IO.pastKey(l), IO.pastValue(l), seqlens, total, "cos_cache", "sin_cache"}
                                : new String[] {q, k, v, IO.pastKey(l), IO.pastValue(l), seqlens, total},
                        new String[] {context, IO.presentKey(l), IO.presentValue(l)},
                        "num_heads", (long) s.heads(), "kv_num_heads", (long) s.kvHeads(), "scale", scale,
                        "do_rotary", rotaryInAttention ? 1L : 0L, "rotary_interleaved", 0L);
                String attention = linear(p + "/self_attn/o_proj", context, null);
                String h2 = g.fresh("post_norm");
                String sum = g.fresh("residual");
                nodeTo("com.microsoft:SkipSimplifiedLayerNormalization", new String[] {residual, attention,
                        normWeight(p + "/post_attention_layernorm", s.hidden())}, new String[] {h2, "", "", sum},
                        "epsilon", s.eps());
                String gate = linear(p + "/mlp/gate_proj", h2, null);
                String up = linear(p + "/mlp/up_proj", h2, null);
                String act = node("Mul", new String[] {node("Mul", new String[] {gate, node("Sigmoid", new String[] {gate})}), up});
                String mlp = linear(p + "/mlp/down_proj", act, null);
                String nextWeight = l + 1 < s.layers()
                        ? normWeight("/model/layers." + (l + 1) + "/input_layernorm", s.hidden())
                        : normWeight("/model/norm", s.hidden());
                h = g.fresh(l + 1 < s.layers() ? "input_norm" : "final_norm");
                String next = g.fresh("residual");
                nodeTo("com.microsoft:SkipSimplifiedLayerNormalization", new String[] {sum, mlp, nextWeight},
                        new String[] {h, "", "", next}, "epsilon", s.eps());
                residual = next;
            }
            if (scopes.containsKey("/model/layers." + s.layers() + "/self_attn/q_proj")) {
                throw new NotFusable("the graph has more layers than config.json says");
            }
            // only the rows asked for reach the LM head (the last one of a prompt): at a 152k vocabulary the head
            // of every prompt row would be half of the prompt's time
            String start = node("Unsqueeze", new String[] {node("Neg", new String[] {"num_logits_to_keep"}), "axes0"});
            String kept = node("Slice", new String[] {h, start, g.longs("int_max", Long.MAX_VALUE), "axes1"});
            linear("/lm_head", kept, "logits");
            g.write(target, false);
            return new Result(s.layers(), nodes, index.nodes().size());
        }

        /** Qwen3's per-head RMS norm of a [batch, seq, heads * headDim] projection. */
        private String headNorm(String x, String scope, int heads) throws IOException, NotFusable {
            String weight = normWeight(scope, s.headDim());
            String perHead = node("Reshape", new String[] {x, g.longs(g.fresh("shape"), 0, 0, heads, s.headDim())});
            String normed = node("SimplifiedLayerNormalization", new String[] {perHead, weight},
                    "axis", -1L, "epsilon", s.eps());
            return node("Reshape", new String[] {normed, g.longs(g.fresh("shape"), 0, 0, (long) heads * s.headDim())});
        }
    }
}
