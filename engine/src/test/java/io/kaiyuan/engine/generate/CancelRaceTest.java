package io.kaiyuan.engine.generate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kaiyuan.engine.api.CancellationToken;
import io.kaiyuan.engine.api.ExecutionProvider;
import io.kaiyuan.engine.api.FinishReason;
import io.kaiyuan.engine.api.GenerationRequest;
import io.kaiyuan.engine.api.GenerationResult;
import io.kaiyuan.engine.api.SamplingOverrides;
import io.kaiyuan.engine.ort.OrtRuntime;
import io.kaiyuan.engine.testing.TestModels;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A cancel from another thread that races the end of a generation (Esc as the answer finishes). */
class CancelRaceTest {
    @TempDir
    Path dir;

    @Test
    void aCancelArrivingAsTheGenerationEndsIsHarmless() throws Exception {
        try (LanguageModel model = LanguageModel.load(new OrtRuntime(), TestModels.withTokenizer(TestModels.chatSized(),
                dir.resolve("m")), new LanguageModel.LoadOptions(Optional.empty(), ExecutionProvider.CPU, 1))) {
            CancellationToken cancel = new CancellationToken();
            CountDownLatch cancelling = new CountDownLatch(1);
            CountDownLatch generationDone = new CountDownLatch(1);
            // Runs first among the token's callbacks and holds the cancel until generate() has returned, so
            // the model's own callback runs after its run options are closed.
            cancel.onCancel(() -> {
                cancelling.countDown();
                try {
                    generationDone.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread canceller = new Thread(cancel::cancel, "canceller");
            canceller.setUncaughtExceptionHandler((t, e) -> failure.set(e));
            GenerationResult result = model.generate(new GenerationRequest(new GenerationRequest.Prompt.Raw("你好"),
                    SamplingOverrides.NONE, 200, List.of(), true), text -> {
                        if (canceller.getState() == Thread.State.NEW) {
                            canceller.start();
                            try {
                                cancelling.await(30, TimeUnit.SECONDS);
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            }
                        }
                    }, cancel);
            generationDone.countDown();
            canceller.join(30_000);
            assertEquals(FinishReason.CANCELLED, result.finishReason());
            assertTrue(result.metrics().generatedTokens() < 200);
            assertNull(failure.get(), () -> "the late cancel failed: " + failure.get());
        }
    }
}
