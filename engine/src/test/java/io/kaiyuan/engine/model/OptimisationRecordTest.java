package io.kaiyuan.engine.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The record beside a graph says how it runs, and nothing when it is missing, stale, broken or foreign. */
class OptimisationRecordTest {
    @TempDir
    Path tmp;

    @Test
    void aRecordOfTheGraphAsItIsSaysHowItRuns() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("m/onnx")).getParent();
        Path graph = Files.writeString(dir.resolve("onnx/model_q4.onnx"), "graph");
        Path record = OptimisationRecord.of(graph);
        assertEquals(dir.resolve("onnx/model_q4.onnx.kaiyuan-optimised.json"), record);
        assertEquals("", OptimisationRecord.runs(graph), "not loaded yet");
        assertEquals("", OptimisationRecord.runs(dir, "q4"));

        for (String runs : new String[] {"fused", "int8", "exported"}) {
            Files.writeString(record, "{\"runs\":\"" + runs + "\",\"source_size\":5}");
            assertEquals(runs, OptimisationRecord.runs(graph));
            assertEquals(runs, OptimisationRecord.runs(dir, "q4"));
        }
        Files.writeString(record, "{\"runs\":\"fused\",\"source_size\":6}");
        assertEquals("", OptimisationRecord.runs(graph), "a record of another graph: stale");
        Files.writeString(record, "{\"runs\":\"<b>anything</b>\",\"source_size\":5}");
        assertEquals("", OptimisationRecord.runs(graph), "only what the app can say");
        Files.writeString(record, "{\"runs\":");
        assertEquals("", OptimisationRecord.runs(graph), "broken JSON");
        Files.writeString(record, " ".repeat(70_000));
        assertEquals("", OptimisationRecord.runs(graph), "larger than any record");
        assertEquals("", OptimisationRecord.runs(dir, "no-such-variant"));
    }

    @Test
    void aGenAiFolderIsFoundByItsOneRecord() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("genai"));
        Path graph = Files.writeString(dir.resolve("model.onnx"), "graph!");
        Files.writeString(OptimisationRecord.of(graph), "{\"runs\":\"int8\",\"source_size\":6}");
        assertEquals("int8", OptimisationRecord.runs(dir, "genai"));
    }
}
