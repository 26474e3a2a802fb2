package io.kaiyuan.ui.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import javafx.scene.Node;
import javafx.scene.Parent;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.input.Clipboard;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.VBox;
import javafx.scene.text.Text;
import javafx.stage.Stage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;

/** Markdown as the chat shows it, rendered into real JavaFX nodes. */
@ExtendWith(ApplicationExtension.class)
class MarkdownTest {
    private static final String SAMPLE = """
            # 标题 Title

            Some **bold**, *em*, `inline code` and a [link](https://example.com).

            - first
            - second

            3. three
            4. four

            > quoted

            ```java
            int x = 1;
            ```

            | model | size |
            |---|---|
            | Qwen | 0.5B |
            """;

    private final AtomicReference<String> opened = new AtomicReference<>();

    @Start
    void start(Stage stage) {
        stage.show();
    }

    private VBox render(FxRobot robot, String text) {
        AtomicReference<VBox> out = new AtomicReference<>();
        robot.interact(() -> out.set(new Markdown("Copy", opened::set).render(text)));
        return out.get();
    }

    /** The text of a flow, or of the one flow inside a node (a table cell, a code block's body). */
    private static String text(Node node) {
        return flow(node).plainText();
    }

    private static RichText flow(Node node) {
        if (node instanceof RichText r) {
            return r;
        }
        return (RichText) ((Parent) node).getChildrenUnmodifiable().stream().filter(n -> n instanceof RichText || n instanceof Parent)
                .map(n -> n instanceof RichText r ? r : flow(n)).findFirst().orElseThrow();
    }

    private static List<Text> runs(Node node) {
        return flow(node).runs();
    }

    @Test
    void blocksAndInlineStylesBecomeNodes(FxRobot robot) {
        VBox root = render(robot, SAMPLE);
        List<Node> blocks = root.getChildren();
        assertEquals(7, blocks.size(), blocks.toString());

        assertTrue(blocks.get(0).getStyleClass().contains("md-h1"));
        assertEquals("标题 Title", text(blocks.get(0)));

        List<Text> paragraph = runs(blocks.get(1));
        assertEquals("Some bold, em, inline code and a link.", text(blocks.get(1)));
        assertTrue(paragraph.stream().filter(t -> t.getText().equals("bold")).allMatch(t -> t.getStyleClass().contains("md-strong")));
        assertTrue(paragraph.stream().filter(t -> t.getText().equals("em")).allMatch(t -> t.getStyleClass().contains("md-em")));
        assertTrue(paragraph.stream().filter(t -> t.getText().equals("inline code")).allMatch(t -> t.getStyleClass().contains("md-code")));
        Text link = paragraph.stream().filter(t -> t.getText().equals("link")).findFirst().orElseThrow();
        assertTrue(link.getStyleClass().contains("md-link"));
        robot.interact(() -> link.getOnMouseClicked().handle(new javafx.scene.input.MouseEvent(
                javafx.scene.input.MouseEvent.MOUSE_CLICKED, 0, 0, 0, 0, javafx.scene.input.MouseButton.PRIMARY, 1,
                false, false, false, false, true, false, false, true, false, true, null)));
        assertEquals("https://example.com", opened.get());

        VBox bullets = (VBox) blocks.get(2);
        assertEquals(List.of("•", "•"), markers(bullets));
        assertEquals(List.of("3.", "4."), markers((VBox) blocks.get(3)), "ordered lists keep their start number");
        assertTrue(blocks.get(4).getStyleClass().contains("md-quote"));

        VBox code = (VBox) blocks.get(5);
        assertTrue(code.getStyleClass().contains("md-code-block"));
        assertEquals("java", ((Label) ((HBox) code.getChildren().get(0)).getChildren().get(0)).getText());
        assertEquals("int x = 1;", text(code.getChildren().get(1)));
        assertEquals(List.of("int", " x = ", "1", ";"), runs(code.getChildren().get(1)).stream().map(Text::getText).toList());
        assertTrue(runs(code.getChildren().get(1)).get(0).getStyleClass().contains(CodeHighlighter.TYPE), "int is a type");
        assertTrue(runs(code.getChildren().get(1)).get(2).getStyleClass().contains(CodeHighlighter.NUMBER));
        Button copy = (Button) ((HBox) code.getChildren().get(0)).getChildren().get(2);
        robot.interact(copy::fire);
        AtomicReference<String> clip = new AtomicReference<>();
        robot.interact(() -> clip.set(Clipboard.getSystemClipboard().getString()));
        assertEquals("int x = 1;", clip.get());

        GridPane table = (GridPane) blocks.get(6);
        assertEquals(List.of("model", "size", "Qwen", "0.5B"), table.getChildren().stream().map(MarkdownTest::text).toList());
        assertTrue(runs(table.getChildren().get(0)).get(0).getStyleClass().contains("md-strong"), "header cells are bold");
    }

    private static List<String> markers(VBox list) {
        return list.getChildren().stream().map(row -> ((Label) ((Parent) row).getChildrenUnmodifiable().get(0)).getText()).toList();
    }

    @Test
    void anUnclosedFenceWhileStreamingIsCodeToTheEnd(FxRobot robot) {
        VBox root = render(robot, "Here:\n\n```python\nprint('hi')\nfor i in");
        assertEquals(2, root.getChildren().size());
        assertEquals("print('hi')\nfor i in", text(((VBox) root.getChildren().get(1)).getChildren().get(1)));
    }

    @Test
    void aLongUnbrokenRunWrapsInsideTheWidth(FxRobot robot) {
        String run = "x".repeat(3000);
        AtomicReference<Double> width = new AtomicReference<>();
        robot.interact(() -> {
            VBox root = new Markdown("Copy", opened::set).render(run);
            root.setMaxWidth(300);
            root.setPrefWidth(300);
            Stage stage = new Stage();
            stage.setScene(new javafx.scene.Scene(new VBox(root), 320, 400));
            stage.show();
            root.applyCss();
            root.layout();
            width.set(root.getChildren().get(0).getBoundsInParent().getWidth());
            stage.close();
        });
        assertTrue(width.get() <= 301, "wrapped within 300 px, was " + width.get());
    }
}
