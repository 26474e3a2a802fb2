package io.kaiyuan.engine.ort;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Where a graph's time goes, read from ONNX Runtime's own profile (a JSON array of trace events: a "model_run"
 * event per session run, a "*_kernel_time" event per node with its op type): per phase (prefill, decode), the time
 * of each op type per run, the nodes per run, and the part of a run spent outside any kernel (the executor
 * between nodes, allocation, the copy of inputs and outputs).
 */
public final class OpProfile {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** A profile with more events than this is not read further. */
    static final int MAX_EVENTS = 20_000_000;

    /** One op type in a phase: milliseconds and nodes per run. */
    public record OpTime(String op, double msPerRun, double nodesPerRun) {}

    /**
     * One phase: its runs, milliseconds per run (whole), milliseconds per run inside kernels, nodes per run and the
     * op types, most time first.
     */
    public record Phase(int runs, double msPerRun, double kernelMsPerRun, double nodesPerRun, List<OpTime> ops) {
        public Phase {
            ops = List.copyOf(ops);
        }

        /** The share of a run spent inside kernels, 0..1. */
        public double kernelShare() {
            return msPerRun == 0 ? 0 : kernelMsPerRun / msPerRun;
        }
    }

    /** The prefill runs and the decode runs of one generation. */
    public record Report(Phase prefill, Phase decode, Path file) {}

    private record Run(long start, long end) {}

    private record Node(long ts, long dur, String op) {}

    private OpProfile() {}

    /**
     * Reads {@code file}: the runs after the first {@code skipRuns} are one generation, its first
     * {@code prefillRuns} the prompt's and the rest one token each.
     */
    public static Report read(Path file, int skipRuns, int prefillRuns) throws IOException {
        List<Run> runs = new ArrayList<>();
        List<Node> nodes = new ArrayList<>();
        try (JsonParser p = JSON.getFactory().createParser(file.toFile())) {
            if (p.nextToken() != JsonToken.START_ARRAY) {
                throw new IOException(file + " is not an ONNX Runtime profile (a JSON array of events)");
            }
            int events = 0;
            while (p.nextToken() == JsonToken.START_OBJECT && events++ < MAX_EVENTS) {
                JsonNode e = JSON.readTree(p);
                String name = e.path("name").asText("");
                long ts = e.path("ts").asLong();
                long dur = e.path("dur").asLong();
                if (e.path("cat").asText("").equals("Session") && name.equals("model_run")) {
                    runs.add(new Run(ts, ts + dur));
                } else if (e.path("cat").asText("").equals("Node") && name.endsWith("_kernel_time")) {
                    nodes.add(new Node(ts, dur, e.path("args").path("op_name").asText("?")));
                }
            }
        }
        runs.sort(Comparator.comparingLong(Run::start));
        nodes.sort(Comparator.comparingLong(Node::ts));
        if (runs.size() < skipRuns + prefillRuns + 1) {
            throw new IOException(file + " holds " + runs.size() + " runs, fewer than the " + (skipRuns + prefillRuns + 1)
                    + " measured");
        }
        List<Run> prefill = runs.subList(skipRuns, skipRuns + prefillRuns);
        List<Run> decode = runs.subList(skipRuns + prefillRuns, runs.size());
        return new Report(phase(prefill, nodes), phase(decode, nodes), file);
    }

    private static Phase phase(List<Run> runs, List<Node> nodes) {
        Map<String, long[]> byOp = new HashMap<>(); // op -> {microseconds, count}
        long total = 0;
        long kernels = 0;
        long count = 0;
        for (Run r : runs) {
            total += r.end() - r.start();
            int i = firstAtOrAfter(nodes, r.start());
            for (; i < nodes.size() && nodes.get(i).ts() <= r.end(); i++) {
                Node n = nodes.get(i);
                long[] t = byOp.computeIfAbsent(n.op(), k -> new long[2]);
                t[0] += n.dur();
                t[1]++;
                kernels += n.dur();
                count++;
            }
        }
        int k = Math.max(1, runs.size());
        List<OpTime> ops = new ArrayList<>();
        byOp.forEach((op, t) -> ops.add(new OpTime(op, t[0] / 1000.0 / k, (double) t[1] / k)));
        ops.sort(Comparator.comparingDouble(OpTime::msPerRun).reversed());
        return new Phase(runs.size(), total / 1000.0 / k, kernels / 1000.0 / k, (double) count / k, ops);
    }

    private static int firstAtOrAfter(List<Node> nodes, long ts) {
        int lo = 0;
        int hi = nodes.size();
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (nodes.get(mid).ts() < ts) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }
}
