package io.kaiyuan.engine.ort;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The floor of the engine's design, for the benchmark: bare session.run calls with the KV handoff only
 * (present of one run fed as past of the next), no logits read, no sampling, no detokenizing. Each step
 * is timed whole: making its input tensors, the run, and releasing the previous step's outputs, which
 * any loop over this graph must do.
 * Runs on the decoder's own session; call it on the model's generation thread with the cache reset.
 * A graph with a shared past/present buffer runs here with a growing cache (new present tensors each
 * run), as every graph in the transformers.js layout does.
 */
public final class BareLoop {
    /** Seconds spent in the prefill run and in all decode runs. */
    public record Timing(double prefillSeconds, double decodeSeconds) {}

    private BareLoop() {}

    public static Timing run(DecoderSession decoder, int[] prompt, int newTokens) throws OrtException {
        var env = ai.onnxruntime.OrtEnvironment.getEnvironment();
        OrtSession session = decoder.session();
        GraphIo graph = decoder.graph();
        io.kaiyuan.engine.model.DecoderIo io = graph.names();
        List<AutoCloseable> toClose = new ArrayList<>();
        Map<String, OnnxTensor> past = new HashMap<>();
        for (int i = 0; i < graph.layers(); i++) {
            for (String name : new String[] {io.pastKey(i), io.pastValue(i)}) {
                OnnxTensor empty = OnnxTensor.createTensor(env, java.nio.ByteBuffer.allocateDirect(0),
                        new long[] {1, graph.kvHeads(), 0, graph.headDim()}, graph.kvType());
                toClose.add(empty);
                past.put(name, empty);
            }
        }
        OrtSession.Result previous = null;
        long prefillNs = 0;
        long decodeNs = 0;
        int length = 0;
        try {
            for (int step = 0; step <= newTokens - 1; step++) {
                long t0 = System.nanoTime();
                int s = step == 0 ? prompt.length : 1;
                long[][] ids = new long[1][s];
                long[][] positions = new long[1][s];
                for (int i = 0; i < s; i++) {
                    ids[0][i] = step == 0 ? prompt[i] : prompt[prompt.length - 1];
                    positions[0][i] = length + i;
                }
                long[][] mask = new long[1][length + s];
                java.util.Arrays.fill(mask[0], 1L);
                Map<String, OnnxTensor> inputs = new HashMap<>(past);
                List<OnnxTensor> made = new ArrayList<>();
                made.add(OnnxTensor.createTensor(env, ids));
                inputs.put(io.inputIds(), made.get(made.size() - 1));
                made.add(OnnxTensor.createTensor(env, mask));
                inputs.put(io.attentionMask(), made.get(made.size() - 1));
                if (graph.hasPositionIds()) {
                    made.add(OnnxTensor.createTensor(env, positions));
                    inputs.put(io.positionIds(), made.get(made.size() - 1));
                }
                if (graph.hasLogitsToKeep()) {
                    made.add(OnnxTensor.createTensor(env, 1L));
                    inputs.put(GraphIo.LOGITS_TO_KEEP, made.get(made.size() - 1));
                }
                OrtSession.Result result = session.run(inputs);
                for (OnnxTensor m : made) {
                    m.close();
                }
                for (int i = 0; i < graph.layers(); i++) {
                    past.put(io.pastKey(i), (OnnxTensor) result.get(io.presentKey(i)).orElseThrow());
                    past.put(io.pastValue(i), (OnnxTensor) result.get(io.presentValue(i)).orElseThrow());
                }
                if (previous != null) {
                    previous.close();
                }
                previous = result;
                length += s;
                long elapsed = System.nanoTime() - t0;
                if (step == 0) {
                    prefillNs = elapsed;
                } else {
                    decodeNs += elapsed;
                }
            }
        } finally {
            if (previous != null) {
                previous.close();
            }
            for (AutoCloseable c : toClose) {
                try {
                    c.close();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        return new Timing(prefillNs / 1e9, decodeNs / 1e9);
    }
}
