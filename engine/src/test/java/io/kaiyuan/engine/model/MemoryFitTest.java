package io.kaiyuan.engine.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MemoryFitTest {
    /** Qwen2.5-0.5B: 24 layers, 2 KV heads, head_dim 64. */
    private static final ModelConfig QWEN25_05B = new ModelConfig("qwen2", 24, 14, 2, 64, 151936, 32768);
    /** Qwen3-0.6B: 28 layers, 8 KV heads, head_dim 128 (not hidden/heads). */
    private static final ModelConfig QWEN3_06B = new ModelConfig("qwen3", 28, 16, 8, 128, 151936, 40960);

    @Test
    void kvCacheFollowsTheFormula() {
        // 24 x 2 x 64 x 2 (k and v) x 2 bytes x 4096 tokens = 50,331,648 bytes
        assertEquals(50_331_648L, MemoryFit.kvCacheBytes(QWEN25_05B, 2, 4096));
        assertEquals(28L * 8 * 128 * 2 * 4 * 32768, MemoryFit.kvCacheBytes(QWEN3_06B, 4, 32768));
    }

    @Test
    void verdictsAgainstAvailableMemory() {
        long gb = 1L << 30;
        long weights = 500L << 20;
        assertEquals(MemoryFit.Fit.FITS, MemoryFit.estimate(weights, QWEN25_05B, 2, 4096, 8 * gb).fit());
        MemoryFit.Estimate tight = MemoryFit.estimate(weights, QWEN25_05B, 2, 4096, (long) (1.3 * gb));
        assertEquals(MemoryFit.Fit.TIGHT, tight.fit(), "need " + tight.neededBytes());
        assertEquals(MemoryFit.Fit.WONT_FIT, MemoryFit.estimate(weights, QWEN25_05B, 2, 4096, gb).fit());
        // The same model fits at a short context and not at its full one on a small machine.
        assertEquals(MemoryFit.Fit.FITS, MemoryFit.estimate(1200L << 20, QWEN3_06B, 4, 2048, 4 * gb).fit());
        assertEquals(MemoryFit.Fit.WONT_FIT, MemoryFit.estimate(1200L << 20, QWEN3_06B, 4, 40960, 4 * gb).fit());
    }

    @Test
    void readsMemAvailable(@TempDir Path dir) throws Exception {
        Path meminfo = dir.resolve("meminfo");
        Files.writeString(meminfo, "MemTotal:       24000000 kB\nMemFree:         1000000 kB\nMemAvailable:   20000000 kB\n");
        assertEquals(20_000_000L * 1024, MemoryFit.memAvailable(meminfo).getAsLong());
        assertTrue(MemoryFit.memAvailable(dir.resolve("none")).isEmpty());
        assertTrue(MemoryFit.availableMemory() > 0);
    }
}
