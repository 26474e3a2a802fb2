package io.kaiyuan.engine.ort;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.TensorInfo;
import ai.onnxruntime.ValueInfo;
import io.kaiyuan.engine.api.ModelLoadException;
import io.kaiyuan.engine.model.DecoderIo;
import io.kaiyuan.engine.model.ModelConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * What a decoder graph takes and gives, read from the opened graph and checked against its configuration:
 * the names ({@link DecoderIo}: the transformers.js layout, a GenAI folder's, or a rewrite's), how many
 * layers of cache it keeps and in what shape and type, the width and type of its logits, and which
 * optional inputs it has.
 *
 * @param names the names of the inputs and outputs
 * @param layers decoder layers, one past key and value input each
 * @param kvHeads key/value heads of a cache tensor
 * @param headDim width of a head
 * @param vocab width of the logits (the model's vocab_size, often larger than the tokenizer's vocabulary)
 * @param kvType float32 or float16
 * @param logitsType float32 or float16
 * @param hasPositionIds whether the graph takes position ids
 * @param hasLogitsToKeep whether the graph takes {@value #LOGITS_TO_KEEP} (then it returns one row of logits)
 */
public record GraphIo(DecoderIo names, int layers, int kvHeads, int headDim, int vocab, OnnxJavaType kvType,
        OnnxJavaType logitsType, boolean hasPositionIds, boolean hasLogitsToKeep) {

    /** The optional input that limits the logits to the last rows. */
    public static final String LOGITS_TO_KEEP = "num_logits_to_keep";

    /** The past inputs, key and value per layer: {@code past[2i]} is layer i's key, {@code past[2i+1]} its value. */
    public String[] pastNames() {
        String[] out = new String[2 * layers];
        for (int i = 0; i < layers; i++) {
            out[2 * i] = names.pastKey(i);
            out[2 * i + 1] = names.pastValue(i);
        }
        return out;
    }

    /** The present outputs, in the order of {@link #pastNames()}. */
    public String[] presentNames() {
        String[] out = new String[2 * layers];
        for (int i = 0; i < layers; i++) {
            out[2 * i] = names.presentKey(i);
            out[2 * i + 1] = names.presentValue(i);
        }
        return out;
    }

    /** Bytes one position of cache takes over all layers (keys and values). */
    public long bytesPerPosition() {
        return 2L * layers * kvHeads * headDim * (kvType == OnnxJavaType.FLOAT16 ? 2 : 4);
    }

    /**
     * Reads an opened graph's inputs and outputs. Throws {@link ModelLoadException} naming what is missing,
     * unknown or does not agree with {@code config}.
     */
    public static GraphIo of(Map<String, NodeInfo> inputs, Map<String, NodeInfo> outputs, ModelConfig config,
            DecoderIo io, Path graph) {
        require(inputs, io.inputIds(), graph);
        require(inputs, io.attentionMask(), graph);
        int layers = 0;
        while (layers <= inputs.size() && inputs.containsKey(io.pastKey(layers))) {
            layers++;
        }
        Set<String> known = new HashSet<>(List.of(io.inputIds(), io.attentionMask(), io.positionIds(), LOGITS_TO_KEEP));
        for (int i = 0; i < layers; i++) {
            known.add(io.pastKey(i));
            known.add(io.pastValue(i));
        }
        Set<String> unknown = new TreeSet<>(inputs.keySet());
        unknown.removeAll(known);
        if (!unknown.isEmpty()) {
            throw new ModelLoadException(graph + " has inputs Kaiyuan does not know: " + String.join(", ", unknown)
                    + ". Kaiyuan runs decoder-only exports with KV cache (" + io.inputIds() + ", " + io.attentionMask()
                    + ", " + io.positionIds() + ", " + io.pastKey().replace("%d", "N") + "/" + io.pastValue().replace("%d", "N")
                    + "), as in the onnx-community repositories and ONNX Runtime GenAI folders.");
        }
        if (layers == 0) {
            throw new ModelLoadException(graph + " has no KV-cache inputs (" + io.pastKey().replace("%d", "N") + "): export"
                    + " the model with its past (Optimum's text-generation-with-past task).");
        }
        if (layers != config.layers()) {
            throw new ModelLoadException(graph + " has " + layers + " layers of KV cache, but its configuration says"
                    + " num_hidden_layers = " + config.layers() + ": the graph and its configuration do not belong together.");
        }

        TensorInfo kvInfo = tensorInfo(inputs, io.pastKey(0), graph);
        OnnxJavaType kvType = kvInfo.type;
        if (kvType != OnnxJavaType.FLOAT && kvType != OnnxJavaType.FLOAT16) {
            throw new ModelLoadException(graph + " keeps its KV cache as " + kvType + "; Kaiyuan supports float32 and float16.");
        }
        long[] kvShape = kvInfo.getShape();
        if (kvShape.length != 4) {
            throw new ModelLoadException(graph + ": " + io.pastKey(0) + " has rank " + kvShape.length + ", expected 4.");
        }
        int kvHeads = kvShape[1] > 0 ? (int) kvShape[1] : config.kvHeads();
        int headDim = kvShape[3] > 0 ? (int) kvShape[3] : config.headDim();
        if (kvHeads != config.kvHeads() || headDim != config.headDim()) {
            throw new ModelLoadException(graph + " has KV heads x head_dim " + kvHeads + " x " + headDim
                    + ", but its configuration gives " + config.kvHeads() + " x " + config.headDim() + ".");
        }
        for (int i = 0; i < layers; i++) {
            for (String name : new String[] {io.pastKey(i), io.pastValue(i)}) {
                TensorInfo t = tensorInfo(inputs, name, graph);
                if (t.type != kvType) {
                    throw new ModelLoadException(graph + ": " + name + " is " + t.type + " but " + io.pastKey(0) + " is "
                            + kvType + ".");
                }
            }
            require(outputs, io.presentKey(i), graph);
            require(outputs, io.presentValue(i), graph);
        }
        TensorInfo logitsInfo = tensorInfo(outputs, io.logits(), graph);
        OnnxJavaType logitsType = logitsInfo.type;
        if (logitsType != OnnxJavaType.FLOAT && logitsType != OnnxJavaType.FLOAT16) {
            throw new ModelLoadException(graph + " gives logits as " + logitsType + "; expected float32 or float16.");
        }
        long[] logitsShape = logitsInfo.getShape();
        int vocab = logitsShape.length == 3 && logitsShape[2] > 0 ? (int) logitsShape[2] : config.vocabSize();
        return new GraphIo(io, layers, kvHeads, headDim, vocab, kvType, logitsType, inputs.containsKey(io.positionIds()),
                inputs.containsKey(LOGITS_TO_KEEP));
    }

    private static void require(Map<String, NodeInfo> infos, String name, Path graph) {
        if (!infos.containsKey(name)) {
            throw new ModelLoadException(graph + " has no '" + name + "': it is not a decoder graph in the onnx-community"
                    + " or ONNX Runtime GenAI layout (it has " + String.join(", ", first(new TreeSet<>(infos.keySet()), 12)) + ").");
        }
    }

    /** The first {@code n} names, and how many more there are. */
    private static List<String> first(Set<String> names, int n) {
        List<String> out = new ArrayList<>(new ArrayList<>(names).subList(0, Math.min(n, names.size())));
        if (names.size() > n) {
            out.add("and " + (names.size() - n) + " more");
        }
        return out;
    }

    private static TensorInfo tensorInfo(Map<String, NodeInfo> infos, String name, Path graph) {
        require(infos, name, graph);
        ValueInfo info = infos.get(name).getInfo();
        if (!(info instanceof TensorInfo t)) {
            throw new ModelLoadException(graph + ": '" + name + "' is not a tensor.");
        }
        return t;
    }
}
