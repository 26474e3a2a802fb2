package io.kaiyuan.ui.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kaiyuan.engine.download.FileTransfer;
import io.kaiyuan.engine.download.ModelInstaller;
import io.kaiyuan.engine.model.Catalog;
import io.kaiyuan.engine.model.MemoryFit;
import io.kaiyuan.engine.model.ModelRegistry;
import io.kaiyuan.ui.shell.MainWindow;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.ResourceBundle;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The model manager's view model without the FX toolkit: a single thread stands in for the FX thread. */
class ModelManagerViewModelTest {
    @TempDir
    Path home;
    @TempDir
    Path work;

    private CatalogHub hub;
    private ExecutorService fx;
    private ExecutorService io;
    private ExecutorService downloads;
    private ModelRegistry registry;
    private final ResourceBundle messages = ResourceBundle.getBundle(MainWindow.BUNDLE, Locale.ENGLISH);

    @BeforeEach
    void setUp() throws Exception {
        hub = new CatalogHub(work);
        fx = Executors.newSingleThreadExecutor();
        io = Executors.newSingleThreadExecutor();
        downloads = Executors.newFixedThreadPool(2);
        registry = new ModelRegistry(home.resolve("models"));
    }

    @AfterEach
    void tearDown() throws InterruptedException {
        // Downloads first: a download ending posts to the FX stand-in, which must still be there.
        downloads.shutdownNow();
        downloads.awaitTermination(10, TimeUnit.SECONDS);
        io.shutdownNow();
        io.awaitTermination(10, TimeUnit.SECONDS);
        fx.shutdownNow();
        hub.close();
    }

    private ModelManagerViewModel viewModel(long memory) {
        ModelManagerViewModel vm = new ModelManagerViewModel(new EngineModelsBackend(Catalog.bundled(), registry,
                new ModelInstaller(registry.modelsDir(), new FileTransfer(Duration.ofSeconds(5), 2, Duration.ofMillis(20))),
                Map::of, memory, downloads, null), fx, io, messages);
        vm.sourceProperty().set(hub.url());
        return vm;
    }

    /** Reads a value on the stand-in FX thread. */
    private <T> T onFx(Callable<T> read) throws Exception {
        return fx.submit(read).get(10, TimeUnit.SECONDS);
    }

    private void waitUntil(Callable<Boolean> condition) throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!onFx(condition)) {
            if (System.nanoTime() > end) {
                throw new AssertionError("timed out");
            }
            Thread.sleep(20);
        }
    }

    private static CatalogRow row(ModelManagerViewModel vm, String id) {
        return vm.rows().stream().filter(r -> r.entry().id().equals(id)).findFirst().orElseThrow();
    }

    @Test
    void searchFamilyAndFitFiltersNarrowTheCatalog() throws Exception {
        ModelManagerViewModel vm = viewModel(16L << 30);
        assertEquals(Catalog.bundled().entries().size(), vm.visibleRows().size());
        assertEquals(CatalogHub.ID, vm.recommendedProperty().get().entry().id(), "the first model that fits");
        vm.searchProperty().set("coder");
        assertEquals(List.of("qwen2.5-coder-0.5b-instruct", "qwen2.5-coder-1.5b-instruct", "qwen2.5-coder-3b-instruct"),
                vm.visibleRows().stream().map(r -> r.entry().id()).toList());
        vm.searchProperty().set("深度求索");
        assertEquals(List.of("deepseek-r1-distill-qwen-1.5b"), vm.visibleRows().stream().map(r -> r.entry().id()).toList());
        vm.searchProperty().set("");
        vm.familyProperty().set("Qwen3");
        assertEquals(List.of("qwen3-0.6b"), vm.visibleRows().stream().map(r -> r.entry().id()).toList());
        vm.familyProperty().set(null);
        vm.maxBytesProperty().set(1_000_000_000L);
        assertEquals(List.of("qwen2.5-0.5b-instruct", "qwen2.5-coder-0.5b-instruct", "qwen3-0.6b"),
                vm.visibleRows().stream().map(r -> r.entry().id()).toList(), "recommended variants up to 1 GB");
        vm.maxBytesProperty().set(null);

        ModelManagerViewModel small = viewModel(3L << 30);
        small.fitsOnlyProperty().set(true);
        List<String> expected = small.rows().stream().filter(r -> r.fit().fit() != MemoryFit.Fit.WONT_FIT)
                .map(r -> r.entry().id()).toList();
        assertEquals(expected, small.visibleRows().stream().map(r -> r.entry().id()).toList());
        assertTrue(expected.size() < small.rows().size() && !expected.isEmpty(), "3 GB rules some models out: " + expected);
    }

    @Test
    void aDownloadShowsProgressThenTheModelIsInstalled() throws Exception {
        hub.hub.bytesPerSecond = 4_000_000;
        ModelManagerViewModel vm = viewModel(16L << 30);
        AtomicInteger changed = new AtomicInteger();
        vm.setOnInstalledChanged(changed::incrementAndGet);
        CatalogRow row = row(vm, CatalogHub.ID);
        List<String> details = new CopyOnWriteArrayList<>();
        List<Double> progress = new CopyOnWriteArrayList<>();
        onFx(() -> {
            row.detailProperty().addListener((o, a, b) -> details.add(b));
            row.progressProperty().addListener((o, a, b) -> progress.add(b.doubleValue()));
            vm.download(row, Optional.empty());
            return null;
        });
        waitUntil(() -> row.stateProperty().get() == CatalogRow.State.INSTALLED);
        assertTrue(details.stream().anyMatch(d -> d.contains("MB/s") && d.contains("left")), details.toString());
        for (int i = 1; i < progress.size(); i++) {
            assertTrue(progress.get(i) >= progress.get(i - 1), "progress went back: " + progress);
        }
        assertTrue(progress.stream().anyMatch(p -> p > 0 && p < 1), progress.toString());
        waitUntil(() -> vm.installed().size() == 1);
        assertEquals(CatalogHub.ID, onFx(() -> vm.installed().get(0).id()));
        assertEquals("q4", onFx(() -> vm.installed().get(0).variant()));
        assertEquals(1, changed.get());

        onFx(() -> {
            vm.verify(CatalogHub.ID);
            return null;
        });
        waitUntil(() -> vm.messageProperty().get().contains("intact"));
        onFx(() -> {
            vm.remove(CatalogHub.ID);
            return null;
        });
        waitUntil(() -> vm.installed().isEmpty() && row.stateProperty().get() == CatalogRow.State.AVAILABLE);
        assertEquals("Removed " + CatalogHub.ID + ".", onFx(() -> vm.messageProperty().get()));
    }

    @Test
    void pauseResumeAndCancelKeepWhatWasDownloaded() throws Exception {
        hub.hub.bytesPerSecond = 2_000_000;
        ModelManagerViewModel vm = viewModel(16L << 30);
        CatalogRow row = row(vm, CatalogHub.ID);
        onFx(() -> {
            vm.download(row, Optional.empty());
            return null;
        });
        waitUntil(() -> row.progressProperty().get() > 0.2);
        onFx(() -> {
            vm.pause(row);
            return null;
        });
        waitUntil(() -> row.detailProperty().get().startsWith("Paused at"));
        Thread.sleep(400); // reads already in flight when the pause came end
        double paused = onFx(() -> row.progressProperty().get());
        Thread.sleep(600);
        assertEquals(paused, onFx(() -> row.progressProperty().get()), "nothing moves while paused");
        assertEquals(CatalogRow.State.PAUSED, onFx(() -> row.stateProperty().get()));

        onFx(() -> {
            vm.resume(row);
            return null;
        });
        waitUntil(() -> row.progressProperty().get() > paused + 0.05);
        onFx(() -> {
            vm.cancel(row);
            return null;
        });
        waitUntil(() -> row.stateProperty().get() == CatalogRow.State.AVAILABLE);
        assertTrue(onFx(() -> row.detailProperty().get()).startsWith("Cancelled"));
        assertTrue(registry.stagedBytes(CatalogHub.ID) > 0, "the partial download is kept");

        // A fresh page (an app restart) shows the partial download, and Download resumes it.
        ModelManagerViewModel restarted = viewModel(16L << 30);
        CatalogRow again = row(restarted, CatalogHub.ID);
        onFx(() -> {
            restarted.refresh();
            return null;
        });
        waitUntil(() -> again.detailProperty().get().contains("already downloaded"));
        hub.hub.bytesPerSecond = 0;
        onFx(() -> {
            restarted.download(again, Optional.empty());
            return null;
        });
        waitUntil(() -> again.stateProperty().get() == CatalogRow.State.INSTALLED);
        assertTrue(hub.hub.requests.stream().anyMatch(r -> r.matches(".* bytes=[1-9][0-9]*-$")), "resumed with Range");
    }

    @Test
    void aFailedDownloadSaysWhatToDoAndCanBeRetried() throws Exception {
        hub.hub.gated = true;
        ModelManagerViewModel vm = viewModel(16L << 30);
        CatalogRow row = row(vm, CatalogHub.ID);
        onFx(() -> {
            vm.download(row, Optional.empty());
            return null;
        });
        waitUntil(() -> row.stateProperty().get() == CatalogRow.State.FAILED);
        assertTrue(onFx(() -> row.errorProperty().get()).contains("accept its licence"), row.errorProperty().get());
        hub.hub.gated = false;
        onFx(() -> {
            vm.download(row, Optional.empty());
            return null;
        });
        waitUntil(() -> row.stateProperty().get() == CatalogRow.State.INSTALLED);
        assertFalse(registry.list().isEmpty());

        onFx(() -> {
            vm.sourceProperty().set("ftp-land");
            vm.download(row(vm, "qwen3-0.6b"), Optional.empty());
            return null;
        });
        assertTrue(onFx(() -> row(vm, "qwen3-0.6b").errorProperty().get()).contains("Unknown source"));
    }

    private ModelManagerViewModel viewModel(DownloadJournal journal, java.util.concurrent.Executor downloadThreads) {
        ModelManagerViewModel vm = new ModelManagerViewModel(new EngineModelsBackend(Catalog.bundled(), registry,
                new ModelInstaller(registry.modelsDir(), new FileTransfer(Duration.ofSeconds(5), 2, Duration.ofMillis(20))),
                Map::of, 16L << 30, downloadThreads, journal), fx, io, messages);
        vm.sourceProperty().set(hub.url());
        return vm;
    }

    /**
     * Starts a slow download of the catalog hub's model in a first "run" of the app, pauses it if asked,
     * then closes that run (its download threads interrupted, as when the app exits) and waits for the
     * journal writes.
     */
    private void downloadThenClose(DownloadJournal journal, boolean pause) throws Exception {
        hub.hub.bytesPerSecond = 2_000_000;
        ExecutorService firstRun = Executors.newFixedThreadPool(2);
        ModelManagerViewModel vm = viewModel(journal, firstRun);
        CatalogRow row = row(vm, CatalogHub.ID);
        onFx(() -> {
            vm.download(row, Optional.empty());
            return null;
        });
        waitUntil(() -> row.progressProperty().get() > 0.2);
        if (pause) {
            onFx(() -> {
                vm.pause(row);
                return null;
            });
        }
        firstRun.shutdownNow();
        assertTrue(firstRun.awaitTermination(10, TimeUnit.SECONDS));
        onFx(() -> null);
        io.submit(() -> null).get(10, TimeUnit.SECONDS);
    }

    @Test
    void aDownloadRunningWhenTheAppClosedContinuesWhenItStartsAgain() throws Exception {
        DownloadJournal journal = new DownloadJournal(home.resolve("downloads.json"));
        downloadThenClose(journal, false);
        assertEquals(List.of(new DownloadJournal.Entry(CatalogHub.ID, "q4", hub.url(), false)), journal.load());

        hub.hub.bytesPerSecond = 0;
        ModelManagerViewModel restarted = viewModel(journal, downloads);
        CatalogRow again = row(restarted, CatalogHub.ID);
        onFx(() -> {
            restarted.refresh();
            return null;
        });
        waitUntil(() -> again.stateProperty().get() == CatalogRow.State.INSTALLED);
        io.submit(() -> null).get(10, TimeUnit.SECONDS);
        assertEquals(List.of(), journal.load(), "an installed model is no longer pending");
        assertTrue(hub.hub.requests.stream().anyMatch(r -> r.matches(".* bytes=[1-9][0-9]*-$")), "it resumed with Range");
    }

    @Test
    void aDownloadOfAModelFoundOnTheHubContinuesAfterARestartToo() throws Exception {
        // A model from a hub search (not in the catalog), downloading when the app closed.
        hub.hub.addRepo("someone/Tiny-Qwen", hub.hub.repos.get(CatalogHub.REPO));
        DownloadJournal journal = new DownloadJournal(home.resolve("downloads.json"));
        journal.put(new DownloadJournal.Entry("someone/Tiny-Qwen", "q4", hub.url(), false));
        ModelManagerViewModel restarted = viewModel(journal, downloads);
        onFx(() -> {
            restarted.refresh();
            return null;
        });
        waitUntil(() -> registry.find("someone/Tiny-Qwen").isPresent());
        CatalogRow row = onFx(() -> row(restarted, "someone/Tiny-Qwen"));
        waitUntil(() -> row.stateProperty().get() == CatalogRow.State.INSTALLED);
        assertTrue(row.hub().isPresent(), "back as a model found on the hub");
        io.submit(() -> null).get(10, TimeUnit.SECONDS);
        assertEquals(List.of(), journal.load(), "an installed model is no longer pending");
    }

    @Test
    void aPausedDownloadStaysPausedAfterARestartAndACancelledOneIsForgotten() throws Exception {
        DownloadJournal journal = new DownloadJournal(home.resolve("downloads.json"));
        downloadThenClose(journal, true);
        assertTrue(journal.load().get(0).paused());

        ModelManagerViewModel restarted = viewModel(journal, downloads);
        CatalogRow again = row(restarted, CatalogHub.ID);
        onFx(() -> {
            restarted.refresh();
            return null;
        });
        waitUntil(() -> again.detailProperty().get().startsWith("Paused with"));
        Thread.sleep(300);
        assertEquals(CatalogRow.State.AVAILABLE, onFx(() -> again.stateProperty().get()), "not started by itself");

        onFx(() -> {
            restarted.download(again, Optional.empty());
            return null;
        });
        waitUntil(() -> again.stateProperty().get() == CatalogRow.State.DOWNLOADING);
        onFx(() -> {
            restarted.cancel(again);
            return null;
        });
        waitUntil(() -> again.stateProperty().get() == CatalogRow.State.AVAILABLE);
        io.submit(() -> null).get(10, TimeUnit.SECONDS);
        assertEquals(List.of(), journal.load(), "a cancelled download does not come back");
    }
}
