package io.kaiyuan.app.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kaiyuan.engine.testing.TestModels;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CompareCommandTest {
    @TempDir
    static Path work;
    @TempDir
    Path home;
    private static Path a;
    private static Path b;

    @BeforeAll
    static void build() throws Exception {
        a = TestModels.withTokenizer(TestModels.chatSized(), work.resolve("a"));
        b = TestModels.withTokenizer(TestModels.chatSized().seed(5), work.resolve("b"));
    }

    @AfterEach
    void clear() {
        System.clearProperty("kaiyuan.home");
    }

    @Test
    void twoColumnsPrintSideBySideWriteACardAndTheCardReruns() throws Exception {
        Path card = home.resolve("cards/run.json");
        Cli.Run run = Cli.run("compare", "--model", a.toString(), "--model", a.toString(), "--model", b.toString(),
                "--prompt", "你好，介绍一下你自己。", "--temperature", "0", "--max-new-tokens", "8", "--provider", "cpu",
                "--card", card.toString());
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.out().contains("=== A: " + a) && run.out().contains("=== C: " + b), run.out());
        assertTrue(run.out().contains("fastest") && run.out().contains("tok/1k chars"), run.out());
        assertTrue(run.err().startsWith("Running all at once") || run.err().startsWith("Running one after another"), run.err());
        JsonNode json = new ObjectMapper().readTree(card.toFile());
        assertEquals(json.get("columns").get(0).get("token_ids"), json.get("columns").get(1).get("token_ids"),
                "the same model with greedy decoding gives the same tokens");
        assertEquals(8, json.get("columns").get(0).get("token_ids").size());
        assertTrue(Files.readString(home.resolve("cards/run.md")).startsWith("# Kaiyuan comparison"));

        Cli.Run rerun = Cli.run("compare", "--rerun", card.toString(), "--card", home.resolve("cards/again.json").toString());
        assertEquals(0, rerun.exitCode(), rerun.err());
        assertTrue(rerun.err().contains("Reproduced: A same tokens; B same tokens; C same tokens."), rerun.err());

        Cli.Run asJson = Cli.run("compare", "--model", a.toString(), "--model", b.toString(), "--prompt", "hi",
                "--max-new-tokens", "4", "--json", "--card", home.resolve("cards/j.json").toString());
        assertEquals(0, asJson.exitCode(), asJson.err());
        assertEquals(2, new ObjectMapper().readTree(asJson.out()).get("columns").size());
    }

    @Test
    void aColumnCanHaveItsOwnProviderAndSamplingSettings() throws Exception {
        Path card = home.resolve("own.json");
        Cli.Run run = Cli.run("compare", "--model", a.toString(), "--model", a + ",provider=cpu,temperature=1.5,top_k=40,seed=3",
                "--prompt", "写一首诗", "--temperature", "0", "--max-new-tokens", "12", "--card", card.toString());
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.out().contains("temperature=1.5, top_k=40, seed=3") && run.out().contains("temperature=0.0)"), run.out());
        JsonNode columns = new ObjectMapper().readTree(card.toFile()).get("columns");
        assertEquals("cpu", columns.get(1).get("provider").asText());
        assertEquals(1.5, columns.get(1).get("sampling").get("temperature").asDouble());
        assertEquals(0.0, columns.get(0).get("sampling").get("temperature").asDouble());
        Cli.Run rerun = Cli.run("compare", "--rerun", card.toString(), "--card", home.resolve("own-again.json").toString());
        assertEquals(0, rerun.exitCode(), rerun.err());
        assertTrue(rerun.err().contains("A same tokens; B same tokens"), rerun.err());

        Cli.Run unknown = Cli.run("compare", "--model", a.toString(), "--model", a + ",temprature=1", "--prompt", "hi");
        assertEquals(2, unknown.exitCode());
        assertTrue(unknown.err().contains("Unknown column setting 'temprature=1'"), unknown.err());
        Cli.Run range = Cli.run("compare", "--model", a.toString(), "--model", a + ",top_p=2", "--prompt", "hi");
        assertEquals(2, range.exitCode());
        assertTrue(range.err().contains("top-p must be in (0, 1]"), range.err());
    }

    @Test
    void mistakesExitWithAMessage() throws Exception {
        System.setProperty("kaiyuan.home", home.toString());
        Cli.Run one = Cli.run("compare", "--model", a.toString(), "--prompt", "hi");
        assertEquals(2, one.exitCode());
        assertTrue(one.err().contains("Give 2 to 4 --model options, not 1"), one.err());
        Cli.Run noPrompt = Cli.run("compare", "--model", a.toString(), "--model", b.toString());
        assertEquals(2, noPrompt.exitCode());
        assertTrue(noPrompt.err().contains("--prompt TEXT, --messages FILE.json or --rerun"), noPrompt.err());
        Path notACard = home.resolve("x.json");
        Files.writeString(notACard, "{\"hello\": 1}");
        Cli.Run bad = Cli.run("compare", "--rerun", notACard.toString());
        assertEquals(2, bad.exitCode());
        assertTrue(bad.err().contains("Not a Kaiyuan run card"), bad.err());
    }
}
