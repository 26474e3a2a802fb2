package io.kaiyuan.engine.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kaiyuan.engine.api.CancellationToken;
import io.kaiyuan.engine.api.ChatMessage;
import io.kaiyuan.engine.api.ExecutionProvider;
import io.kaiyuan.engine.api.GenerationRequest;
import io.kaiyuan.engine.api.SamplingOverrides;
import io.kaiyuan.engine.api.TokenListener;
import io.kaiyuan.engine.generate.LanguageModel;
import io.kaiyuan.engine.host.ModelHost;
import io.kaiyuan.engine.ort.OrtRuntime;
import io.kaiyuan.engine.testing.TestModels;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Models load on first use and stay warm; when memory is short, idle ones are closed first. */
class ModelPoolTest {
    @TempDir
    Path dir;

    private static final GenerationRequest HI = new GenerationRequest(new GenerationRequest.Prompt.Chat(
            List.of(ChatMessage.user("hi")), Map.of()), new SamplingOverrides(0.0, null, null, null, null, null), 3, List.of());

    @Test
    void modelsStayLoadedUntilMemoryRunsShortThenTheLeastRecentlyUsedGoes() throws Exception {
        Path a = TestModels.withTokenizer(TestModels.chatSized(), dir.resolve("a"));
        Path b = TestModels.withTokenizer(TestModels.chatSized().seed(3), dir.resolve("b"));
        Path c = TestModels.withTokenizer(TestModels.chatSized().seed(4), dir.resolve("c"));
        Map<String, Path> folders = Map.of("a", a, "b", b, "c", c);
        // Memory for two models: with two loaded, nothing is left.
        java.util.concurrent.atomic.AtomicReference<ModelPool> self = new java.util.concurrent.atomic.AtomicReference<>();
        AtomicLong room = new AtomicLong(2);
        try (ModelHost host = new ModelHost(new OrtRuntime(), () -> self.get().loaded().size() < room.get() ? 64L << 30 : 1);
                ModelPool pool = new ModelPool(host, () -> List.of("a", "b", "c"),
                id -> Optional.ofNullable(folders.get(id)), new LanguageModel.LoadOptions(Optional.empty(),
                        ExecutionProvider.CPU, 1), 2)) {
            self.set(pool);
            pool.submit("a", HI, TokenListener.NONE, new CancellationToken()).get(60, TimeUnit.SECONDS);
            pool.submit("b", HI, TokenListener.NONE, new CancellationToken()).get(60, TimeUnit.SECONDS);
            assertEquals(List.of("a", "b"), pool.loaded(), "both stay warm while memory allows");
            pool.submit("a", HI, TokenListener.NONE, new CancellationToken()).get(60, TimeUnit.SECONDS);

            // Loading c closes the idle model used least recently (b), and only that one.
            pool.submit("c", HI, TokenListener.NONE, new CancellationToken()).get(60, TimeUnit.SECONDS);
            assertEquals(List.of("a", "c"), pool.loaded());

            room.set(0); // memory never comes back: every idle model goes
            pool.submit("b", HI, TokenListener.NONE, new CancellationToken()).get(60, TimeUnit.SECONDS);
            assertEquals(List.of("b"), pool.loaded());

            assertThrows(ModelPool.UnknownModelException.class, () -> pool.submit("z", HI, TokenListener.NONE,
                    new CancellationToken()));
            assertTrue(pool.models().contains("c"));
        }
    }
}
