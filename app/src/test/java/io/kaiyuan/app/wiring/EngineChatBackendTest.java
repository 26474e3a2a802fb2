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

        @Override
        public void loading() {
            events.add("loading");
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

    /** "loaded", or the failure's message. */
    private static String preload(EngineChatBackend backend, String id) throws Exception {
        CompletableFuture<String> outcome = new CompletableFuture<>();
        backend.preload(id, new ChatBackend.LoadListener() {
            @Override
            public void loaded() {
                outcome.complete("loaded");
            }

            @Override
            public void failed(String message) {
                outcome.complete(message);
            }
        });
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
            assertEquals(List.of("loading", "finished"), ask(backend, "tiny/b").events);
            assertEquals(4096, backend.contextWindow("tiny/a").orElseThrow());
            assertTrue(backend.samplingDefaults("tiny/a").isPresent());
            assertTrue(backend.variant("nobody/nothing").isEmpty());

            String missing = preload(backend, "nobody/nothing");
            assertTrue(missing.contains("nobody/nothing is not installed"), missing);
        } finally {
            backend.close();
        }
    }
}
