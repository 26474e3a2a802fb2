package io.kaiyuan.engine.ort;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A 4-bit graph's rewrite for int8 compute ({@link GraphRewrite}: MatMulNBits accuracy_level 4), kept beside the
 * graph as {@code <graph>.kaiyuan-int8.onnx} (kilobytes: its weights are read from the original) with a record
 * {@code <graph>.kaiyuan-int8.json} of what it was made from: the original's size and modification time and the
 * ONNX Runtime version. It is made on first use and made again when the original or the runtime changes; a graph
 * without MatMulNBits is recorded as such and opened as it is.
 */
public final class OptimizedGraph {
    private static final Logger LOG = LoggerFactory.getLogger(OptimizedGraph.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The rewrite's name, in the record and in what the app and bench say. */
    public static final String REWRITE = "MatMulNBits accuracy_level 4 (int8 compute)";
    static final String SUFFIX = ".kaiyuan-int8.onnx";
    static final String RECORD = ".kaiyuan-int8.json";

    /**
     * The graph to open.
     *
     * @param graph the rewrite, or the original
     * @param optimised whether it is the rewrite
     */
    public record Choice(Path graph, boolean optimised) {}

    private OptimizedGraph() {}

    /**
     * The rewrite of {@code graph} for {@code runtimeVersion}, made now when missing or stale; the graph itself when
     * it has no MatMulNBits or its folder cannot be written (said in the log).
     */
    public static Choice prepare(Path graph, String runtimeVersion) {
        Path rewrite = graph.resolveSibling(graph.getFileName() + SUFFIX);
        Path record = graph.resolveSibling(graph.getFileName() + RECORD);
        try {
            long size = Files.size(graph);
            long modified = Files.getLastModifiedTime(graph).toMillis();
            if (Files.isRegularFile(record) && Files.size(record) <= 64 * 1024) {
                JsonNode r = JSON.readTree(record.toFile());
                if (r != null && r.path("source_size").asLong(-1) == size && r.path("source_modified").asLong(-1) == modified
                        && r.path("onnxruntime").asText("").equals(runtimeVersion)) {
                    boolean made = r.path("nodes").asInt(0) > 0 && Files.isRegularFile(rewrite);
                    if (made || r.path("nodes").asInt(-1) == 0) {
                        return new Choice(made ? rewrite : graph, made);
                    }
                }
            }
            GraphRewrite.Result result = GraphRewrite.matMulNBitsAccuracy(graph, rewrite, 4, true);
            if (result.changed() == 0) {
                Files.deleteIfExists(rewrite);
            }
            ObjectNode r = JSON.createObjectNode().put("source", graph.getFileName().toString()).put("source_size", size)
                    .put("source_modified", modified).put("onnxruntime", runtimeVersion).put("rewrite", REWRITE)
                    .put("nodes", result.changed());
            Path temp = record.resolveSibling(record.getFileName() + ".partial");
            JSON.writerWithDefaultPrettyPrinter().writeValue(temp.toFile(), r);
            Files.move(temp, record, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return new Choice(result.changed() > 0 ? rewrite : graph, result.changed() > 0);
        } catch (IOException | RuntimeException e) {
            LOG.warn("{} runs as exported: its int8-compute rewrite could not be made ({})", graph, e.getMessage());
            return new Choice(graph, false);
        }
    }
}
