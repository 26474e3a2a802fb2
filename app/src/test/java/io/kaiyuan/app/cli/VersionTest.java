package io.kaiyuan.app.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class VersionTest {
    @Test
    void theVersionLineNamesKaiyuanOnnxRuntimeAndItsProviders() {
        Cli.Run run = Cli.run("--version");
        assertEquals(0, run.exitCode(), run.err());
        String[] lines = run.out().strip().split("\\R");
        assertTrue(lines[0].startsWith("Kaiyuan "), run.out());
        assertTrue(lines[1].matches("ONNX Runtime 1\\.\\d+\\.\\d+ \\(providers: .*cpu.*\\)"), run.out());
        assertTrue(lines[2].startsWith("Java "), run.out());
    }
}
