package io.kaiyuan.ui.compare;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kaiyuan.engine.api.SamplingOverrides;
import io.kaiyuan.engine.compare.Vote;
import io.kaiyuan.ui.shell.MainWindow;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.ResourceBundle;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The comparison page's view model on real tiny models, with a single thread standing in for the FX thread. */
class CompareViewModelTest {
    @TempDir
    static Path dir;
    private static TinyCompareBackend backend;
    private static final ExecutorService FX = Executors.newSingleThreadExecutor();
    private static final ExecutorService IO = Executors.newSingleThreadExecutor();
    private static final ResourceBundle EN = ResourceBundle.getBundle(MainWindow.BUNDLE, Locale.ENGLISH);

    @BeforeAll
    static void start() throws Exception {
        backend = new TinyCompareBackend(dir);
    }

    @AfterAll
    static void stop() {
        backend.close();
        FX.shutdownNow();
        IO.shutdownNow();
    }

    private static <T> T onFx(Callable<T> c) throws Exception {
        return FX.submit(c).get(30, TimeUnit.SECONDS);
    }

    private static void waitUntil(Callable<Boolean> condition) throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!onFx(condition)) {
            assertTrue(System.nanoTime() < end, "timed out");
            Thread.sleep(20);
        }
    }

    private static CompareViewModel ready(Random random) throws Exception {
        CompareViewModel vm = onFx(() -> new CompareViewModel(backend, FX, IO, EN, random));
        onFx(() -> {
            vm.setSampling(new SamplingOverrides(0.0, null, null, null, null, 42L), 12);
            vm.refresh();
            return null;
        });
        waitUntil(() -> vm.models().size() == 2 && vm.columns().get(1).modelProperty().get() != null);
        return vm;
    }

    @Test
    void twoModelsRunSideBySideWithFiguresAndMarks() throws Exception {
        CompareViewModel vm = ready(new Random(1));
        assertEquals(List.of("tiny/a", "tiny/b"), onFx(() -> vm.columns().stream().map(c -> c.modelProperty().get()).toList()));
        onFx(() -> {
            vm.promptProperty().set("用一句话介绍长江");
            vm.run();
            return null;
        });
        waitUntil(() -> vm.stateProperty().get() == CompareViewModel.State.IDLE && vm.cardProperty().get() != null);
        for (int i = 0; i < 2; i++) {
            int index = i;
            assertFalse(onFx(() -> vm.columns().get(index).textProperty().get()).isEmpty());
            String figures = onFx(() -> vm.columns().get(index).figuresProperty().get());
            assertTrue(figures.contains("tokens/s") && figures.contains("12 tokens") && figures.contains("per 1,000 characters"), figures);
        }
        assertTrue(onFx(() -> vm.columns().stream().anyMatch(c -> c.marksProperty().get().contains("fastest"))));
        assertTrue(onFx(() -> vm.scheduleProperty().get()).startsWith("all at once"));
        assertEquals("A: tiny/a", onFx(() -> vm.title(0)), "not blind: names shown");

        Path card = dir.resolve("card.json");
        onFx(() -> {
            vm.exportCard(card);
            return null;
        });
        IO.submit(() -> null).get(10, TimeUnit.SECONDS);
        assertTrue(Files.readString(card).contains("\"kaiyuan_run_card\" : 1"));

        // The card, run again from the page: same models, variants, prompt and settings, same tokens.
        String firstText = onFx(() -> vm.columns().get(1).textProperty().get());
        onFx(() -> {
            vm.promptProperty().set("something else");
            vm.rerunCard(card);
            return null;
        });
        waitUntil(() -> !vm.reproducedProperty().get().isEmpty());
        assertEquals("Re-run: A same tokens, B same tokens", onFx(() -> vm.reproducedProperty().get()));
        assertEquals("用一句话介绍长江", onFx(() -> vm.promptProperty().get()));
        assertEquals(firstText, onFx(() -> vm.columns().get(1).textProperty().get()));

        Path notACard = dir.resolve("not-a-card.json");
        Files.writeString(notACard, "[]");
        onFx(() -> {
            vm.rerunCard(notACard);
            return null;
        });
        waitUntil(() -> !vm.errorProperty().get().isEmpty());
        assertTrue(onFx(() -> vm.errorProperty().get()).contains("Not a Kaiyuan run card"));

        onFx(() -> {
            vm.columns().get(1).modelProperty().set("tiny/a");
            vm.run();
            return null;
        });
        waitUntil(() -> vm.stateProperty().get() == CompareViewModel.State.IDLE && vm.cardProperty().get() != null);
        assertEquals(onFx(() -> vm.columns().get(0).textProperty().get()), onFx(() -> vm.columns().get(1).textProperty().get()),
                "the same model twice, greedy: the same text");
    }

    @Test
    void blindModeHidesTheNamesUntilTheVoteWhichFeedsTheLeaderboard() throws Exception {
        CompareViewModel vm = ready(new Random(7));
        onFx(() -> {
            vm.blindProperty().set(true);
            vm.promptProperty().set("hello");
            vm.run();
            return null;
        });
        waitUntil(() -> vm.stateProperty().get() == CompareViewModel.State.IDLE && vm.cardProperty().get() != null);
        assertEquals("A", onFx(() -> vm.title(0)));
        assertEquals("B", onFx(() -> vm.title(1)));
        assertFalse(onFx(() -> vm.revealedProperty().get()));
        String winner = onFx(() -> vm.columns().get(0).runModelProperty().get());
        onFx(() -> {
            vm.vote(Vote.Outcome.A_BETTER);
            return null;
        });
        assertTrue(onFx(() -> vm.revealedProperty().get()));
        assertEquals("A: " + winner, onFx(() -> vm.title(0)));
        waitUntil(() -> !vm.leaderboard().isEmpty());
        assertEquals(winner, onFx(() -> vm.leaderboard().get(0).model()));
        assertNotNull(backend.votes().stream().filter(v -> v.modelA().equals(winner)).findFirst().orElse(null));
        onFx(() -> {
            vm.vote(Vote.Outcome.B_BETTER);
            return null;
        });
        assertEquals(1, backend.votes().size(), "one vote per run");
    }

    @Test
    void theSharedSettingsAreReadFromThePageAndBadOnesAreRefused() throws Exception {
        CompareViewModel vm = ready(new Random(9));
        onFx(() -> {
            vm.temperatureProperty().set("hot");
            vm.promptProperty().set("hi");
            vm.run();
            return null;
        });
        assertEquals(CompareViewModel.State.IDLE, onFx(() -> vm.stateProperty().get()));
        assertTrue(onFx(() -> vm.errorProperty().get()).startsWith("Temperature, seed and tokens"), vm.errorProperty().get());
        onFx(() -> {
            vm.temperatureProperty().set("0.8");
            vm.seedProperty().set("7");
            vm.maxTokensProperty().set("6");
            vm.run();
            return null;
        });
        waitUntil(() -> vm.stateProperty().get() == CompareViewModel.State.IDLE && vm.cardProperty().get() != null);
        assertEquals(new SamplingOverrides(0.8, null, null, null, null, 7L), onFx(() -> vm.cardProperty().get().request().sampling()));
        assertEquals(6, onFx(() -> vm.cardProperty().get().request().maxNewTokens()));
    }

    @Test
    void columnsStayBetweenTwoAndFour() throws Exception {
        CompareViewModel vm = ready(new Random(3));
        onFx(() -> {
            vm.removeColumn();
            vm.addColumn();
            vm.addColumn();
            vm.addColumn();
            return null;
        });
        assertEquals(4, onFx(() -> vm.columns().size()));
        onFx(() -> {
            vm.promptProperty().set("");
            vm.run();
            return null;
        });
        assertEquals(CompareViewModel.State.IDLE, onFx(() -> vm.stateProperty().get()), "no prompt, no run");
    }

    @Test
    void oneColumnStopsAloneWhileTheOtherFinishes() throws Exception {
        CompareViewModel vm = ready(new Random(5));
        onFx(() -> {
            vm.setSampling(new SamplingOverrides(0.0, null, null, null, null, 42L), 400);
            vm.promptProperty().set("stop B");
            vm.run();
            return null;
        });
        waitUntil(() -> !vm.columns().get(1).textProperty().get().isEmpty());
        onFx(() -> {
            vm.columns().get(1).stop();
            return null;
        });
        waitUntil(() -> vm.stateProperty().get() == CompareViewModel.State.IDLE && vm.cardProperty().get() != null);
        assertTrue(onFx(() -> vm.columns().get(1).figuresProperty().get()).contains("stopped"));
        assertTrue(onFx(() -> vm.columns().get(0).figuresProperty().get()).contains("400 tokens"));
    }
}
