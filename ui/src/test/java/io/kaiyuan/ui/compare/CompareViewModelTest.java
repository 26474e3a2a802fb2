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
        String schedule = onFx(() -> vm.scheduleProperty().get());
        assertTrue(schedule.startsWith("All columns ran at once: the 2 local models need about ") && schedule.endsWith(" GB are available."),
                schedule);
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

        // A card with a remote column (its variant and provider are "remote") is rebuilt on the page; the run
        // then says what is wrong (the endpoint is not configured here) instead of failing half way.
        Path withRemote = dir.resolve("remote-card.json");
        var json = new com.fasterxml.jackson.databind.ObjectMapper();
        var tree = json.readTree(card.toFile());
        ((com.fasterxml.jackson.databind.node.ObjectNode) tree.get("columns").get(1)).put("model", "remote/lab/tiny")
                .put("variant", "remote").put("provider", "remote");
        Files.writeString(withRemote, json.writeValueAsString(tree));
        onFx(() -> {
            vm.errorProperty().set("");
            vm.rerunCard(withRemote);
            return null;
        });
        waitUntil(() -> !vm.errorProperty().get().isEmpty() && vm.stateProperty().get() == CompareViewModel.State.IDLE);
        assertEquals(List.of("tiny/a", "remote/lab/tiny"), onFx(() -> vm.columns().stream().map(c -> c.modelProperty().get()).toList()),
                onFx(() -> vm.errorProperty().get()));
        assertEquals(CompareColumn.AUTO, onFx(() -> vm.columns().get(1).variantProperty().get()));
        assertTrue(onFx(() -> vm.errorProperty().get()).contains("remote/lab/tiny"), onFx(() -> vm.errorProperty().get()));

        Path notACard = dir.resolve("not-a-card.json");
        Files.writeString(notACard, "[]");
        onFx(() -> {
            vm.errorProperty().set("");
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
        int before = backend.votes().size();
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
        waitUntil(() -> backend.votes().size() == before + 1);
        Vote last = backend.votes().get(before);
        assertEquals(winner, last.outcome() == Vote.Outcome.A_BETTER ? last.modelA() : last.modelB(), "the winner is stored");
        onFx(() -> {
            vm.vote(Vote.Outcome.B_BETTER);
            return null;
        });
        assertEquals(before + 1, backend.votes().size(), "one vote per run");
    }

    @Test
    void theSharedSettingsAreReadFromThePageAndBadOnesAreRefused() throws Exception {
        CompareViewModel vm = ready(new Random(9));
        onFx(() -> {
            vm.shared().temperatureProperty().set("hot");
            vm.promptProperty().set("hi");
            vm.run();
            return null;
        });
        assertEquals(CompareViewModel.State.IDLE, onFx(() -> vm.stateProperty().get()));
        assertTrue(onFx(() -> vm.errorProperty().get()).startsWith("Sampling settings must be numbers"), vm.errorProperty().get());
        onFx(() -> {
            vm.shared().temperatureProperty().set("0.8");
            vm.shared().seedProperty().set("7");
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

    @Test
    void aColumnRunsWithItsOwnVariantProviderAndSamplingAndTheCardKeepsThem() throws Exception {
        CompareViewModel vm = ready(new Random(2));
        waitUntil(() -> vm.columns().get(1).variants().size() > 1 && vm.providers().contains("cpu"));
        String variant = onFx(() -> vm.columns().get(1).variants().get(1));
        onFx(() -> {
            CompareColumn b = vm.columns().get(1);
            b.modelProperty().set("tiny/a");
            b.variantProperty().set(variant);
            b.providerProperty().set("cpu");
            b.sampling().temperatureProperty().set("1.5");
            b.sampling().topKProperty().set("50");
            b.sampling().seedProperty().set("3");
            vm.promptProperty().set("写一首关于秋天的诗");
            vm.run();
            return null;
        });
        assertEquals(variant + " · cpu · temperature=1.5, top_k=50, seed=3", onFx(() -> vm.columns().get(1).settingsSummary()));
        waitUntil(() -> vm.stateProperty().get() == CompareViewModel.State.IDLE && vm.cardProperty().get() != null);
        var card = onFx(() -> vm.cardProperty().get());
        assertEquals(new SamplingOverrides(0.0, null, null, null, null, 42L), card.columns().get(0).sampling());
        assertEquals(new SamplingOverrides(1.5, 50, null, null, null, 3L), card.columns().get(1).sampling());
        assertEquals(variant, card.columns().get(1).variant());
        assertEquals("cpu", card.columns().get(1).provider());
        assertEquals("B: tiny/a@" + variant + " on cpu (temperature=1.5, top_k=50, seed=3)", onFx(() -> vm.title(1)));
        String figures = onFx(() -> vm.columns().get(1).figuresProperty().get());
        assertTrue(figures.contains("model +") && figures.contains(" MB (all columns together)"), figures);

        Path file = dir.resolve("own-settings.json");
        onFx(() -> {
            vm.exportCard(file);
            return null;
        });
        IO.submit(() -> null).get(10, TimeUnit.SECONDS);
        onFx(() -> {
            vm.columns().get(1).sampling().temperatureProperty().set("");
            vm.rerunCard(file);
            return null;
        });
        waitUntil(() -> !vm.reproducedProperty().get().isEmpty());
        assertEquals("Re-run: A same tokens, B same tokens", onFx(() -> vm.reproducedProperty().get()),
                "the sampled column reproduces with its seed");
        assertEquals("1.5", onFx(() -> vm.columns().get(1).sampling().temperatureProperty().get()), "the card's settings are shown");
        assertEquals("", onFx(() -> vm.columns().get(0).sampling().temperatureProperty().get()), "column A had none of its own");

        onFx(() -> {
            vm.columns().get(1).sampling().topPProperty().set("1.5");
            vm.run();
            return null;
        });
        assertTrue(onFx(() -> vm.errorProperty().get()).startsWith("Sampling settings must be numbers in range"));
        assertEquals(CompareViewModel.State.IDLE, onFx(() -> vm.stateProperty().get()));
    }

    @Test
    void threeColumnsAreVotedOnByNamingTheBestOrATieAndEveryPairIsRated() throws Exception {
        CompareViewModel vm = ready(new Random(4));
        int before = backend.votes().size();
        onFx(() -> {
            vm.addColumn();
            vm.columns().get(2).modelProperty().set("tiny/a");
            vm.columns().get(2).sampling().temperatureProperty().set("0.9");
            vm.columns().get(2).sampling().seedProperty().set("1");
            vm.setSampling(new SamplingOverrides(0.0, null, null, null, null, 42L), 6);
            vm.blindProperty().set(true);
            vm.promptProperty().set("三个");
            vm.run();
            return null;
        });
        waitUntil(() -> vm.stateProperty().get() == CompareViewModel.State.IDLE && vm.cardProperty().get() != null);
        assertEquals("C", onFx(() -> vm.title(2)));
        List<String> ran = onFx(() -> vm.columns().stream().map(c -> c.runModelProperty().get()).toList());
        assertEquals(3, new java.util.HashSet<>(ran).size(), "" + ran);
        onFx(() -> {
            vm.voteBest(2);
            return null;
        });
        waitUntil(() -> backend.votes().size() == before + 2);
        for (Vote v : backend.votes().subList(before, before + 2)) {
            assertEquals(ran.get(2), v.outcome() == Vote.Outcome.A_BETTER ? v.modelA() : v.modelB(), "C beat each other column");
        }
        assertTrue(onFx(() -> vm.title(2)).startsWith("C: "), "names shown after the vote");

        onFx(() -> {
            vm.run();
            return null;
        });
        waitUntil(() -> vm.stateProperty().get() == CompareViewModel.State.IDLE && vm.cardProperty().get() != null
                && !vm.revealedProperty().get());
        onFx(() -> {
            vm.vote(Vote.Outcome.TIE);
            return null;
        });
        waitUntil(() -> backend.votes().size() == before + 5);
        assertTrue(backend.votes().subList(before + 2, before + 5).stream().allMatch(v -> v.outcome() == Vote.Outcome.TIE),
                "a tie rates all three pairs");
        waitUntil(() -> vm.leaderboard().stream().anyMatch(e -> e.model().equals(ran.get(2))));
    }

    @Test
    void everyColumnAnswersAStoredConversation() throws Exception {
        var store = backend.store();
        var c = store.create("长江", java.util.Optional.empty());
        store.replaceFrom(c.id(), 0, List.of(io.kaiyuan.engine.chat.StoredMessage.user("长江有多长？"),
                new io.kaiyuan.engine.chat.StoredMessage("assistant", "大约 6300 公里。", "", java.util.Optional.empty(),
                        java.util.Optional.empty(), java.util.Optional.empty(), java.util.Optional.empty(),
                        java.util.Optional.empty(), java.time.Instant.now())));
        store.updateSettings(c.id(), c.modelId(), "回答要简短。", c.sampling());
        var empty = store.create("empty", java.util.Optional.empty());
        CompareViewModel vm = ready(new Random(6));
        waitUntil(() -> vm.conversations().stream().anyMatch(x -> x.id() == c.id()));
        onFx(() -> {
            vm.conversationProperty().set(vm.conversations().stream().filter(x -> x.id() == c.id()).findFirst().orElseThrow());
            vm.promptProperty().set("");
            vm.setSampling(new SamplingOverrides(0.0, null, null, null, null, 42L), 4);
            vm.run();
            return null;
        });
        waitUntil(() -> vm.stateProperty().get() == CompareViewModel.State.IDLE && vm.cardProperty().get() != null);
        var asked = (io.kaiyuan.engine.api.GenerationRequest.Prompt.Chat) onFx(() -> vm.cardProperty().get().request().prompt());
        assertEquals(List.of("system", "user"), asked.messages().stream().map(io.kaiyuan.engine.api.ChatMessage::role).toList(),
                "no prompt: its last question again, the stored answer left out");
        assertEquals("回答要简短。", asked.messages().get(0).content());

        onFx(() -> {
            vm.promptProperty().set("那黄河呢？");
            vm.run();
            return null;
        });
        waitUntil(() -> vm.stateProperty().get() == CompareViewModel.State.IDLE && vm.cardProperty().get() != null
                && vm.cardProperty().get().request().prompt() instanceof io.kaiyuan.engine.api.GenerationRequest.Prompt.Chat ch
                && ch.messages().size() == 4);
        var followUp = (io.kaiyuan.engine.api.GenerationRequest.Prompt.Chat) onFx(() -> vm.cardProperty().get().request().prompt());
        assertEquals("大约 6300 公里。", followUp.messages().get(2).content());
        assertEquals("那黄河呢？", followUp.messages().get(3).content());

        onFx(() -> {
            vm.conversationProperty().set(vm.conversations().stream().filter(x -> x.id() == empty.id()).findFirst().orElseThrow());
            vm.promptProperty().set("");
            vm.run();
            return null;
        });
        waitUntil(() -> !vm.errorProperty().get().isEmpty());
        assertEquals("That conversation has no question to ask again: type a message.", onFx(() -> vm.errorProperty().get()));
    }
}
