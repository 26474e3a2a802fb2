package io.kaiyuan.ui;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kaiyuan.ui.settings.Appearance;
import io.kaiyuan.ui.settings.Settings;
import io.kaiyuan.ui.shell.MainWindow;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
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

    @Test
    void everyPageFitsAt1024x700And1440x900InEnglishAndChineseLightAndDark(FxRobot robot) throws Exception {
        List<String> problems = new ArrayList<>();
        ExecutorService io = Executors.newSingleThreadExecutor();
        closing.add(io::shutdownNow);
        int round = 0;
        for (Locale locale : List.of(Locale.ENGLISH, Locale.SIMPLIFIED_CHINESE)) {
            for (boolean dark : List.of(false, true)) {
                Path dir = Files.createDirectories(temp.resolve(locale.getLanguage() + (dark ? "-dark" : "-light")));
                MainWindow.Services services = UiFixture.services(dir, io, closing);
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
