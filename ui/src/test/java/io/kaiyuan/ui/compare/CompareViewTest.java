package io.kaiyuan.ui.compare;

import io.kaiyuan.ui.FxWait;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kaiyuan.ui.common.FileDialogs;
import io.kaiyuan.ui.shell.MainWindow;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import javafx.scene.Scene;
import javafx.scene.control.Label;
import javafx.scene.control.ListView;
import javafx.stage.Stage;
import javafx.stage.Window;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/** The Compare page in the real window: a two-model run, then a blind run, a vote and the reveal. */
@ExtendWith(ApplicationExtension.class)
class CompareViewTest {
    private TinyCompareBackend backend;
    private ExecutorService io;
    private Path cardFile;

    @Start
    void start(Stage stage) throws Exception {
        backend = new TinyCompareBackend(Files.createTempDirectory("kaiyuan-compare-ui"));
        io = Executors.newSingleThreadExecutor();
        cardFile = Files.createTempDirectory("kaiyuan-cards").resolve("run.json");
        // Monocle cannot show the system's file dialogs: this stand-in answers them with one file.
        FileDialogs dialogs = new FileDialogs() {
            @Override
            public Optional<Path> save(Window owner, String initialName, List<Filter> filters) {
                assertEquals("kaiyuan-run.json", initialName);
                return Optional.of(cardFile);
            }

            @Override
            public Optional<Path> open(Window owner, List<Filter> filters) {
                return Optional.of(cardFile);
            }

            @Override
            public Optional<Path> folder(Window owner, String title) {
                return Optional.empty();
            }
        };
        MainWindow window = new MainWindow(Locale.ENGLISH, new MainWindow.Services(null, null, io, null, url -> { }, null,
                java.util.List.of(), s -> { }, backend).withDialogs(dialogs));
        stage.setScene(new Scene(window.root(), 1100, 760));
        stage.setWidth(1100);
        stage.setHeight(760);
        stage.show();
    }

    @AfterEach
    void stop() {
        io.shutdownNow();
        backend.close();
    }

    private static String label(FxRobot robot, String id) {
        return robot.lookup("#" + id).queryAs(Label.class).getText();
    }

    /** All text shown inside a node (an answer's paragraphs, a label's text). */
    private static String shown(javafx.scene.Node node) {
        if (!node.isVisible()) {
            return "";
        }
        if (node instanceof javafx.scene.text.Text t) {
            return t.getText();
        }
        StringBuilder sb = new StringBuilder();
        if (node instanceof javafx.scene.control.Labeled l && l.getText() != null) {
            sb.append(l.getText()).append('\n');
        }
        if (node instanceof javafx.scene.control.TextInputControl t) {
            sb.append(t.getText()).append('\n');
        }
        if (node instanceof javafx.scene.Parent p) {
            for (javafx.scene.Node child : p.getChildrenUnmodifiable()) {
                sb.append(shown(child));
            }
        }
        return sb.toString();
    }

    private static void waitForFigures(FxRobot robot) throws Exception {
        FxWait.until(60, TimeUnit.SECONDS, () -> !label(robot, "compare-figures-0").isEmpty()
                && !label(robot, "compare-figures-1").isEmpty());
        WaitForAsyncUtils.waitForFxEvents();
    }

    @Test
    void aComparisonThenABlindVoteAndTheReveal(FxRobot robot) throws Exception {
        robot.clickOn("#nav-compare");
        FxWait.until(30, TimeUnit.SECONDS, () -> "tiny/b".equals(
                robot.lookup("#compare-model-1").queryComboBox().getValue()));
        robot.clickOn("#compare-prompt").write("你好");
        robot.clickOn("#compare-run");
        waitForFigures(robot);
        assertEquals("A: tiny/a", label(robot, "compare-title-0"));
        assertTrue(label(robot, "compare-figures-1").contains("tokens/s"), label(robot, "compare-figures-1"));
        assertFalse(shown(robot.lookup("#compare-text-0").query()).isBlank(), "the answer is shown (as Markdown)");
        assertTrue(label(robot, "compare-schedule").startsWith("All columns ran at once: the 2 local models need"),
                label(robot, "compare-schedule"));
        assertTrue(robot.lookup("#compare-vote-a").queryButton().isDisabled(), "only blind runs are voted on");

        robot.clickOn("#compare-blind");
        robot.clickOn("#compare-run");
        FxWait.until(30, TimeUnit.SECONDS, () -> label(robot, "compare-figures-0").isEmpty());
        waitForFigures(robot);
        assertEquals("A", label(robot, "compare-title-0"), "blind: no names");
        assertEquals("B", label(robot, "compare-title-1"));
        String page = WaitForAsyncUtils.asyncFx(() -> shown(robot.lookup("#compare-run").query().getScene().getRoot())).get();
        assertFalse(page.contains("tiny/"), "no model is named anywhere on the page before the vote:\n" + page);
        assertFalse(label(robot, "compare-figures-0").contains("load") || label(robot, "compare-figures-0").contains("MB"),
                "no figure that tells a local model from a remote one: " + label(robot, "compare-figures-0"));
        assertEquals("All columns ran at once.", label(robot, "compare-schedule"), "nor how many run here");
        robot.clickOn("#compare-vote-b");
        WaitForAsyncUtils.waitForFxEvents();
        assertTrue(label(robot, "compare-title-1").startsWith("B: tiny/"), label(robot, "compare-title-1"));
        assertEquals(label(robot, "compare-title-1").substring(3), robot.lookup("#compare-model-1").queryComboBox().getValue(),
                "after the vote the picker above B names the model B ran");
        assertTrue(label(robot, "compare-figures-0").contains("load"), "all figures once the names are shown");
        FxWait.until(30, TimeUnit.SECONDS, () -> robot.lookup("#compare-leaderboard").queryAs(ListView.class)
                .getItems().size() == 2);
        assertTrue(robot.lookup("#compare-vote-a").queryButton().isDisabled(), "one vote per run");
    }

    @Test
    void aColumnsOwnSettingsThenExportAndReRunTheCard(FxRobot robot) throws Exception {
        robot.clickOn("#nav-compare");
        FxWait.until(30, TimeUnit.SECONDS, () -> "tiny/b".equals(
                robot.lookup("#compare-model-1").queryComboBox().getValue()));
        robot.clickOn("#compare-settings-1");
        robot.clickOn("#compare-temperature-1").write("1.3");
        robot.clickOn("#compare-seed-1").write("5");
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals("temperature=1.3, seed=5", label(robot, "compare-summary-1"));
        robot.clickOn("#compare-max-tokens").eraseText(3).write("10");
        robot.clickOn("#compare-prompt").write("秋天");
        robot.clickOn("#compare-run");
        waitForFigures(robot);
        assertEquals("B: tiny/b (temperature=1.3, seed=5)", label(robot, "compare-title-1"));

        robot.clickOn("#compare-export");
        FxWait.until(10, TimeUnit.SECONDS, () -> Files.exists(cardFile) && Files.size(cardFile) > 0);
        String json = Files.readString(cardFile);
        assertTrue(json.contains("\"temperature\" : 1.3") && json.contains("\"max_new_tokens\" : 10"), json);

        robot.clickOn("#compare-temperature-1").eraseText(3);
        robot.clickOn("#compare-rerun");
        FxWait.until(60, TimeUnit.SECONDS, () -> !label(robot, "compare-reproduced").isEmpty());
        assertEquals("Re-run: A same tokens, B same tokens", label(robot, "compare-reproduced"));
        assertEquals("fp32 · cpu · temperature=1.3, seed=5", label(robot, "compare-summary-1"),
                "the card's column settings are back, with the variant and provider it ran on pinned");
    }

    @Test
    void threeColumnsBlindThenCIsBest(FxRobot robot) throws Exception {
        robot.clickOn("#nav-compare");
        FxWait.until(30, TimeUnit.SECONDS, () -> "tiny/b".equals(
                robot.lookup("#compare-model-1").queryComboBox().getValue()));
        robot.clickOn("#compare-add");
        WaitForAsyncUtils.waitForFxEvents();
        robot.clickOn("#compare-settings-2");
        robot.clickOn("#compare-temperature-2").write("0.8");
        robot.clickOn("#compare-max-tokens").eraseText(3).write("6");
        robot.clickOn("#compare-blind");
        robot.clickOn("#compare-prompt").write("你好");
        robot.clickOn("#compare-run");
        FxWait.until(60, TimeUnit.SECONDS, () -> !label(robot, "compare-figures-2").isEmpty());
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals("C", label(robot, "compare-title-2"));
        assertEquals("C is best", robot.lookup("#compare-vote-c").queryButton().getText());
        assertEquals("All are bad", robot.lookup("#compare-vote-bad").queryButton().getText());
        robot.clickOn("#compare-vote-c");
        FxWait.until(30, TimeUnit.SECONDS, () -> robot.lookup("#compare-leaderboard").queryAs(ListView.class)
                .getItems().size() == 3);
        assertTrue(label(robot, "compare-title-2").startsWith("C: tiny/"), label(robot, "compare-title-2"));
    }
}
