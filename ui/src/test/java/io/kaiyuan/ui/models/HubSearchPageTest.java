package io.kaiyuan.ui.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kaiyuan.engine.download.FileTransfer;
import io.kaiyuan.engine.download.ModelInstaller;
import io.kaiyuan.engine.model.Catalog;
import io.kaiyuan.engine.model.DecoderIo;
import io.kaiyuan.engine.model.ModelFolder;
import io.kaiyuan.engine.model.ModelRegistry;
import io.kaiyuan.engine.testing.HubTestServer;
import io.kaiyuan.engine.testing.TestModels;
import io.kaiyuan.ui.FxWait;
import io.kaiyuan.ui.shell.MainWindow;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import javafx.application.Platform;
import javafx.scene.Node;
import javafx.scene.Scene;
import javafx.scene.control.Labeled;
import javafx.scene.input.KeyCode;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/** "Search Hugging Face" on the Models page against the test hub: runnable models only, downloaded as the catalog's. */
@ExtendWith(ApplicationExtension.class)
class HubSearchPageTest {
    private static final String TINY = "onnx-community/Tiny-Qwen-ONNX";
    private static final String DISTILL = "onnxruntime/Tiny-Distill-ONNX";
    private HubTestServer hub;
    private ModelRegistry registry;
    private ExecutorService io;
    private ExecutorService downloads;
    private ModelManagerViewModel vm;

    @Start
    void start(Stage stage) throws Exception {
        Path work = Files.createTempDirectory("kaiyuan-hub-search");
        Path model = TestModels.withTokenizer(TestModels.chatSized().variantFile("model_q4"), work.resolve("served"));
        Map<String, byte[]> files = HubTestServer.filesOf(model);
        hub = new HubTestServer();
        hub.addRepo(TINY, files);
        hub.addRepo("ms:qwen/Tiny-Qwen-MS", files);
        hub.info.put(TINY, new HubTestServer.Info(1234, 56, "2025-01-02T03:04:05.000Z",
                List.of("onnx", "license:apache-2.0")));
        hub.addRepo("someone/Tiny-Qwen-GGUF", Map.of("model.gguf", new byte[4096]));
        // GenAI folders only, a GPU and a CPU build, as onnxruntime/DeepSeek-R1-Distill-ONNX
        Path genai = TestModels.genAiWithTokenizer(TestModels.chatSized().positionIds(false).dims(64, 4, 2, 16, 64),
                work.resolve("genai"), DecoderIo.TRANSFORMERS_JS.withShareBuffer(true));
        Map<String, byte[]> distill = new java.util.LinkedHashMap<>();
        for (Map.Entry<String, byte[]> f : HubTestServer.filesOf(genai).entrySet()) {
            distill.put("tiny/gpu/gpu-int4/" + f.getKey(), f.getValue());
            distill.put("tiny/cpu_and_mobile/cpu-int4/" + f.getKey(), f.getValue());
        }
        hub.addRepo(DISTILL, distill);
        registry = new ModelRegistry(work.resolve("home/models"));
        io = Executors.newSingleThreadExecutor();
        downloads = Executors.newSingleThreadExecutor();
        MainWindow window = new MainWindow(Locale.ENGLISH, MainWindow.Services.chat(null, io).withModels(
                new EngineModelsBackend(Catalog.bundled(), registry, new ModelInstaller(registry.modelsDir(),
                        new FileTransfer(Duration.ofSeconds(5), 2, Duration.ofMillis(20))),
                        () -> Map.of("MODELSCOPE_DOMAIN", hub.endpoint().toString()), 16L << 30, downloads, null)));
        vm = window.pages().models();
        vm.sourceProperty().set(hub.endpoint().toString());
        stage.setScene(new Scene(window.root(), 1024, 700));
        stage.show();
        window.show("nav.models");
    }

    @AfterEach
    void stop() {
        io.shutdownNow();
        downloads.shutdownNow();
        hub.close();
    }

    private static Node byId(FxRobot robot, String id) {
        return robot.lookup((Node n) -> id.equals(n.getId())).query();
    }

    @Test
    void aSearchListsTheRunnableModelsOfTheHubAndOneDownloadsLikeACatalogModel(FxRobot robot) throws Exception {
        robot.clickOn("#models-search").write("tiny-qwen").type(KeyCode.ENTER);
        FxWait.until(30, TimeUnit.SECONDS, () -> robot.lookup("#models-hub-status").queryLabeled().getText()
                .startsWith("1 model on "));
        WaitForAsyncUtils.waitForFxEvents();
        String status = robot.lookup("#models-hub-status").queryLabeled().getText();
        assertTrue(status.endsWith("that Kaiyuan can run; 1 left out (a format Kaiyuan does not run)."), status);
        assertEquals("Search 127.0.0.1", robot.lookup("#models-hub-search").queryButton().getText(),
                "the button names the source it searches, a URL by its host");

        Node card = byId(robot, "row-" + TINY);
        List<String> texts = robot.from(card).lookup((Node n) -> n instanceof Labeled).queryAll().stream()
                .map(n -> ((Labeled) n).getText()).filter(t -> t != null && !t.isEmpty()).toList();
        assertTrue(texts.contains("Tiny-Qwen-ONNX") && texts.contains("onnx-community"), texts.toString());
        assertTrue(texts.contains("1,234 downloads · 56 likes") && texts.contains("updated 2025-01-02"), texts.toString());
        assertTrue(texts.contains("4096 tokens of context") && texts.contains("Licence: apache-2.0"), texts.toString());
        assertTrue(texts.stream().anyMatch(t -> t.endsWith("(q4)")), "its real variant: " + texts);

        // A broader text matches catalog models too: what the hub found comes first.
        robot.interact(() -> vm.searchProperty().set("qwen"));
        robot.clickOn("#models-hub-search");
        FxWait.until(30, TimeUnit.SECONDS, () -> robot.lookup("#models-hub-status").queryLabeled().getText()
                .startsWith("1 model on "));
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals(TINY, vm.visibleRows().get(0).entry().id(), "the hub's result above the catalog's matches");
        assertTrue(vm.visibleRows().size() > 5, "the catalog's Qwen models are still listed");

        robot.clickOn(byId(robot, "download-" + TINY));
        FxWait.until(60, TimeUnit.SECONDS, () -> registry.find(TINY).isPresent()
                && byId(robot, "installed-" + TINY).isVisible());
        assertEquals("q4", registry.find(TINY).orElseThrow().variant(), "installed under its repository id");

        robot.interact(() -> vm.searchProperty().set("nothing-like-this"));
        robot.clickOn("#models-hub-search");
        FxWait.until(30, TimeUnit.SECONDS, () -> robot.lookup("#models-hub-status").queryLabeled().getText()
                .startsWith("Nothing on "));
        assertTrue(byId(robot, "row-" + TINY).isVisible(), "an installed model found before stays");
        robot.interact(() -> {
            vm.sourceProperty().set("modelscope");
            vm.searchProperty().set("tiny-qwen");
        });
        robot.clickOn("#models-hub-search");
        FxWait.until(30, TimeUnit.SECONDS, () -> robot.lookup("#models-hub-status").queryLabeled().getText()
                .startsWith("1 model on ModelScope"));
        assertTrue(byId(robot, "row-qwen/Tiny-Qwen-MS").isVisible(), "ModelScope's result is listed");
    }

    @Test
    void aRepositoryOfGenAiFoldersIsOfferedAndItsCpuBuildInstalled(FxRobot robot) throws Exception {
        robot.clickOn("#models-search").write("tiny-distill").type(KeyCode.ENTER);
        FxWait.until(30, TimeUnit.SECONDS, () -> robot.lookup("#models-hub-status").queryLabeled().getText()
                .startsWith("1 model on "));
        WaitForAsyncUtils.waitForFxEvents();
        Node card = byId(robot, "row-" + DISTILL);
        List<String> texts = robot.from(card).lookup((Node n) -> n instanceof Labeled).queryAll().stream()
                .map(n -> ((Labeled) n).getText()).filter(t -> t != null && !t.isEmpty()).toList();
        assertTrue(texts.stream().anyMatch(t -> t.endsWith("(genai)")), "offered as a GenAI build: " + texts);
        hub.requests.clear();
        robot.clickOn(byId(robot, "download-" + DISTILL));
        FxWait.until(60, TimeUnit.SECONDS, () -> registry.find(DISTILL).isPresent()
                && byId(robot, "installed-" + DISTILL).isVisible());
        assertEquals("genai", registry.find(DISTILL).orElseThrow().variant());
        Path dir = registry.find(DISTILL).orElseThrow().dir();
        assertTrue(Files.exists(dir.resolve("genai_config.json")) && Files.exists(dir.resolve("model.onnx")));
        assertTrue(hub.requests.stream().noneMatch(r -> r.contains("/gpu/")),
                "the CPU build is installed: " + hub.requests);
        assertTrue(ModelFolder.open(dir).isGenAi());
    }
}
