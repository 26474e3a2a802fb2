package io.kaiyuan.ui.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kaiyuan.engine.download.FileTransfer;
import io.kaiyuan.engine.download.ModelInstaller;
import io.kaiyuan.engine.model.Catalog;
import io.kaiyuan.engine.model.CatalogEntry;
import io.kaiyuan.engine.model.ModelRegistry;
import io.kaiyuan.engine.model.Variant;
import io.kaiyuan.ui.FxWait;
import io.kaiyuan.ui.settings.Settings;
import io.kaiyuan.ui.shell.MainWindow;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.ResourceBundle;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import javafx.application.Platform;
import javafx.geometry.Bounds;
import javafx.geometry.Point2D;
import javafx.scene.Node;
import javafx.scene.Scene;
import javafx.scene.control.Button;
import javafx.scene.control.ButtonBar;
import javafx.scene.control.ComboBox;
import javafx.scene.control.DialogPane;
import javafx.scene.control.Labeled;
import javafx.scene.control.ListCell;
import javafx.scene.control.ToggleButton;
import javafx.scene.input.KeyCode;
import javafx.stage.Stage;
import javafx.stage.Window;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/**
 * The Models page's states a person meets: the variant menu, a download that fails, a search that finds
 * nothing, the delete confirmations and the source selector. Downloads go to a closed port on this machine.
 */
@ExtendWith(ApplicationExtension.class)
class ModelsPageTest {
    private static final String QWEN = "qwen2.5-0.5b-instruct";
    private static final String CODER = "qwen2.5-coder-1.5b-instruct";

    private Stage stage;
    private ExecutorService io;
    private ModelManagerViewModel vm;
    private ModelRegistry registry;
    private Path outside;
    private String closed;

    @Start
    void start(Stage stage) throws Exception {
        this.stage = stage;
        Path work = Files.createTempDirectory("kaiyuan-models-page");
        registry = new ModelRegistry(work.resolve("models"));
        // One model downloaded into the models folder, one imported and used where it is.
        Path downloaded = Files.createDirectories(registry.modelsDir().resolve(ModelRegistry.folderName("deepseek-r1-distill-qwen-1.5b")));
        Files.writeString(downloaded.resolve(ModelRegistry.MANIFEST), "{\"id\":\"deepseek-r1-distill-qwen-1.5b\",\"source\":"
                + "\"huggingface\",\"repo\":\"onnx-community/DeepSeek-R1-Distill-Qwen-1.5B-ONNX\",\"commit\":\"0123456789abcdef\","
                + "\"variant\":\"q4\",\"files\":[{\"path\":\"onnx/model_q4.onnx\",\"size\":1970000000}]}");
        // loaded once: its record says the graph runs rebuilt for this CPU
        Files.createDirectories(downloaded.resolve("onnx"));
        Files.writeString(downloaded.resolve("onnx/model_q4.onnx"), "graph");
        Files.writeString(downloaded.resolve("onnx/model_q4.onnx.kaiyuan-optimised.json"),
                "{\"runs\":\"fused\",\"source_size\":5}");
        outside = Files.createDirectories(work.resolve("my-models/tiny"));
        Files.writeString(outside.resolve("config.json"), "{}");
        Path inPlace = Files.createDirectories(registry.modelsDir().resolve(ModelRegistry.folderName("mine/tiny")));
        Files.writeString(inPlace.resolve(ModelRegistry.MANIFEST), "{\"id\":\"mine/tiny\",\"source\":\"local\",\"repo\":\""
                + json(outside) + "\",\"commit\":\"\",\"variant\":\"fp32\",\"location\":\"" + json(outside)
                + "\",\"files\":[{\"path\":\"config.json\",\"size\":2}]}");
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = "http://127.0.0.1:" + s.getLocalPort();
        }
        io = Executors.newSingleThreadExecutor();
        // Hugging Face as set by HF_ENDPOINT: here, a port nothing listens on.
        MainWindow window = new MainWindow(Locale.ENGLISH, new MainWindow.Services(null, null, io,
                new EngineModelsBackend(Catalog.bundled(), registry, new ModelInstaller(registry.modelsDir(),
                        FileTransfer.defaults()), () -> Map.of("HF_ENDPOINT", closed), 16L << 30, io, null),
                url -> { }, Settings.DEFAULTS, List.of("cpu"), s -> { }, null));
        vm = window.pages().models();
        stage.setScene(new Scene(window.root(), 1024, 700));
        stage.show();
        window.show("nav.models");
    }

    private static String json(Path p) {
        return p.toAbsolutePath().toString().replace("\\", "\\\\");
    }

    @AfterEach
    void stop() {
        io.shutdownNow();
    }

    @Test
    void theVariantMenuListsEachFileOnceSmallestFirstSayingWhatEachIsFor(FxRobot robot) throws Exception {
        CatalogEntry coder = Catalog.bundled().find(CODER).orElseThrow();
        List<VariantChoice> choices = VariantChoice.of(coder);
        // int8 and quantized are one file on the hub: offered once, under both names.
        assertEquals(List.of(List.of(Variant.Q4F16), List.of(Variant.INT8, Variant.QUANTIZED), List.of(Variant.UINT8),
                List.of(Variant.BNB4), List.of(Variant.Q4), List.of(Variant.FP16), List.of(Variant.FP32)),
                choices.stream().map(VariantChoice::names).toList());
        for (int i = 1; i < choices.size(); i++) {
            assertTrue(choices.get(i - 1).bytes().getAsLong() <= choices.get(i).bytes().getAsLong(), "smallest first");
        }
        assertEquals(List.of(false, false, false, false, true, false, false),
                choices.stream().map(VariantChoice::recommended).toList());

        robot.interact(() -> vm.searchProperty().set("coder 1.5b"));
        FxWait.until(10, TimeUnit.SECONDS, () -> robot.lookup((Node n) -> ("download-" + CODER).equals(n.getId())).tryQuery()
                .map(Node::isVisible).orElse(false));
        Node download = byId(robot, "download-" + CODER);
        Bounds b = download.localToScreen(download.getBoundsInLocal());
        robot.clickOn(new Point2D(b.getMaxX() - 8, b.getCenterY()));
        FxWait.until(10, TimeUnit.SECONDS, () -> robot.lookup("#variant-q4").tryQuery().isPresent());
        List<String> lines = List.of("#variant-q4f16", "#variant-int8", "#variant-q4").stream()
                .map(id -> robot.lookup(id).queryAs(javafx.scene.Node.class))
                .map(ModelsPageTest::text).toList();
        assertTrue(lines.get(0).startsWith("q4f16 · 1.34 GB · 4-bit with fp16, for a GPU"), lines.get(0));
        assertTrue(lines.get(1).startsWith("int8 / quantized · 1.80 GB · 8-bit"), lines.get(1));
        assertEquals("q4 · 1.92 GB · 4-bit, best on a CPU · recommended", lines.get(2));
        assertTrue(robot.lookup("#variant-quantized").tryQuery().isEmpty(), "the same file is not offered twice");
        robot.type(KeyCode.ESCAPE);
    }

    @Test
    void aFailedDownloadSaysWhatHappenedAndOffersWhatToDoButNotTheSourceInUse(FxRobot robot) throws Exception {
        robot.interact(() -> vm.sourceProperty().set("huggingface"));
        robot.interact(() -> vm.download(vm.rows().stream().filter(r -> r.entry().id().equals(QWEN)).findFirst().orElseThrow(),
                java.util.Optional.empty()));
        FxWait.until(60, TimeUnit.SECONDS, () -> robot.lookup((Node n) -> ("failure-" + QWEN).equals(n.getId()) && n.isVisible())
                .tryQuery().isPresent());
        WaitForAsyncUtils.waitForFxEvents();
        String failure = ((Labeled) byId(robot, "failure-" + QWEN)).getText();
        assertEquals("Hugging Face could not be reached while downloading Qwen2.5 0.5B Instruct. Check the network connection, "
                + "or set a proxy in Settings. You can also try hf-mirror (mainland China).", failure);
        assertTrue(((Labeled) byId(robot, "failure-" + QWEN)).isWrapText(), "wrapped in full, never cut");
        assertTrue(byId(robot, "failure-" + QWEN).getStyleClass().contains("error-text"));
        List<String> buttons = robot.lookup((Node n) -> n instanceof Button && n.isVisible() && n.getParent() != null
                && n.getParent().getParent() == byId(robot, "failure-" + QWEN).getParent())
                .queryAll().stream().map(n -> ((Button) n).getText()).toList();
        assertEquals(List.of("Retry", "Try hf-mirror (mainland China)", "Set a proxy in Settings"), buttons);
        assertTrue(robot.lookup((Node n) -> ("try-huggingface-" + QWEN).equals(n.getId())).tryQuery().isEmpty(),
                "never the source already in use");

        robot.clickOn(byId(robot, "settings-for-" + QWEN));
        WaitForAsyncUtils.waitForFxEvents();
        assertTrue(robot.lookup("#nav-settings").queryAs(ToggleButton.class).isSelected(), "Open settings opens them");
    }

    @Test
    void aSearchThatFindsNothingSaysSoAndClearsWithOneClick(FxRobot robot) throws Exception {
        robot.clickOn("#models-search").write("zzzz");
        FxWait.until(10, TimeUnit.SECONDS, () -> robot.lookup("#models-no-match").tryQuery().map(Node::isVisible).orElse(false));
        assertEquals("No model matches “zzzz”.", robot.lookup("#models-no-match").queryLabeled().getText());
        robot.interact(() -> vm.fitsOnlyProperty().set(true));
        robot.clickOn("#models-clear-filters");
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals("", vm.searchProperty().get());
        assertFalse(vm.fitsOnlyProperty().get());
        assertEquals(vm.rows().size(), vm.visibleRows().size(), "every model shows again");
    }

    @Test
    void deletingTellsTheTruthAndAnImportUsedInPlaceKeepsItsFiles(FxRobot robot) throws Exception {
        FxWait.until(10, TimeUnit.SECONDS, () -> vm.installed().size() == 2);
        robot.clickOn(byId(robot, "delete-deepseek-r1-distill-qwen-1.5b"));
        DialogPane dialog = dialog(robot);
        assertEquals("Delete deepseek-r1-distill-qwen-1.5b and its files (1.97 GB)? This cannot be undone.",
                dialog.getContentText());
        assertEquals(List.of("Delete", "Cancel"), dialog.getButtonTypes().stream().map(t -> t.getText()).toList());
        Window owner = stage;
        Window shown = dialog.getScene().getWindow();
        double centre = shown.getX() + shown.getWidth() / 2;
        assertTrue(Math.abs(centre - (owner.getX() + owner.getWidth() / 2)) < 40, "centred on the window");
        robot.type(KeyCode.ESCAPE);
        WaitForAsyncUtils.waitForFxEvents();

        robot.interact(() -> {
            @SuppressWarnings("unchecked")
            javafx.scene.control.ListView<ModelRegistry.InstalledModel> list = robot.lookup("#models-installed")
                    .queryAs(javafx.scene.control.ListView.class);
            list.scrollTo(list.getItems().stream().filter(m -> m.id().equals("mine/tiny")).findFirst().orElseThrow());
        });
        WaitForAsyncUtils.waitForFxEvents();
        robot.clickOn(byId(robot, "delete-mine/tiny"));
        dialog = dialog(robot);
        assertEquals("Remove mine/tiny from Kaiyuan? It was imported and used where it is: its folder " + outside
                + " stays on disk with all its files.", dialog.getContentText());
        assertEquals(List.of("Remove", "Cancel"), dialog.getButtonTypes().stream().map(t -> t.getText()).toList());
        Button remove = (Button) dialog.lookupButton(dialog.getButtonTypes().stream()
                .filter(t -> t.getButtonData() == ButtonBar.ButtonData.OK_DONE).findFirst().orElseThrow());
        robot.clickOn(remove);
        FxWait.until(10, TimeUnit.SECONDS, () -> vm.installed().size() == 1);
        assertTrue(Files.exists(outside.resolve("config.json")), "the imported folder keeps its files");
        assertTrue(registry.find("mine/tiny").isEmpty());
    }

    @Test
    void anInstalledModelSaysHowItRunsOnceLoadedAndNothingBefore(FxRobot robot) throws Exception {
        FxWait.until(10, TimeUnit.SECONDS, () -> vm.installed().size() == 2);
        WaitForAsyncUtils.waitForFxEvents();
        Labeled runs = (Labeled) byId(robot, "runs-deepseek-r1-distill-qwen-1.5b");
        assertEquals("Optimised for this CPU: fused attention, int8 compute", runs.getText());
        assertTrue(runs.isVisible());
        assertTrue(robot.lookup((Node n) -> "runs-mine/tiny".equals(n.getId())).tryQuery().isEmpty(),
                "never loaded: nothing said");
    }

    @Test
    void theSourceSelectorShowsNamesAndItsExplanationSitsBesideIt(FxRobot robot) {
        @SuppressWarnings("unchecked")
        ComboBox<String> source = robot.lookup("#models-source").queryAs(ComboBox.class);
        assertNull(source.getTooltip(), "a tooltip on the selector covered its list");
        assertTrue(robot.lookup("#models-source-help").queryAs(Labeled.class).getTooltip().getText().contains("hf-mirror"));
        robot.clickOn(source);
        WaitForAsyncUtils.waitForFxEvents();
        // The cells of the open list (its own window), not the selector's button.
        List<String> shown = robot.lookup(".list-cell").queryAll().stream().filter(n -> n instanceof ListCell<?> c
                && n.getScene() != source.getScene() && c.getListView() != null
                && c.getListView().getItems() == source.getItems() && !c.isEmpty())
                .map(n -> ((ListCell<?>) n).getText()).toList();
        assertEquals(List.of("Hugging Face", "hf-mirror (mainland China)", "ModelScope", "Custom URL…"), shown);
        robot.type(KeyCode.ESCAPE);
        ResourceBundle zh = ResourceBundle.getBundle(MainWindow.BUNDLE, Locale.SIMPLIFIED_CHINESE);
        assertEquals("魔搭 ModelScope", zh.getString("models.source.modelscope"));
    }

    private static DialogPane dialog(FxRobot robot) throws Exception {
        FxWait.until(10, TimeUnit.SECONDS, () -> robot.lookup(".dialog-pane").tryQuery().isPresent());
        WaitForAsyncUtils.waitForFxEvents();
        return robot.lookup(".dialog-pane").queryAs(DialogPane.class);
    }

    private static String text(Node item) {
        if (item instanceof Labeled l) {
            return l.getText();
        }
        return ((javafx.scene.Parent) item).getChildrenUnmodifiable().stream().filter(n -> n instanceof Labeled)
                .map(n -> ((Labeled) n).getText()).findFirst().orElse("");
    }

    private static Node byId(FxRobot robot, String id) {
        return robot.lookup((Node n) -> id.equals(n.getId())).query();
    }
}
