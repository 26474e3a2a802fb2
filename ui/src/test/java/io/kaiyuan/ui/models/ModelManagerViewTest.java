package io.kaiyuan.ui.models;

import io.kaiyuan.ui.FxWait;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kaiyuan.engine.download.FileTransfer;
import io.kaiyuan.engine.download.ModelInstaller;
import io.kaiyuan.engine.model.Catalog;
import io.kaiyuan.engine.model.ModelRegistry;
import io.kaiyuan.ui.chat.ChatPageProbe;
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
import javafx.scene.control.Label;
import javafx.scene.control.ListView;
import javafx.scene.control.ToggleButton;
import javafx.scene.input.KeyCode;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/** The newcomer's path in the real window: no model, the model manager, Download, then chat. */
@ExtendWith(ApplicationExtension.class)
class ModelManagerViewTest {
    private CatalogHub hub;
    private RegistryBackend backend;
    private ExecutorService io;
    private ExecutorService downloads;
    private final List<Double> progressSeen = new java.util.concurrent.CopyOnWriteArrayList<>();

    @Start
    void start(Stage stage) throws Exception {
        Path work = Files.createTempDirectory("kaiyuan-models-ui");
        hub = new CatalogHub(work);
        hub.hub.bytesPerSecond = 3_000_000;
        ModelRegistry registry = new ModelRegistry(work.resolve("home/models"));
        backend = new RegistryBackend(registry);
        io = Executors.newSingleThreadExecutor();
        downloads = Executors.newSingleThreadExecutor();
        MainWindow window = new MainWindow(Locale.ENGLISH, MainWindow.Services.chat(backend, io).withModels(
                new EngineModelsBackend(Catalog.bundled(), registry, new ModelInstaller(registry.modelsDir(),
                        new FileTransfer(Duration.ofSeconds(5), 2, Duration.ofMillis(20))), Map::of, 16L << 30, downloads,
                        null)));
        ModelManagerViewModel vm = window.pages().models();
        vm.sourceProperty().set(hub.url());
        vm.rows().forEach(r -> r.progressProperty().addListener((o, a, b) -> progressSeen.add(b.doubleValue())));
        stage.setScene(new Scene(window.root(), 1100, 700));
        stage.show();
    }

    @AfterEach
    void stop() {
        io.shutdownNow();
        downloads.shutdownNow();
        backend.close();
        hub.close();
    }

    private static void waitUntil(java.util.concurrent.Callable<Boolean> condition) throws Exception {
        FxWait.until(60, TimeUnit.SECONDS, condition);
        WaitForAsyncUtils.waitForFxEvents();
    }

    /** Catalog ids hold dots, which a CSS id selector would read as classes. */
    private static Node byId(FxRobot robot, String id) {
        return robot.lookup((Node n) -> id.equals(n.getId())).query();
    }

    @Test
    void withNoModelTheChatOffersTheRecommendedOneAndOneClickLeadsToAnAnswer(FxRobot robot) throws Exception {
        waitUntil(() -> robot.lookup("#chat-download-offer").tryQuery().map(Node::isVisible).orElse(false));
        javafx.scene.control.Button offer = robot.lookup("#chat-download-offer").queryButton();
        assertTrue(offer.getText().startsWith("Download Qwen2.5 0.5B Instruct (") && offer.getText().endsWith(" GB)"),
                offer.getText());

        robot.clickOn(offer);
        waitUntil(() -> robot.lookup("#chat-model").queryButton().getText().startsWith(CatalogHub.ID));
        assertTrue(progressSeen.stream().anyMatch(p -> p > 0 && p < 1), "progress was shown: " + progressSeen);
        assertFalse(robot.lookup("#chat-download-offer").queryButton().isVisible(), "the offer goes once a model is there");

        robot.clickOn("#chat-input").write("你好").type(KeyCode.ENTER);
        waitUntil(() -> ChatPageProbe.answered(robot, 2));
        String footer = WaitForAsyncUtils.asyncFx(() -> ChatPageProbe.lastFooter(robot)).get();
        assertTrue(footer.contains("20 tokens"), footer);

        robot.clickOn("#nav-models");
        WaitForAsyncUtils.waitForFxEvents();
        String runtime = robot.lookup("#models-runtime").queryLabeled().getText();
        assertTrue(runtime.contains("in use: cpu") && runtime.contains("CPU threads: Automatic"), runtime);
        waitUntil(() -> robot.lookup("#models-installed").queryAs(ListView.class).getItems().size() == 1);
        assertFalse(robot.lookup("#models-recommended").queryAs(Label.class).isVisible(),
                "the newcomer's hint goes once a model is installed");

        // "Chat with this model" opens a new chat with it.
        robot.clickOn(byId(robot, "chat-with-" + CatalogHub.ID));
        waitUntil(() -> robot.lookup("#nav-chat").queryAs(ToggleButton.class).isSelected());
        waitUntil(() -> ChatPageProbe.items(robot).isEmpty());
        assertTrue(robot.lookup("#chat-model").queryButton().getText().startsWith(CatalogHub.ID));
        assertTrue(robot.lookup("#chat-input").query().isFocused());
    }
}
