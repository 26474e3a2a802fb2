package io.kaiyuan.app.wiring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kaiyuan.engine.api.CancellationToken;
import io.kaiyuan.engine.api.ChatMessage;
import io.kaiyuan.engine.api.GenerationResult;
import io.kaiyuan.engine.api.SamplingOverrides;
import io.kaiyuan.engine.model.ModelRegistry;
import io.kaiyuan.engine.testing.TestModels;
import io.kaiyuan.ui.chat.ChatBackend;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The app's engine backend over a real registry: loading ahead, loading on demand, and what it reports. */
class EngineChatBackendTest {
    @TempDir
    Path home;
    @TempDir
    Path work;

    private static final class Recorder implements ChatBackend.Completion {
        final List<String> events = new CopyOnWriteArrayList<>();
        final CompletableFuture<GenerationResult> done = new CompletableFuture<>();

        /** Cancels this token when the load reaches this step; null for never. */
        CancellationToken cancelAt;
        io.kaiyuan.engine.api.LoadProgress.Phase at;

        @Override
        public void loading(io.kaiyuan.engine.api.LoadProgress.Phase phase) {
            events.add("loading " + phase);
            if (phase == at) {
                cancelAt.cancel();
            }
        }

        @Override
        public void finished(GenerationResult result) {
            events.add("finished");
            done.complete(result);
        }

        @Override
        public void failed(String message) {
            events.add("failed: " + message);
            done.completeExceptionally(new AssertionError(message));
        }
    }

    private Recorder ask(EngineChatBackend backend, String id) throws Exception {
        Recorder r = new Recorder();
        backend.answer(id, List.of(ChatMessage.user("你好")), Map.of(), new SamplingOverrides(0.0, null, null, null, null, null),
                t -> { }, new CancellationToken(), r);
        r.done.get(60, TimeUnit.SECONDS);
        return r;
    }

    /** "loaded", "cancelled", or the failure's message. */
    private static String preload(EngineChatBackend backend, String id) throws Exception {
        return preload(backend, id, new CancellationToken());
    }

    private static String preload(EngineChatBackend backend, String id, CancellationToken cancel) throws Exception {
        CompletableFuture<String> outcome = new CompletableFuture<>();
        backend.preload(id, new ChatBackend.LoadListener() {
            @Override
            public void loaded() {
                outcome.complete("loaded");
            }

            @Override
            public void cancelled() {
                outcome.complete("cancelled");
            }

            @Override
            public void failed(String message) {
                outcome.complete(message);
            }
        }, cancel);
        return outcome.get(60, TimeUnit.SECONDS);
    }

    @Test
    void aPreloadedModelAnswersWithoutLoadingAndAnotherLoadsFirst() throws Exception {
        ModelRegistry registry = new ModelRegistry(home.resolve("models"));
        registry.importFolder(TestModels.withTokenizer(TestModels.chatSized(), work.resolve("a")), "tiny/a", true);
        registry.importFolder(TestModels.withTokenizer(TestModels.chatSized().seed(7), work.resolve("b")), "tiny/b", true);
        EngineChatBackend backend = new EngineChatBackend(registry);
        try {
            assertEquals("loaded", preload(backend, "tiny/a"));
            assertEquals(List.of("finished"), ask(backend, "tiny/a").events, "already loaded");
            assertEquals(List.of("loading READING", "loading PREPARING", "loading OPENING", "finished"),
                    ask(backend, "tiny/b").events, "each step of the load, then the answer");
            assertEquals(4096, backend.contextWindow("tiny/a").orElseThrow());
            assertTrue(backend.samplingDefaults("tiny/a").isPresent());
            assertTrue(backend.variant("nobody/nothing").isEmpty());

            String missing = preload(backend, "nobody/nothing");
            assertTrue(missing.contains("nobody/nothing is not installed"), missing);
        } finally {
            backend.close();
        }
    }

    @Test
    void aLoadCancelledByThePickerOrByStopLeavesTheModelUnloaded() throws Exception {
        ModelRegistry registry = new ModelRegistry(home.resolve("models"));
        registry.importFolder(TestModels.withTokenizer(TestModels.chatSized(), work.resolve("a")), "tiny/a", true);
        EngineChatBackend backend = new EngineChatBackend(registry);
        try {
            CancellationToken picked = new CancellationToken();
            picked.cancel();
            assertEquals("cancelled", preload(backend, "tiny/a", picked), "another model was picked before it began");

            // Stop pressed while the model loads: an empty, cancelled answer; the next question loads it afresh
            Recorder stopped = new Recorder();
            stopped.cancelAt = new CancellationToken();
            stopped.at = io.kaiyuan.engine.api.LoadProgress.Phase.PREPARING;
            backend.answer("tiny/a", List.of(ChatMessage.user("你好")), Map.of(), SamplingOverrides.NONE, t -> { },
                    stopped.cancelAt, stopped);
            GenerationResult result = stopped.done.get(60, TimeUnit.SECONDS);
            assertEquals(io.kaiyuan.engine.api.FinishReason.CANCELLED, result.finishReason());
            assertEquals("", result.text());
            assertEquals(List.of("loading READING", "loading PREPARING", "finished"), stopped.events);
            assertEquals(List.of("loading READING", "loading PREPARING", "loading OPENING", "finished"),
                    ask(backend, "tiny/a").events);
        } finally {
            backend.close();
        }
    }

    @Test
    void aHostileChatTemplateGivesTheChatPageAOneLineMessage() throws Exception {
        ModelRegistry registry = new ModelRegistry(home.resolve("models"));
        Path folder = TestModels.withTokenizer(TestModels.chatSized(), work.resolve("bomb"));
        java.nio.file.Files.writeString(folder.resolve("chat_template.jinja"),
                "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}");
        registry.importFolder(folder, "tiny/bomb", true);
        EngineChatBackend backend = new EngineChatBackend(registry);
        try {
            Recorder r = new Recorder();
            backend.answer("tiny/bomb", List.of(ChatMessage.user("你好")), Map.of(), new SamplingOverrides(0.0, null, null,
                    null, null, null), t -> { }, new CancellationToken(), r);
            java.util.concurrent.ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(
                    java.util.concurrent.ExecutionException.class, () -> r.done.get(60, TimeUnit.SECONDS));
            String failed = r.events.get(r.events.size() - 1);
            // one line naming whichever bound stopped it first: the steps, or the wall clock on a busy machine
            assertTrue(failed.equals("failed: bomb's chat template is too slow: it takes more than 10,000,000 steps")
                    || failed.equals("failed: bomb's chat template is too slow: it did not finish within 5 s"),
                    failed + " / " + e);
        } finally {
            backend.close();
        }
    }

    @Test
    void aRemoteModelIsListedBesideTheInstalledOnesAndAnswersOverTheApi() throws Exception {
        Path folder = TestModels.withTokenizer(TestModels.chatSized(), work.resolve("remote-tiny"));
        try (io.kaiyuan.engine.server.OpenAiServer server = io.kaiyuan.engine.server.OpenAiServer.start(
                io.kaiyuan.engine.server.ServerConfig.defaults().withPort(0), new io.kaiyuan.engine.server.ModelPool(
                        new io.kaiyuan.engine.ort.OrtRuntime(), () -> List.of("big/model"), id -> java.util.Optional.of(folder),
                        new io.kaiyuan.engine.generate.LanguageModel.LoadOptions(java.util.Optional.empty(),
                                io.kaiyuan.engine.api.ExecutionProvider.CPU, 1), 2, () -> 16L << 30))) {
            io.kaiyuan.engine.remote.RemoteEndpoints remotes = new io.kaiyuan.engine.remote.RemoteEndpoints(
                    home.resolve("endpoints.json"), new io.kaiyuan.engine.remote.Secrets(home.resolve("keys.json")));
            remotes.add(new io.kaiyuan.engine.remote.Endpoint("cluster", server.baseUrl()), "");
            EngineChatBackend backend = new EngineChatBackend(new ModelRegistry(home.resolve("models")), remotes);
            try {
                assertEquals(List.of("remote/cluster/big/model"), backend.installedModels());
                assertEquals("loaded", preload(backend, "remote/cluster/big/model"), "nothing to load here");
                StringBuilder streamed = new StringBuilder();
                Recorder r = new Recorder();
                backend.answer("remote/cluster/big/model", List.of(ChatMessage.user("你好")), Map.of(),
                        new SamplingOverrides(0.0, null, null, null, null, null), streamed::append, new CancellationToken(), r);
                GenerationResult result = r.done.get(60, TimeUnit.SECONDS);
                assertEquals(List.of("finished"), r.events, "no local loading for a remote model");
                assertEquals(result.answer(), streamed.toString());
                assertTrue(result.metrics().generatedTokens() > 0);

                remotes.remove("cluster");
                Recorder gone = new Recorder();
                backend.answer("remote/cluster/big/model", List.of(ChatMessage.user("x")), Map.of(), SamplingOverrides.NONE,
                        t -> { }, new CancellationToken(), gone);
                org.junit.jupiter.api.Assertions.assertThrows(java.util.concurrent.ExecutionException.class,
                        () -> gone.done.get(30, TimeUnit.SECONDS));
                assertTrue(gone.events.get(0).contains("was removed"), gone.events.toString());
            } finally {
                backend.close();
            }
        }
    }
}
