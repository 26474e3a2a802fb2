package io.kaiyuan.engine.ort;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kaiyuan.engine.api.ExecutionProvider;
import io.kaiyuan.engine.model.DecoderIo;
import io.kaiyuan.engine.model.ModelConfig;
import io.kaiyuan.engine.model.OptimisationRecord;
import io.kaiyuan.engine.sample.Greedy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The graph a 4-bit model runs on the CPU, made once beside the downloaded graph and kept with a record
 * {@code <graph>.kaiyuan-optimised.json} of what it was made from (the original's size and modification time, the
 * ONNX Runtime version, this code's {@link #FORMAT}) and of what was made (its sha256, checked at every load), and
 * made again when any of them changes:
 * <ol>
 *   <li>for a Qwen2/Qwen3 decoder exported by Optimum (the onnx-community layout), the graph rebuilt with fused
 *       attention and norms and int8 compute ({@link FusedGraph}, {@code <graph>.kaiyuan-fused.onnx}), kept only
 *       when it computes what the original computes: both run the same tokens (a prompt, then steps with the
 *       cache) and every logit of the rebuilt graph lies within {@link #TOLERANCE} of the original's largest logit
 *       (int8 compute moves them by about 1%; a wrong rebuild by as much as the logits themselves);
 *   <li>else the original with int8 compute ({@link GraphRewrite}: MatMulNBits accuracy_level 4,
 *       {@code <graph>.kaiyuan-int8.onnx});
 *   <li>a graph without MatMulNBits (float32, float16) runs as exported.
 * </ol>
 * Both rewrites take their weights from the original file (they are kilobytes to a few megabytes). A folder that
 * cannot be written, or anything that fails, leaves the original to run as exported (said in the log).
 */
public final class OptimizedGraph {
    private static final Logger LOG = LoggerFactory.getLogger(OptimizedGraph.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The int8-compute rewrite's name, in the record and in what the app and bench say. */
    public static final String REWRITE = "int8 compute (MatMulNBits accuracy_level 4)";
    /** Bumped when what is made changes, so that records of older code are made again. */
    static final int FORMAT = 3;
    static final String FUSED_SUFFIX = ".kaiyuan-fused.onnx";
    static final String INT8_SUFFIX = ".kaiyuan-int8.onnx";
    static final String RECORD = OptimisationRecord.SUFFIX;
    /** Largest difference of a logit, relative to the original's largest logit, that the fused graph may show. */
    static final double TOLERANCE = 0.05;
    /** A made graph holds rotary tables and names, never weights: larger than this, it is not one. */
    private static final long MAX_MADE_BYTES = 256L << 20;
    /** Tokens of the check's prompt, then the decode steps it runs. */
    private static final int CHECK_PROMPT = 12;
    private static final int CHECK_STEPS = 4;

    /**
     * The graph to open.
     *
     * @param graph the rewrite, or the original
     * @param io its input and output names
     * @param description what was done to it, or empty when it runs as exported
     */
    public record Choice(Path graph, DecoderIo io, String description) {
        /** The original, as exported. */
        public static Choice asExported(Path graph, DecoderIo io) {
            return new Choice(graph, io, "");
        }

        public boolean optimised() {
            return !description.isEmpty();
        }
    }

    private OptimizedGraph() {}

    /**
     * The graph to run for {@code graph} on the CPU: its rewrite, made now when missing or stale, or the graph itself.
     *
     * @param config the model's shape
     * @param configJson its config.json, or null when it has none (a GenAI folder: the graph is fused already)
     * @param io the original's input and output names
     */
    public static Choice prepare(OrtRuntime runtime, Path graph, ModelConfig config, JsonNode configJson, DecoderIo io) {
        Path fused = graph.resolveSibling(graph.getFileName() + FUSED_SUFFIX);
        Path int8 = graph.resolveSibling(graph.getFileName() + INT8_SUFFIX);
        Path record = graph.resolveSibling(graph.getFileName() + RECORD);
        try {
            long size = Files.size(graph);
            long modified = Files.getLastModifiedTime(graph).toMillis();
            Choice recorded = recorded(record, size, modified, runtime.version(), graph, fused, int8, io);
            if (recorded != null) {
                return recorded;
            }
            // older code's files
            Files.deleteIfExists(graph.resolveSibling(graph.getFileName() + ".kaiyuan-int8.json"));
            ObjectNode r = JSON.createObjectNode().put("format", FORMAT).put("source", graph.getFileName().toString())
                    .put("source_size", size).put("source_modified", modified).put("onnxruntime", runtime.version());
            Choice choice = make(runtime, graph, config, configJson, io, fused, int8, r);
            Path temp = record.resolveSibling(record.getFileName() + ".partial");
            JSON.writerWithDefaultPrettyPrinter().writeValue(temp.toFile(), r);
            Files.move(temp, record, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return choice;
        } catch (IOException | RuntimeException e) {
            LOG.warn("{} runs as exported: its optimised graph could not be made ({})", graph, e.getMessage());
            return Choice.asExported(graph, io);
        }
    }

    /** What the record says to run, or null when there is no record for this graph, runtime and code. */
    private static Choice recorded(Path record, long size, long modified, String runtimeVersion, Path graph, Path fused,
            Path int8, DecoderIo io) throws IOException {
        if (!Files.isRegularFile(record) || Files.size(record) > 64 * 1024) {
            return null;
        }
        JsonNode r;
        try {
            r = JSON.readTree(record.toFile());
        } catch (IOException e) {
            return null;
        }
        if (r == null || r.path("format").asInt(-1) != FORMAT || r.path("source_size").asLong(-1) != size
                || r.path("source_modified").asLong(-1) != modified || !r.path("onnxruntime").asText("").equals(runtimeVersion)) {
            return null;
        }
        switch (r.path("runs").asText("")) {
            case OptimisationRecord.FUSED:
                return intact(fused, r) ? new Choice(fused, FusedGraph.IO, FusedGraph.DESCRIPTION) : null;
            case OptimisationRecord.INT8:
                return intact(int8, r) ? new Choice(int8, io, REWRITE) : null;
            case OptimisationRecord.EXPORTED:
                return Choice.asExported(graph, io);
            default:
                return null;
        }
    }

    /** Whether the made file is there with the sha256 its record gives (a damaged or changed one is made again). */
    private static boolean intact(Path made, JsonNode record) throws IOException {
        return Files.isRegularFile(made) && Files.size(made) <= MAX_MADE_BYTES
                && record.path("sha256").asText("").equals(sha256(made));
    }

    /** The sha256 of a made file, in hex. */
    static String sha256(Path file) throws IOException {
        java.security.MessageDigest digest;
        try {
            digest = java.security.MessageDigest.getInstance("SHA-256");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        try (java.io.InputStream in = Files.newInputStream(file)) {
            byte[] buffer = new byte[1 << 16];
            for (int n; (n = in.read(buffer)) > 0; ) {
                digest.update(buffer, 0, n);
            }
        }
        return java.util.HexFormat.of().formatHex(digest.digest());
    }

    /** Makes the rewrite, fills the record and says what to run. */
    private static Choice make(OrtRuntime runtime, Path graph, ModelConfig config, JsonNode configJson, DecoderIo io,
            Path fused, Path int8, ObjectNode r) throws IOException {
        Files.deleteIfExists(fused);
        Files.deleteIfExists(int8);
        if (configJson != null && io.equals(DecoderIo.TRANSFORMERS_JS)) {
            try {
                long start = System.nanoTime();
                FusedGraph.Result result = FusedGraph.build(graph, configJson, fused);
                double difference = check(runtime, graph, config, io, fused, FusedGraph.IO);
                long ms = (System.nanoTime() - start) / 1_000_000;
                if (difference <= TOLERANCE) {
                    r.put("sha256", sha256(fused));
                    r.put("runs", OptimisationRecord.FUSED).put("rewrite", FusedGraph.DESCRIPTION).put("nodes", result.nodes())
                            .put("source_nodes", result.sourceNodes()).put("checked_difference", difference).put("made_ms", ms);
                    LOG.info("{}: rebuilt with {} in {} ms ({} nodes instead of {}; logits within {} of the original's)",
                            graph, FusedGraph.DESCRIPTION, ms, result.nodes(), result.sourceNodes(), String.format("%.4f", difference));
                    return new Choice(fused, FusedGraph.IO, FusedGraph.DESCRIPTION);
                }
                r.put("not_fused", "its logits differ from the original's by " + difference + " of the largest");
                LOG.warn("{}: the rebuilt graph's logits differ from the original's by {} of the largest; not used", graph,
                        difference);
            } catch (FusedGraph.NotFusable e) {
                r.put("not_fused", e.getMessage());
                LOG.info("{}: attention not fused: {}", graph, e.getMessage());
            } catch (OrtException | IOException | RuntimeException e) {
                r.put("not_fused", String.valueOf(e.getMessage()));
                LOG.warn("{}: the rebuilt graph failed ({}); not used", graph, e.getMessage());
                LOG.debug("the rebuilt graph's failure", e);
            }
            Files.deleteIfExists(fused);
        }
        GraphRewrite.Result result = GraphRewrite.rewrite(graph, int8, 4, true, io.logits());
        if (result.changed() == 0) {
            Files.deleteIfExists(int8);
            r.put("runs", OptimisationRecord.EXPORTED).put("nodes", 0);
            return Choice.asExported(graph, io);
        }
        if (result.logitsRows()) {
            // the LM head moved behind a Slice: kept only when it computes what the original computes
            double difference;
            try {
                difference = check(runtime, graph, config, io, int8, io);
            } catch (OrtException | RuntimeException e) {
                difference = Double.NaN;
                LOG.warn("{}: the LM head on the rows asked for failed ({}); not used", graph, e.getMessage());
            }
            if (difference <= TOLERANCE) {
                r.put("logits_rows", true).put("checked_difference", difference);
            } else {
                r.put("logits_rows", false);
                result = GraphRewrite.matMulNBitsAccuracy(graph, int8, 4, true);
            }
        }
        r.put("runs", OptimisationRecord.INT8).put("rewrite", REWRITE).put("nodes", result.changed()).put("sha256", sha256(int8));
        return new Choice(int8, io, REWRITE);
    }

    /**
     * Runs the same tokens through the original and the made graph (a prompt, then single steps on the cache
     * fed with the original's greedy choices) and returns the largest logit difference relative to the original's
     * largest logit at that position.
     */
    static double check(OrtRuntime runtime, Path original, ModelConfig config, DecoderIo io, Path made, DecoderIo madeIo)
            throws OrtException {
        int vocab = config.vocabSize();
        int[] tokens = new int[CHECK_PROMPT + CHECK_STEPS];
        for (int i = 0; i < CHECK_PROMPT; i++) {
            tokens[i] = Math.min(vocab - 1, 100 + (i * 37) % 1000);
        }
        float[][] expected = new float[CHECK_STEPS + 1][];
        try (DecoderSession d = DecoderSession.open(runtime, original, config, io, ExecutionProvider.CPU, 0);
                OrtSession.RunOptions options = new OrtSession.RunOptions()) {
            expected[0] = d.forward(tokens, 0, CHECK_PROMPT, options).clone();
            for (int s = 0; s < CHECK_STEPS; s++) {
                tokens[CHECK_PROMPT + s] = Greedy.pick(expected[s]);
                int at = CHECK_PROMPT + s;
                expected[s + 1] = d.forward(tokens, at, at + 1, options).clone();
            }
        }
        double worst = 0;
        try (DecoderSession d = DecoderSession.open(runtime, made, config, madeIo, ExecutionProvider.CPU, 0);
                OrtSession.RunOptions options = new OrtSession.RunOptions()) {
            worst = Math.max(worst, difference(expected[0], d.forward(tokens, 0, CHECK_PROMPT, options)));
            for (int s = 0; s < CHECK_STEPS; s++) {
                int at = CHECK_PROMPT + s;
                worst = Math.max(worst, difference(expected[s + 1], d.forward(tokens, at, at + 1, options)));
            }
        }
        return worst;
    }

    /** max |a - b| / max |a|; 1 when the lengths differ or a number is not finite. */
    static double difference(float[] a, float[] b) {
        if (a.length != b.length) {
            return 1;
        }
        double largest = 0;
        double diff = 0;
        for (int i = 0; i < a.length; i++) {
            if (!Float.isFinite(a[i]) || !Float.isFinite(b[i])) {
                return 1;
            }
            largest = Math.max(largest, Math.abs(a[i]));
            diff = Math.max(diff, Math.abs(a[i] - b[i]));
        }
        return largest == 0 ? (diff == 0 ? 0 : 1) : diff / largest;
    }
}
