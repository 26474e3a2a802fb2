package io.kaiyuan.engine.model;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;

/**
 * Whether a model fits this machine: its weights plus the KV cache at the chosen context
 * (layers x kv_heads x head_dim x 2 x bytes per value x tokens) plus the runtime's working memory,
 * against the memory available.
 */
public final class MemoryFit {
    /** The verdict shown beside a model. */
    public enum Fit { FITS, TIGHT, WONT_FIT }

    /**
     * @param weightsBytes the variant's graph and data files
     * @param kvCacheBytes the KV cache at {@code contextTokens}
     * @param workingBytes activations, the runtime and the app
     * @param availableBytes memory available on this machine
     */
    public record Estimate(long weightsBytes, long kvCacheBytes, long workingBytes, long availableBytes, int contextTokens,
            Fit fit) {
        public long neededBytes() {
            return weightsBytes + kvCacheBytes + workingBytes;
        }
    }

    /** Working memory beyond weights and cache: ONNX Runtime, activations and the JVM. */
    static final long BASE_WORKING_BYTES = 512L << 20;

    private MemoryFit() {}

    /** Bytes of KV cache for {@code tokens} positions. */
    public static long kvCacheBytes(ModelConfig config, int bytesPerValue, int tokens) {
        return (long) config.layers() * config.kvHeads() * config.headDim() * 2L * bytesPerValue * tokens;
    }

    /**
     * Fits when the need is at most 70% of what is available, tight up to 95%, otherwise it won't fit.
     *
     * @param kvBytesPerValue 2 for a float16 cache, 4 for float32
     */
    public static Estimate estimate(long weightsBytes, ModelConfig config, int kvBytesPerValue, int contextTokens,
            long availableBytes) {
        return estimate(weightsBytes, kvCacheBytes(config, kvBytesPerValue, contextTokens), contextTokens, availableBytes);
    }

    /** As above, with the KV cache's bytes at {@code contextTokens} already computed. */
    public static Estimate estimate(long weightsBytes, long kv, int contextTokens, long availableBytes) {
        long working = BASE_WORKING_BYTES + weightsBytes / 10;
        long need = weightsBytes + kv + working;
        Fit fit = need <= availableBytes * 0.70 ? Fit.FITS : need <= availableBytes * 0.95 ? Fit.TIGHT : Fit.WONT_FIT;
        return new Estimate(weightsBytes, kv, working, availableBytes, contextTokens, fit);
    }

    /** Memory available to a new program: MemAvailable on Linux, else the JVM's view of free physical memory. */
    public static long availableMemory() {
        OptionalLong fromProc = memAvailable(Path.of("/proc/meminfo"));
        if (fromProc.isPresent()) {
            return fromProc.getAsLong();
        }
        java.lang.management.OperatingSystemMXBean os = java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof com.sun.management.OperatingSystemMXBean sun) {
            return sun.getFreeMemorySize();
        }
        return Runtime.getRuntime().maxMemory();
    }

    static OptionalLong memAvailable(Path meminfo) {
        if (!Files.isReadable(meminfo)) {
            return OptionalLong.empty();
        }
        try {
            for (String line : Files.readAllLines(meminfo)) {
                if (line.startsWith("MemAvailable:")) {
                    return OptionalLong.of(Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024);
                }
            }
        } catch (IOException | NumberFormatException e) {
            return OptionalLong.empty();
        }
        return OptionalLong.empty();
    }
}
