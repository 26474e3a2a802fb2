package io.kaiyuan.engine.compare;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kaiyuan.engine.api.CancellationToken;
import io.kaiyuan.engine.api.ChatMessage;
import io.kaiyuan.engine.api.ExecutionProvider;
import io.kaiyuan.engine.api.GenerationRequest;
import io.kaiyuan.engine.api.SamplingOverrides;
import io.kaiyuan.engine.generate.LanguageModel;
import io.kaiyuan.engine.ort.OrtRuntime;
import io.kaiyuan.engine.testing.TestModels;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ComparisonTest {
    @TempDir
    static Path dir;
    private static Path modelA;
    private static Path modelB;
    private static final OrtRuntime RUNTIME = new OrtRuntime();
    private static final LanguageModel.LoadOptions CPU = new LanguageModel.LoadOptions(Optional.empty(), ExecutionProvider.CPU, 1);
    private static final GenerationRequest REQUEST = new GenerationRequest(new GenerationRequest.Prompt.Chat(
            List.of(ChatMessage.user("用一句话介绍长江。Describe the Yangtze in one sentence.")), Map.of()),
            new SamplingOverrides(0.0, null, null, null, null, 42L), 24, List.of(), true);

    @BeforeAll
    static void build() throws Exception {
        modelA = TestModels.withTokenizer(TestModels.chatSized(), dir.resolve("a"));
        modelB = TestModels.withTokenizer(TestModels.chatSized().seed(99), dir.resolve("b"));
    }

    private static List<Comparison.Column> columns(Path... folders) {
        return java.util.Arrays.stream(folders).map(f -> new Comparison.Column(f.getFileName().toString(), f, CPU)).toList();
    }

    @Test
    void theSameModelTwiceGivesIdenticalGreedyTextAndADifferentModelDoesNot() {
        Map<Integer, StringBuilder> streamed = new ConcurrentHashMap<>();
        Comparison.Listener listener = new Comparison.Listener() {
            @Override
            public io.kaiyuan.engine.api.TokenListener tokens(int column) {
                return t -> streamed.computeIfAbsent(column, k -> new StringBuilder()).append(t);
            }
        };
        Comparison.Schedule parallel = Comparison.plan(columns(modelA, modelA, modelB), 100, 16L << 30);
        assertTrue(parallel.parallel(), parallel.reason());
        RunCard card = Comparison.run(RUNTIME, columns(modelA, modelA, modelB), REQUEST, parallel, listener,
                new CancellationToken(), c -> Comparison.Origin.UNKNOWN);
        assertEquals(3, card.columns().size());
        assertEquals(card.columns().get(0).result().tokenIds(), card.columns().get(1).result().tokenIds());
        assertEquals(24, card.columns().get(0).result().tokenIds().size());
        assertEquals(-1, card.shortest(), "every column has 24 tokens: none is marked shortest");
        assertNotEquals(card.columns().get(0).result().tokenIds(), card.columns().get(2).result().tokenIds());
        assertEquals(card.columns().get(0).result().text(), streamed.get(0).toString(), "each column streamed its text");
        assertEquals(card.columns().get(0).graphSha256(), card.columns().get(1).graphSha256());
        assertNotEquals(card.columns().get(0).graphSha256(), card.columns().get(2).graphSha256());
        assertTrue(card.columns().get(0).tokensPer1000Chars() > 100, "" + card.columns().get(0).tokensPer1000Chars());
        assertTrue(card.columns().get(0).result().metrics().loadMs() > 0, "load time is kept apart");
        assertTrue(card.columns().get(0).peakResidentBytes() > 0);
        assertFalse(card.onnxRuntime().isBlank());
    }

    @Test
    void tooLittleMemoryRunsTheColumnsOneAfterAnother() throws Exception {
        Comparison.Schedule schedule = Comparison.plan(columns(modelA, modelB), 100, 600L << 20);
        assertFalse(schedule.parallel());
        assertTrue(schedule.reason().startsWith("one after another"), schedule.reason());
        // An installed model: its manifest gives the repository, the revision and the graph's verified sha256.
        Path installed = dir.resolve("installed-b");
        java.nio.file.Files.createDirectories(installed);
        java.nio.file.Files.writeString(installed.resolve(io.kaiyuan.engine.model.ModelRegistry.MANIFEST), """
                {"id": "org/b", "source": "huggingface", "repo": "org/b-onnx", "commit": "0123abcd", "variant": "fp32",
                 "files": [{"path": "onnx/model.onnx", "size": 1, "sha256": "%s"}]}
                """.formatted("f".repeat(64)));
        RunCard card = Comparison.run(RUNTIME, columns(modelA, modelB), REQUEST, schedule, new Comparison.Listener() { },
                new CancellationToken(), c -> c.folder().equals(modelB) ? Comparison.Origin.installedAt(installed)
                        : Comparison.Origin.installedAt(c.folder()));
        assertEquals("f".repeat(64), card.columns().get(1).graphSha256(), "a known hash (a manifest's) is used as given");
        assertEquals("org/b-onnx", card.columns().get(1).repo());
        assertEquals("0123abcd", card.columns().get(1).revision());
        assertEquals("", card.columns().get(0).repo(), "a plain folder has no repository");
        assertEquals(64, card.columns().get(0).graphSha256().length(), "a plain folder's graph is hashed");
        RunCard read = RunCard.fromJson(card.toJson());
        assertEquals("0123abcd", read.columns().get(1).revision());
        assertTrue(card.toMarkdown().contains("`org/b-onnx` at revision `0123abcd`"), card.toMarkdown());
    }

    @Test
    void aCardReadBackAndRunAgainReproducesTheGreedyTokens() {
        RunCard card = Comparison.run(RUNTIME, columns(modelA, modelB), REQUEST, new Comparison.Schedule(false, "test"),
                new Comparison.Listener() { }, new CancellationToken(), c -> Comparison.Origin.UNKNOWN);
        RunCard read = RunCard.fromJson(card.toJson());
        assertEquals(card.request(), read.request());
        assertEquals(card.columns().get(1).result().tokenIds(), read.columns().get(1).result().tokenIds());
        assertEquals(card.columns().get(0).chatTemplateSha256(), read.columns().get(0).chatTemplateSha256());

        RunCard rerun = Comparison.run(RUNTIME, read.rerunColumns(name -> dir.resolve(name)), read.request(),
                new Comparison.Schedule(false, "re-run"), new Comparison.Listener() { }, new CancellationToken(), c -> Comparison.Origin.UNKNOWN);
        assertEquals(List.of(true, true), read.sameTokens(rerun));

        String md = card.toMarkdown();
        assertTrue(md.contains("| model | variant | provider | sampling | TTFT ms | tokens/s |")
                && md.contains("temperature=0.0, seed=42") && md.contains("⚡fastest")
                && md.contains("## A: a") && md.contains("## B: b"), md);

        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> RunCard.fromJson("{\"x\": 1}"));
        assertTrue(bad.getMessage().contains("Not a Kaiyuan run card"), bad.getMessage());
        assertThrows(IllegalArgumentException.class, () -> RunCard.fromJson("not json"));
    }

    @Test
    void aColumnsOwnSamplingGoesOverTheSharedOneAndIsKeptInTheCardForItsReRun() {
        SamplingOverrides sampled = new SamplingOverrides(1.5, 50, null, null, null, 7L);
        List<Comparison.Column> cols = List.of(new Comparison.Column("a", modelA, CPU),
                new Comparison.Column("a", modelA, CPU, sampled), new Comparison.Column("a", modelA, CPU,
                        new SamplingOverrides(null, null, null, null, null, 8L)));
        RunCard card = Comparison.run(RUNTIME, cols, REQUEST, new Comparison.Schedule(true, "test"), new Comparison.Listener() { },
                new CancellationToken(), c -> Comparison.Origin.UNKNOWN);
        assertEquals(REQUEST.sampling(), card.columns().get(0).sampling(), "no settings of its own: the shared ones");
        assertEquals(new SamplingOverrides(1.5, 50, null, null, null, 7L), card.columns().get(1).sampling());
        assertEquals(new SamplingOverrides(0.0, null, null, null, null, 8L), card.columns().get(2).sampling(),
                "the shared temperature stays, the seed is the column's");
        assertNotEquals(card.columns().get(0).result().tokenIds(), card.columns().get(1).result().tokenIds(),
                "temperature 1.5 samples away from the greedy text");
        assertEquals(card.columns().get(0).result().tokenIds(), card.columns().get(2).result().tokenIds(),
                "a seed alone leaves greedy decoding greedy");
        assertTrue(card.columns().get(0).modelResidentBytes() >= 0, "measured where the process's memory can be read");
        assertTrue(card.toMarkdown().contains("temperature=1.5, top_k=50, seed=7"), card.toMarkdown());

        RunCard read = RunCard.fromJson(card.toJson());
        assertEquals(card.columns().get(1).sampling(), read.columns().get(1).sampling());
        RunCard rerun = Comparison.run(RUNTIME, read.rerunColumns(name -> dir.resolve(name)), read.request(),
                new Comparison.Schedule(false, "re-run"), new Comparison.Listener() { }, new CancellationToken(), c -> Comparison.Origin.UNKNOWN);
        assertEquals(List.of(true, true, true), read.sameTokens(rerun), "the sampled column reproduces with its own seed");

        String older = card.toJson().replaceAll("(?s)\"sampling\" : \\{[^}]*},\\s*\"graph_sha256\"", "\"graph_sha256\"");
        assertFalse(older.contains("\"temperature\" : 1.5"), "a card written before columns had settings");
        assertEquals(REQUEST.sampling(), RunCard.fromJson(older).columns().get(1).sampling());
    }

    @Test
    void aRemoteEndpointsModelIsAColumnBesideALocalOne() throws Exception {
        try (io.kaiyuan.engine.server.OpenAiServer server = io.kaiyuan.engine.server.OpenAiServer.start(
                io.kaiyuan.engine.server.ServerConfig.defaults().withPort(0), new io.kaiyuan.engine.server.ModelPool(RUNTIME,
                        () -> List.of("a"), id -> Optional.of(modelA), CPU, 2, () -> 16L << 30))) {
            io.kaiyuan.engine.remote.RemoteClient client = new io.kaiyuan.engine.remote.RemoteClient(
                    new io.kaiyuan.engine.remote.Endpoint("lab", server.baseUrl()), Optional.empty());
            Comparison.Remote remote = new Comparison.Remote() {
                @Override
                public io.kaiyuan.engine.api.GenerationResult chat(GenerationRequest request,
                        io.kaiyuan.engine.api.TokenListener listener, CancellationToken cancel) {
                    return client.chat("a", request, listener, cancel);
                }

                @Override
                public String location() {
                    return server.baseUrl();
                }
            };
            List<Comparison.Column> cols = List.of(new Comparison.Column("a", modelA, CPU),
                    Comparison.Column.remote("remote/lab/a", remote, SamplingOverrides.NONE));
            Comparison.Schedule plan = Comparison.plan(cols, 100, 16L << 30);
            assertTrue(plan.reason().contains(": the local model needs about "), plan.reason());
            assertEquals(1, plan.localModels());
            RunCard card = Comparison.run(RUNTIME, cols, REQUEST, plan, new Comparison.Listener() { }, new CancellationToken(),
                    c -> Comparison.Origin.UNKNOWN);
            assertEquals(card.columns().get(0).result().answer(), card.columns().get(1).result().answer(),
                    "the same model, greedy, here and over the API");
            assertEquals("remote", card.columns().get(1).provider());
            assertEquals(server.baseUrl(), card.columns().get(1).repo());
            assertEquals(24, card.columns().get(1).result().metrics().generatedTokens());
            assertEquals(-1, card.columns().get(1).tokensPer1000Chars(), "the tokenizer is on the other machine");
            assertEquals(-1, card.shortest(), "both columns have 24 tokens, the remote one by the endpoint's count");
            assertTrue(card.toMarkdown().contains("| 24 | length |") && card.toMarkdown().contains("| ? |"), card.toMarkdown());

            RunCard read = RunCard.fromJson(card.toJson());
            assertTrue(assertThrows(IllegalArgumentException.class, () -> read.rerunColumns(name -> dir.resolve(name)))
                    .getMessage().contains("add it in Settings first"));
            RunCard again = Comparison.run(RUNTIME, read.rerunColumns(name -> dir.resolve(name),
                    name -> Optional.of(remote)), read.request(), plan, new Comparison.Listener() { }, new CancellationToken(),
                    c -> Comparison.Origin.UNKNOWN);
            assertEquals(card.columns().get(1).result().answer(), again.columns().get(1).result().answer());
            assertEquals(List.of(true, true), read.sameTokens(again));
        }
    }

    @Test
    void outOfRangeSettingsAreNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new SamplingOverrides(null, null, 1.5, null, null, null).checked());
        assertTrue(e.getMessage().contains("top-p"), e.getMessage());
        assertEquals(REQUEST.sampling(), REQUEST.sampling().checked());
    }

    @Test
    void aComparisonHasTwoToFourColumns() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Comparison.run(RUNTIME, columns(modelA),
                REQUEST, new Comparison.Schedule(false, ""), new Comparison.Listener() { }, new CancellationToken(), c -> Comparison.Origin.UNKNOWN));
        assertTrue(e.getMessage().contains("2 to 4 columns"), e.getMessage());
    }

    @Test
    void oneColumnCanBeStoppedAlone() {
        CancellationToken stopB = new CancellationToken();
        Comparison.Listener listener = new Comparison.Listener() {
            @Override
            public io.kaiyuan.engine.api.TokenListener tokens(int column) {
                return column == 1 ? t -> stopB.cancel() : io.kaiyuan.engine.api.TokenListener.NONE;
            }

            @Override
            public CancellationToken cancel(int column) {
                return column == 1 ? stopB : new CancellationToken();
            }
        };
        RunCard card = Comparison.run(RUNTIME, columns(modelA, modelB), REQUEST, new Comparison.Schedule(true, "test"), listener,
                new CancellationToken(), c -> Comparison.Origin.UNKNOWN);
        assertEquals(io.kaiyuan.engine.api.FinishReason.LENGTH, card.columns().get(0).result().finishReason());
        assertEquals(io.kaiyuan.engine.api.FinishReason.CANCELLED, card.columns().get(1).result().finishReason());
        assertTrue(card.columns().get(1).result().tokenIds().size() < 24);
    }

    @Test
    void stopEndsTheModelsLoadBothSchedules() {
        for (boolean parallel : new boolean[] {true, false}) {
            try (io.kaiyuan.engine.host.ModelHost host = io.kaiyuan.engine.host.ModelHost.forThisMachine(RUNTIME)) {
                CancellationToken stop = new CancellationToken();
                stop.cancel(); // pressed before the first load's first step
                assertThrows(java.util.concurrent.CancellationException.class, () -> Comparison.run(host,
                        columns(modelA, modelB), REQUEST, new Comparison.Schedule(parallel, "test"), new Comparison.Listener() { },
                        stop, c -> Comparison.Origin.UNKNOWN));
                assertEquals(List.of(), host.loaded(), "a stopped load leaves nothing loaded");
            }
        }
    }
}
