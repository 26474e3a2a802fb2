package io.kaiyuan.engine.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What the record beside a graph says about the graph that runs in its place on the CPU (written by
 * {@code io.kaiyuan.engine.ort.OptimizedGraph} when the model is first loaded): {@code <graph>.kaiyuan-optimised.json}.
 */
public final class OptimisationRecord {
    /** The record's name: the graph's file name followed by this. */
    public static final String SUFFIX = ".kaiyuan-optimised.json";
    /** Rebuilt with fused attention and norms, and int8 compute. */
    public static final String FUSED = "fused";
    /** Run with int8 compute. */
    public static final String INT8 = "int8";
    /** Run as exported. */
    public static final String EXPORTED = "exported";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long MAX_BYTES = 64 * 1024;

    private OptimisationRecord() {}

    /** The record of {@code graph}. */
    public static Path of(Path graph) {
        return graph.resolveSibling(graph.getFileName() + SUFFIX);
    }

    /**
     * How {@code graph} runs on the CPU as its record says: {@link #FUSED}, {@link #INT8} or {@link #EXPORTED}; empty
     * when there is no readable record yet (the model was not loaded since it was installed or changed).
     */
    public static String runs(Path graph) {
        Path record = of(graph);
        try {
            if (!Files.isRegularFile(record) || Files.size(record) > MAX_BYTES) {
                return "";
            }
            JsonNode r = JSON.readTree(record.toFile());
            String runs = r == null ? "" : r.path("runs").asText("");
            boolean current = r != null && r.path("source_size").asLong(-1) == Files.size(graph);
            return current && (runs.equals(FUSED) || runs.equals(INT8) || runs.equals(EXPORTED)) ? runs : "";
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }

    /** How an installed model's graph runs ({@link #runs(Path)}), found from its folder and variant. */
    static String runs(Path dir, String variant) {
        try {
            Variant v = Variant.parse(variant);
            if (v != Variant.GENAI) {
                return runs(dir.resolve("onnx").resolve(v.fileName()));
            }
            try (var files = Files.list(dir)) {
                return files.filter(f -> f.getFileName().toString().endsWith(".onnx" + SUFFIX)).findFirst()
                        .map(f -> runs(f.resolveSibling(f.getFileName().toString().substring(0,
                                f.getFileName().toString().length() - SUFFIX.length()))))
                        .orElse("");
            }
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }
}
