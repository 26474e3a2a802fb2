package io.kaiyuan.ui;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kaiyuan.engine.api.FinishReason;
import io.kaiyuan.engine.api.GenerationMetrics;
import io.kaiyuan.engine.api.SamplingOverrides;
import io.kaiyuan.engine.chat.ChatStore;
import io.kaiyuan.engine.chat.Conversation;
import io.kaiyuan.engine.chat.StoredMessage;
import io.kaiyuan.engine.download.FileTransfer;
import io.kaiyuan.engine.download.ModelInstaller;
import io.kaiyuan.engine.model.Catalog;
import io.kaiyuan.engine.model.MemoryFit;
import io.kaiyuan.engine.model.ModelRegistry;
import io.kaiyuan.engine.remote.RemoteEndpoints;
import io.kaiyuan.engine.remote.Secrets;
import io.kaiyuan.ui.chat.ChatBackend;
import io.kaiyuan.ui.chat.ScriptedBackend;
import io.kaiyuan.ui.compare.TinyCompareBackend;
import io.kaiyuan.ui.models.ModelManagerViewModel;
import io.kaiyuan.ui.settings.ApiServerControl;
import io.kaiyuan.ui.settings.Appearance;
import io.kaiyuan.ui.settings.Settings;
import io.kaiyuan.ui.shell.MainWindow;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import javafx.application.Platform;
import javafx.geometry.Bounds;
import javafx.geometry.Orientation;
import javafx.scene.Node;
import javafx.scene.Parent;
import javafx.scene.Scene;
import javafx.scene.control.ButtonBase;
import javafx.scene.control.ContentDisplay;
import javafx.scene.control.Labeled;
import javafx.scene.control.ListView;
import javafx.scene.control.ScrollBar;
import javafx.scene.control.ScrollPane;
import javafx.scene.input.KeyCode;
import javafx.scene.text.Text;
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
 * Every page laid out as people see it — Chat (with long questions, thinking, code, a table and Chinese),
 * Compare (after a blind run), Models and Settings — at 1024x700 and 1440x900, in English and Simplified
 * Chinese, light and dark: no button, label or list row may be cut (its shown text ending in "…" or
 * running past the window) and no list may scroll sideways.
 */
@ExtendWith(ApplicationExtension.class)
class PageLayoutTest {
    private static final String QUESTION = """
            I'm porting a small service from Go to Rust and keep fighting the borrow checker: a struct that holds a \
            reference to a config, a function that returns the longer of two string slices, and a cache that hands out \
            references to its entries. Can you explain lifetimes properly, with examples, and tell me when I should just \
            clone instead? 另外，请用中文总结一下 Go 和 Rust 在内存管理上的区别。""";
    private static final String ANSWER = """
            ## What a lifetime is

            A **lifetime** is the span in which a reference is valid; you write one where a function *relates* \
            references, as `longest` does:

            ```rust
            fn longest<'a>(x: &'a str, y: &'a str) -> &'a str {
                if x.len() > y.len() { x } else { y }
            }
            ```

            | Concern | Go | Rust |
            |---|---|---|
            | Who frees memory | the garbage collector | the owner, when it goes out of scope |
            | 悬垂引用 | 不可能（GC 保留对象） | 编译时拒绝 |

            > 总结：Go 靠垃圾回收，Rust 靠所有权和借用检查。

            A very long identifier such as `this_is_a_deliberately_long_identifier_that_does_not_fit_on_one_line` wraps.""";

    private Stage stage;
    private final List<AutoCloseable> closing = new ArrayList<>();
    @org.junit.jupiter.api.io.TempDir
    Path temp;

    @Start
    void start(Stage stage) {
        this.stage = stage;
    }

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : closing) {
            c.close();
        }
        Platform.runLater(() -> Appearance.apply(false));
    }

    /** What the pages run on: a chat with a stored conversation, two tiny models to compare, a catalog, settings. */
    private MainWindow.Services services(Path dir, ExecutorService io) throws Exception {
        ChatStore store = ChatStore.open(dir.resolve("chats.db"));
        closing.add(store);
        Conversation c = store.create("Lifetimes", Optional.of("qwen2.5-0.5b-instruct"));
        GenerationMetrics metrics = new GenerationMetrics(412, 0, 386, 850, 212, 910, 38.4, 4300);
        store.replaceFrom(c.id(), 0, List.of(StoredMessage.user(QUESTION), StoredMessage.answer(ANSWER,
                "The user ports a Go service to Rust. Explain lifetimes, show longest, compare with Go in a table, and "
                        + "summarise in Chinese as asked.", "qwen2.5-0.5b-instruct", "q4", SamplingOverrides.NONE, metrics,
                FinishReason.STOP)));
        store.addVersion(c.id(), 1, StoredMessage.answer("Shorter: annotate lifetimes where a function returns one of "
                + "several references; otherwise own the data.", "", "qwen2.5-0.5b-instruct", "q4", SamplingOverrides.NONE,
                metrics, FinishReason.STOP));
        ScriptedBackend chat = new ScriptedBackend() {
            @Override
            public List<ModelChoice> modelChoices() {
                return List.of(new ModelChoice("qwen2.5-0.5b-instruct", false, 786_000_000L, "q4", MemoryFit.Fit.FITS),
                        new ModelChoice("deepseek-r1-distill-qwen-1.5b", false, 1_900_000_000L, "q4", MemoryFit.Fit.TIGHT),
                        ChatBackend.ModelChoice.of("remote/lab/Qwen/Qwen3-235B-A22B-Instruct-2507"));
            }

            @Override
            public List<String> installedModels() {
                return modelChoices().stream().map(ModelChoice::id).toList();
            }

            @Override
            public java.util.OptionalInt contextWindow(String modelId) {
                return java.util.OptionalInt.of(32768);
            }
        };
        TinyCompareBackend compare = new TinyCompareBackend(dir.resolve("compare"));
        closing.add(compare);
        ModelRegistry registry = new ModelRegistry(dir.resolve("models"));
        Path installed = dir.resolve("models").resolve("deepseek-r1-distill-qwen-1.5b");
        Files.createDirectories(installed);
        Files.writeString(installed.resolve(ModelRegistry.MANIFEST), "{\"id\":\"deepseek-r1-distill-qwen-1.5b\",\"source\":"
                + "\"huggingface\",\"repo\":\"onnx-community/DeepSeek-R1-Distill-Qwen-1.5B-ONNX\",\"commit\":"
                + "\"0123456789abcdef\",\"variant\":\"q4\",\"files\":[{\"path\":\"onnx/model_q4.onnx\",\"size\":1312000000}]}");
        Files.writeString(dir.resolve("endpoints.json"), "{\"endpoints\":[{\"name\":\"lab\",\"base_url\":"
                + "\"http://127.0.0.1:9/v1\",\"models\":[\"Qwen/Qwen3-235B-A22B-Instruct-2507\",\"deepseek-v3\"]}]}");
        RemoteEndpoints remotes = new RemoteEndpoints(dir.resolve("endpoints.json"), new Secrets(dir.resolve("keys.json")));
        ApiServerControl server = new ApiServerControl() {
            @Override
            public Optional<String> apply(boolean on, int port, String apiKey) {
                return on ? Optional.of("http://127.0.0.1:" + port + "/v1") : Optional.empty();
            }

            @Override
            public String apiKey() {
                return "";
            }
        };
        return MainWindow.Services.chat(chat, io).withStore(store)
                .withModels(messages -> new ModelManagerViewModel(Catalog.bundled(), registry,
                        new ModelInstaller(registry.modelsDir(), FileTransfer.defaults()), Map.of(), 16L << 30,
                        Platform::runLater, io, io, messages))
                .withSettings(Settings.DEFAULTS, List.of("cpu"), s -> { })
                .withCompare(compare).withServer(server).withRemotes(remotes);
    }

    @Test
    void everyPageFitsAt1024x700And1440x900InEnglishAndChineseLightAndDark(FxRobot robot) throws Exception {
        List<String> problems = new ArrayList<>();
        ExecutorService io = Executors.newSingleThreadExecutor();
        closing.add(io::shutdownNow);
        int round = 0;
        for (Locale locale : List.of(Locale.ENGLISH, Locale.SIMPLIFIED_CHINESE)) {
            for (boolean dark : List.of(false, true)) {
                Path dir = Files.createDirectories(temp.resolve(locale.getLanguage() + (dark ? "-dark" : "-light")));
                MainWindow.Services services = services(dir, io);
                MainWindow[] window = new MainWindow[1];
                robot.interact(() -> {
                    Appearance.apply(dark);
                    window[0] = new MainWindow(locale, services);
                    stage.setScene(new Scene(window[0].root(), 1024, 700));
                    stage.setWidth(1024);
                    stage.setHeight(700);
                    stage.show();
                });
                String title = locale.getLanguage().equals("zh") ? "Lifetimes" : "Lifetimes";
                FxWait.until(30, TimeUnit.SECONDS, () -> robot.lookup(title).tryQuery().isPresent());
                robot.clickOn(title);
                FxWait.until(30, TimeUnit.SECONDS, () -> robot.lookup(".chat-version").tryQuery().isPresent());
                runBlindComparison(robot, window[0]);
                for (double[] size : new double[][] {{1024, 700}, {1440, 900}}) {
                    robot.interact(() -> {
                        stage.setWidth(size[0]);
                        stage.setHeight(size[1]);
                    });
                    for (String page : List.of("nav.chat", "nav.compare", "nav.models", "nav.settings")) {
                        robot.interact(() -> window[0].show(page));
                        WaitForAsyncUtils.waitForFxEvents();
                        String where = String.format("%s %s %.0fx%.0f %s", locale.getLanguage(), dark ? "dark" : "light",
                                size[0], size[1], page);
                        robot.interact(() -> check(stage.getScene().getRoot(), where, problems));
                        if (page.equals("nav.chat")) {
                            robot.clickOn("#chat-settings");
                            WaitForAsyncUtils.waitForFxEvents();
                            robot.interact(() -> check(stage.getScene().getRoot(), where + " with its settings", problems));
                            robot.clickOn("#chat-settings");
                            robot.press(KeyCode.CONTROL).type(KeyCode.N).release(KeyCode.CONTROL);
                            WaitForAsyncUtils.waitForFxEvents();
                            robot.interact(() -> check(stage.getScene().getRoot(), where + " new chat", problems));
                            robot.clickOn(title);
                            FxWait.until(30, TimeUnit.SECONDS, () -> robot.lookup(".chat-version").tryQuery().isPresent());
                            robot.press(KeyCode.CONTROL).type(KeyCode.K).release(KeyCode.CONTROL);
                            WaitForAsyncUtils.waitForFxEvents();
                            robot.interact(() -> {
                                for (Window w : Window.getWindows()) {
                                    if (w != stage && w.isShowing() && w.getScene() != null) {
                                        check(w.getScene().getRoot(), where + " model picker", problems);
                                    }
                                }
                            });
                            robot.type(KeyCode.ESCAPE);
                        }
                    }
                }
                round++;
            }
        }
        assertTrue(round == 4);
        assertTrue(problems.isEmpty(), problems.size() + " problems:\n" + String.join("\n", problems));
    }

    /** Runs the two tiny models blind and waits for the vote row, as a person would before voting. */
    private void runBlindComparison(FxRobot robot, MainWindow window) throws Exception {
        robot.interact(() -> window.show("nav.compare"));
        FxWait.until(30, TimeUnit.SECONDS, () -> robot.lookup("#compare-run").tryQuery().isPresent());
        FxWait.until(30, TimeUnit.SECONDS, () -> robot.lookup("#compare-model-1").queryComboBox().getItems().size() == 2);
        robot.interact(() -> {
            robot.lookup("#compare-model-0").queryComboBox().getSelectionModel().select("tiny/a");
            robot.lookup("#compare-model-1").queryComboBox().getSelectionModel().select("tiny/b");
            robot.lookup("#compare-blind").queryAs(javafx.scene.control.CheckBox.class).setSelected(true);
            robot.lookup("#compare-prompt").queryAs(javafx.scene.control.TextInputControl.class).setText("长江有多长？");
        });
        robot.clickOn("#compare-run");
        FxWait.until(120, TimeUnit.SECONDS, () -> !robot.lookup("#compare-vote-a").query().isDisabled());
        WaitForAsyncUtils.waitForFxEvents();
    }

    /** Finds what is cut on a page: labelled controls whose text is elided or runs past the window, lists that scroll sideways. */
    static void check(Parent root, String where, List<String> problems) {
        root.applyCss();
        root.layout();
        double sceneWidth = root.getScene().getWidth();
        visit(root, node -> {
            // A menu button shows its text in a label of its own (checked as a Labeled itself).
            if (node instanceof Labeled l && l.getSkin() != null && !(node instanceof javafx.scene.control.MenuButton)) {
                String expected = l.getText();
                if (expected != null && !expected.isEmpty() && l.getContentDisplay() != ContentDisplay.GRAPHIC_ONLY) {
                    // The skin's text node (an icon is a Text too, of another class).
                    Text shown = l.getChildrenUnmodifiable().stream().filter(n -> n instanceof Text && n.getStyleClass().contains("text"))
                            .map(n -> (Text) n).findFirst().orElse(null);
                    String want = l.isMnemonicParsing() ? expected.replaceFirst("_(?=.)", "") : expected;
                    if (shown == null || !want.equals(shown.getText())) {
                        problems.add(where + ": " + describe(l) + " shows \"" + (shown == null ? null : shown.getText())
                                + "\" of \"" + expected + "\"");
                    } else {
                        Bounds b = l.localToScene(l.getLayoutBounds());
                        double limit = limit(l, sceneWidth);
                        if (b.getWidth() > 0 && b.getMaxX() > limit + 1) {
                            problems.add(where + ": " + describe(l) + " runs " + Math.round(b.getMaxX() - limit)
                                    + " px past the edge: \"" + expected + "\"");
                        }
                    }
                }
            }
            if (node instanceof ListView<?> || node instanceof ScrollPane) {
                for (Node bar : ((Parent) node).lookupAll(".scroll-bar")) {
                    if (bar instanceof ScrollBar s && s.getOrientation() == Orientation.HORIZONTAL && s.isVisible()
                            && nearestScroller(s) == node) {
                        problems.add(where + ": " + describe(node) + " scrolls sideways");
                    }
                }
            }
        });
    }

    private static Node nearestScroller(Node n) {
        for (Node p = n.getParent(); p != null; p = p.getParent()) {
            if (p instanceof ListView<?> || p instanceof ScrollPane) {
                return p;
            }
        }
        return null;
    }

    /** The right edge a node may reach: its scroll pane's view, else the window's. */
    private static double limit(Node n, double sceneWidth) {
        for (Node p = n.getParent(); p != null; p = p.getParent()) {
            if (p instanceof ScrollPane s) {
                return s.localToScene(s.getLayoutBounds()).getMaxX();
            }
        }
        return sceneWidth;
    }

    private static String describe(Node n) {
        String kind = n instanceof ButtonBase ? "button" : n.getClass().getSimpleName();
        return kind + (n.getId() != null ? "#" + n.getId() : "") + (n.getStyleClass().isEmpty() ? ""
                : "." + String.join(".", n.getStyleClass()));
    }

    private static void visit(Node node, java.util.function.Consumer<Node> action) {
        if (!node.isVisible()) {
            return;
        }
        action.accept(node);
        if (node instanceof Parent p) {
            for (Node child : p.getChildrenUnmodifiable()) {
                visit(child, action);
            }
        }
    }
}
