package io.kaiyuan.ui.compare;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kaiyuan.ui.shell.MainWindow;
import java.nio.file.Files;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import javafx.scene.Scene;
import javafx.scene.control.Label;
import javafx.scene.control.ListView;
import javafx.stage.Stage;
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

    @Start
    void start(Stage stage) throws Exception {
        backend = new TinyCompareBackend(Files.createTempDirectory("kaiyuan-compare-ui"));
        io = Executors.newSingleThreadExecutor();
        MainWindow window = new MainWindow(Locale.ENGLISH, new MainWindow.Services(null, null, io, null, url -> { }, null,
                java.util.List.of(), s -> { }, backend));
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

    private static void waitForFigures(FxRobot robot) throws Exception {
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> !label(robot, "compare-figures-0").isEmpty()
                && !label(robot, "compare-figures-1").isEmpty());
        WaitForAsyncUtils.waitForFxEvents();
    }

    @Test
    void aComparisonThenABlindVoteAndTheReveal(FxRobot robot) throws Exception {
        robot.clickOn("#nav-compare");
        WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS, () -> "tiny/b".equals(
                robot.lookup("#compare-model-1").queryComboBox().getValue()));
        robot.clickOn("#compare-prompt").write("你好");
        robot.clickOn("#compare-run");
        waitForFigures(robot);
        assertEquals("A: tiny/a", label(robot, "compare-title-0"));
        assertTrue(label(robot, "compare-figures-1").contains("tokens/s"), label(robot, "compare-figures-1"));
        assertFalse(label(robot, "compare-text-0").isEmpty());
        assertTrue(label(robot, "compare-schedule").startsWith("all at once"));
        assertTrue(robot.lookup("#compare-vote-a").queryButton().isDisabled(), "only blind runs are voted on");

        robot.clickOn("#compare-blind");
        robot.clickOn("#compare-run");
        WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS, () -> label(robot, "compare-figures-0").isEmpty());
        waitForFigures(robot);
        assertEquals("A", label(robot, "compare-title-0"), "blind: no names");
        assertEquals("B", label(robot, "compare-title-1"));
        robot.clickOn("#compare-vote-b");
        WaitForAsyncUtils.waitForFxEvents();
        assertTrue(label(robot, "compare-title-1").startsWith("B: tiny/"), label(robot, "compare-title-1"));
        WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS, () -> robot.lookup("#compare-leaderboard").queryAs(ListView.class)
                .getItems().size() == 2);
        assertTrue(robot.lookup("#compare-vote-a").queryButton().isDisabled(), "one vote per run");
    }
}
