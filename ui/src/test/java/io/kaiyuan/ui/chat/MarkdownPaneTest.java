package io.kaiyuan.ui.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import javafx.scene.Node;
import javafx.scene.Parent;
import javafx.scene.text.Text;
import javafx.stage.Stage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/** Streaming Markdown renders what arrived, keeping the blocks already shown. */
@ExtendWith(ApplicationExtension.class)
class MarkdownPaneTest {
    private static final String ANSWER = """
            # Rivers

            The **Yangtze** is long.

            ```python
            a = 1

            b = 2
            ```

            1. one
            2. two

            Last paragraph with `code`.""";

    @Start
    void start(Stage stage) {
        stage.show();
    }

    @Test
    void blockBoundariesSkipBlankLinesInsideCodeFences() {
        assertEquals(0, MarkdownPane.lastBlockBoundary("no blank line yet", 0));
        assertEquals(9, MarkdownPane.lastBlockBoundary("# Title\n\nPara", 0), "just after the blank line");
        int fenceStart = ANSWER.indexOf("```python");
        assertEquals(fenceStart, MarkdownPane.lastBlockBoundary(ANSWER.substring(0, ANSWER.indexOf("b = 2")), 0),
                "the blank line inside the fence is not a boundary");
        assertEquals(ANSWER.indexOf("1. one"), MarkdownPane.lastBlockBoundary(ANSWER.substring(0, ANSWER.indexOf("2. two")), 0));
    }

    /** All text of the rendered nodes, in order. */
    private static String texts(Node node) {
        if (node instanceof Text t) {
            return t.getText();
        }
        if (node instanceof javafx.scene.control.Labeled l) {
            return l.getText();
        }
        if (node instanceof Parent p) {
            return p.getChildrenUnmodifiable().stream().map(MarkdownPaneTest::texts).collect(Collectors.joining("|"));
        }
        return "";
    }

    /** Texts without the empty separators that layout nodes add. */
    private static String normal(String texts) {
        return texts.replaceAll("\\|+", "|").replaceAll("^\\||\\|$", "");
    }

    @Test
    void streamedTextEndsAsTheWholeRenderAndKeepsEarlierBlocks(FxRobot robot) throws Exception {
        Markdown markdown = new Markdown("Copy", url -> { });
        AtomicReference<MarkdownPane> pane = new AtomicReference<>();
        AtomicReference<Node> firstBlock = new AtomicReference<>();
        robot.interact(() -> pane.set(new MarkdownPane(markdown)));
        for (int end = 1; end <= ANSWER.length(); end += 7) {
            String part = ANSWER.substring(0, end);
            robot.interact(() -> pane.get().setMarkdown(part));
            if (firstBlock.get() == null && end > ANSWER.indexOf("The **")) {
                robot.interact(() -> firstBlock.set(((Parent) pane.get().getChildren().get(0)).getChildrenUnmodifiable().get(0)));
            }
        }
        robot.interact(() -> pane.get().setMarkdown(ANSWER));
        Thread.sleep(MarkdownPane.INTERVAL_MS * 3);
        WaitForAsyncUtils.waitForFxEvents();
        AtomicReference<String> whole = new AtomicReference<>();
        robot.interact(() -> whole.set(texts(markdown.render(ANSWER))));
        AtomicReference<String> shown = new AtomicReference<>();
        robot.interact(() -> shown.set(texts(pane.get())));
        assertEquals(normal(whole.get()), normal(shown.get()));
        robot.interact(() -> assertSame(firstBlock.get(), ((Parent) pane.get().getChildren().get(0)).getChildrenUnmodifiable().get(0),
                "the heading was rendered once and kept"));

        robot.interact(() -> pane.get().setMarkdown("Something else entirely."));
        Thread.sleep(MarkdownPane.INTERVAL_MS * 3);
        WaitForAsyncUtils.waitForFxEvents();
        robot.interact(() -> assertEquals("Something else entirely.", texts(pane.get()).replace("|", "")));
    }
}
