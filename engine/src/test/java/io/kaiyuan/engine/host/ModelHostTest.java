package io.kaiyuan.engine.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kaiyuan.engine.api.CancellationToken;
import io.kaiyuan.engine.api.ChatMessage;
import io.kaiyuan.engine.api.ExecutionProvider;
import io.kaiyuan.engine.api.GenerationRequest;
import io.kaiyuan.engine.api.LoadProgress;
import io.kaiyuan.engine.api.ModelLoadException;
import io.kaiyuan.engine.api.SamplingOverrides;
import io.kaiyuan.engine.compare.Comparison;
import io.kaiyuan.engine.compare.RunCard;
import io.kaiyuan.engine.generate.LanguageModel;
import io.kaiyuan.engine.model.Variant;
import io.kaiyuan.engine.ort.OrtRuntime;
import io.kaiyuan.engine.testing.TestModels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One host for every user of models: the same model is loaded once whoever asks, runs only on its own thread, is
 * never closed while in use, and what fails to load leaves nothing behind.
 */
class ModelHostTest {
    @TempDir
    static Path dir;
    private static Path a;
    private static Path b;
    private static final OrtRuntime RUNTIME = new OrtRuntime();
    private static final long PLENTY = 64L << 30;
    private static final GenerationRequest HI = new GenerationRequest(new GenerationRequest.Prompt.Chat(
            List.of(ChatMessage.user("hi")), Map.of()), new SamplingOverrides(0.0, null, null, null, null, null), 4, List.of());

    @BeforeAll
    static void build() throws Exception {
        a = TestModels.withTokenizer(TestModels.chatSized(), dir.resolve("a"));
        b = TestModels.withTokenizer(TestModels.chatSized().seed(3), dir.resolve("b"));
    }

    private static LanguageModel.LoadOptions options(Optional<Variant> variant, ExecutionProvider provider, int threads) {
        return new LanguageModel.LoadOptions(variant, provider, threads);
    }

    @Test
    void theSameModelAskedForByEveryoneLoadsOnceAndRunsOnlyOnItsOwnThread() throws Exception {
        try (ModelHost host = new ModelHost(RUNTIME, () -> PLENTY)) {
            // the chat asks for the best variant on any provider, a comparison for that variant on the CPU
            ModelHost.Key chat = host.key(a, options(Optional.empty(), ExecutionProvider.AUTO, 1));
            ModelHost.Key compare = host.key(a.resolve("onnx/.."), options(Optional.of(chat.variant()),
                    ExecutionProvider.CPU, 1));
            assertEquals(chat, compare);
            AtomicReference<LanguageModel> first = new AtomicReference<>();
            AtomicReference<String> firstThread = new AtomicReference<>();
            host.submit(chat, h -> {
                first.set(h.model());
                firstThread.set(Thread.currentThread().getName());
                return h.model().generate(HI, t -> { }, new CancellationToken());
            }).get(60, TimeUnit.SECONDS);
            LanguageModel second = host.submit(compare, h -> {
                assertEquals(firstThread.get(), Thread.currentThread().getName());
                return h.model();
            }).get(60, TimeUnit.SECONDS);
            assertSame(first.get(), second, "one load");
            assertTrue(firstThread.get().startsWith("kaiyuan-model-a"), firstThread.get());
            assertEquals(List.of(chat), host.loaded());
        }
    }

    @Test
    void aModelInUseIsNeverClosedForAnotherAndIdleOnesGoWhenMemoryIsShort() throws Exception {
        try (ModelHost host = new ModelHost(RUNTIME, () -> 1)) { // never enough memory
            ModelHost.Key keyA = host.key(a, options(Optional.empty(), ExecutionProvider.CPU, 1));
            ModelHost.Key keyB = host.key(b, options(Optional.empty(), ExecutionProvider.CPU, 1));
            CountDownLatch running = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            Future<Object> busy = host.submit(keyA, h -> {
                running.countDown();
                await(release);
                return h.model().generate(HI, t -> { }, new CancellationToken());
            });
            assertTrue(running.await(60, TimeUnit.SECONDS));
            host.submit(keyB, h -> h).get(60, TimeUnit.SECONDS);
            assertEquals(List.of(keyA, keyB), host.loaded(), "a, in use, stays loaded while b loads");
            release.countDown();
            busy.get(60, TimeUnit.SECONDS);
            assertEquals(0, host.pending(keyA));

            // a again with other threads (the setting changed): the idle a and b are closed first
            ModelHost.Key twoThreads = host.key(a, options(Optional.empty(), ExecutionProvider.CPU, 2));
            assertNotEquals(keyA, twoThreads);
            host.submit(twoThreads, h -> h).get(60, TimeUnit.SECONDS);
            assertEquals(List.of(twoThreads), host.loaded());
            assertEquals(1, host.slotCount(), "the closed model's thread is gone with it");
            host.unload(twoThreads);
            assertEquals(0, host.slotCount());
        }
    }

    @Test
    void aFullQueueIsRefusedAndAClosedHostTakesNoWork() throws Exception {
        ModelHost host = new ModelHost(RUNTIME, () -> PLENTY);
        ModelHost.Key key = host.key(a, options(Optional.empty(), ExecutionProvider.CPU, 1));
        CountDownLatch release = new CountDownLatch(1);
        Future<Object> first = host.submit(key, 0, () -> { }, LoadProgress.NONE, new CancellationToken(), h -> {
            await(release);
            return h;
        });
        assertThrows(ModelHost.QueueFullException.class, () -> host.submit(key, 0, () -> { }, LoadProgress.NONE,
                new CancellationToken(), h -> h));
        assertEquals(1, host.pending(key));
        release.countDown();
        LanguageModel model = ((ModelHost.Hosted) first.get(60, TimeUnit.SECONDS)).model();
        host.close();
        assertEquals(List.of(), host.loaded());
        assertThrows(IllegalStateException.class, () -> host.submit(key, h -> h));
        // its model was closed on the way out: it runs no more
        assertThrows(RuntimeException.class, () -> model.generate(HI, t -> { }, new CancellationToken()));
    }

    @Test
    void aModelThatFailsToLoadFailsItsWorkLeavesNothingLoadedAndLoadsOnceMended() throws Exception {
        Path broken = TestModels.withTokenizer(TestModels.chatSized(), dir.resolve("broken"));
        try (ModelHost host = new ModelHost(RUNTIME, () -> PLENTY)) {
            ModelHost.Key key = host.key(broken, options(Optional.empty(), ExecutionProvider.CPU, 1));
            Path graph = broken.resolve("onnx/model.onnx");
            byte[] bytes = Files.readAllBytes(graph);
            Files.write(graph, new byte[] {1, 2, 3});
            List<String> loading = new java.util.concurrent.CopyOnWriteArrayList<>();
            ExecutionException failed = assertThrows(ExecutionException.class, () -> host.submit(key, Integer.MAX_VALUE,
                    () -> { }, phase -> loading.add(phase.name()), new CancellationToken(), h -> h).get(60, TimeUnit.SECONDS));
            assertInstanceOf(ModelLoadException.class, failed.getCause());
            assertEquals(List.of("READING", "PREPARING", "OPENING"), loading, "the caller heard each step of the load");
            assertEquals(List.of(), host.loaded());
            Files.write(graph, bytes);
            host.submit(key, h -> h).get(60, TimeUnit.SECONDS);
            assertEquals(List.of(key), host.loaded());
        }
    }

    @Test
    void aLoadCancelledBetweenItsStepsStopsThereLeavesNothingLoadedAndLoadsWhenAskedAgain() throws Exception {
        try (ModelHost host = new ModelHost(RUNTIME, () -> PLENTY)) {
            ModelHost.Key key = host.key(a, options(Optional.empty(), ExecutionProvider.CPU, 1));
            CancellationToken cancel = new CancellationToken();
            List<String> heard = new java.util.concurrent.CopyOnWriteArrayList<>();
            // a future failed with a CancellationException throws it as itself (CompletableFuture)
            assertThrows(java.util.concurrent.CancellationException.class, () -> host.submit(key, Integer.MAX_VALUE,
                    () -> { }, phase -> {
                        heard.add(phase.name());
                        if (phase == LoadProgress.Phase.PREPARING) {
                            cancel.cancel(); // the user cancels while the graph is prepared
                        }
                    }, cancel, h -> h).get(60, TimeUnit.SECONDS));
            assertEquals(List.of("READING", "PREPARING"), heard, "no session was opened after the cancel");
            assertEquals(List.of(), host.loaded());

            assertThrows(java.util.concurrent.CancellationException.class, () -> ModelHost.await(host.submit(key,
                    Integer.MAX_VALUE, () -> { }, LoadProgress.NONE, cancel, h -> h)), "cancelled before it began");

            List<String> again = new java.util.concurrent.CopyOnWriteArrayList<>();
            host.submit(key, Integer.MAX_VALUE, () -> { }, phase -> again.add(phase.name()), new CancellationToken(), h -> h)
                    .get(60, TimeUnit.SECONDS);
            assertEquals(List.of("READING", "PREPARING", "OPENING"), again);
            assertEquals(List.of(key), host.loaded());
            // loaded: a cancelled caller's work still runs (and hears the cancel itself); nothing is loaded again
            List<String> none = new java.util.concurrent.CopyOnWriteArrayList<>();
            assertEquals(key.folder(), host.submit(key, Integer.MAX_VALUE, () -> { }, phase -> none.add(phase.name()), cancel,
                    h -> h.model().folder().dir()).get(60, TimeUnit.SECONDS).toAbsolutePath().normalize());
            assertEquals(List.of(), none);
        }
    }

    @Test
    void aComparisonOfOneModelWithItselfLoadsItOnceAndLeavesTheChatsModelLoaded() throws Exception {
        try (ModelHost host = new ModelHost(RUNTIME, () -> PLENTY)) {
            LanguageModel.LoadOptions cpu = options(Optional.empty(), ExecutionProvider.CPU, 1);
            ModelHost.Key key = host.key(a, cpu);
            LanguageModel chatModel = host.submit(key, ModelHost.Hosted::model).get(60, TimeUnit.SECONDS);
            List<Comparison.Column> columns = List.of(new Comparison.Column("greedy", a, cpu),
                    new Comparison.Column("hot", a, cpu, new SamplingOverrides(1.5, null, null, null, null, 7L)));
            for (boolean parallel : new boolean[] {true, false}) {
                RunCard card = Comparison.run(host, columns, HI, new Comparison.Schedule(parallel, "test"),
                        new Comparison.Listener() { }, new CancellationToken(), c -> Comparison.Origin.UNKNOWN);
                assertEquals(2, card.columns().size());
                assertEquals(List.of(key), host.loaded(), "one model, still the chat's");
                assertSame(chatModel, host.submit(key, ModelHost.Hosted::model).get(60, TimeUnit.SECONDS));
            }
            // a model only the comparison loaded is closed after it, in either schedule
            List<Comparison.Column> others = List.of(new Comparison.Column("b", b, cpu), new Comparison.Column("a", a, cpu),
                    new Comparison.Column("b again", b, cpu, new SamplingOverrides(1.5, null, null, null, null, 7L)));
            for (boolean parallel : new boolean[] {true, false}) {
                Comparison.run(host, others, HI, new Comparison.Schedule(parallel, "test"), new Comparison.Listener() { },
                        new CancellationToken(), c -> Comparison.Origin.UNKNOWN);
                assertEquals(List.of(key), host.loaded(), parallel ? "all at once" : "one after another");
            }
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            if (!latch.await(60, TimeUnit.SECONDS)) {
                throw new IllegalStateException("not released");
            }
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }
}
