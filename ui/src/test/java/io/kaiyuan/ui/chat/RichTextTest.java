package io.kaiyuan.ui.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import javafx.scene.Node;
import javafx.scene.Scene;
import javafx.scene.layout.VBox;
import javafx.stage.Stage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;

/**
 * Text of any script wraps inside its width. A small model's answers mix scripts (Thai, Devanagari,
 * Tibetan, Arabic, Chinese, Latin); JavaFX drew a complex-script run that spanned lines on every line and
 * past the right edge, which is what "the word at a wrap drawn twice" and the overflowing answers were.
 */
@ExtendWith(ApplicationExtension.class)
class RichTextTest {
    private static final List<String> PARAGRAPHS = List.of(
            "some latin words to fill a line of text here ที่ดีโบราณ ".repeat(20),
            "ที่ดีโบราณ".repeat(60),
            "Hindi नमस्ते दुनिया and Tibetan ཡ་ཡ་ mixed with 中文没有空格的长句子 and العربية here ".repeat(12),
            "नमस्ते दुनिया यह एक लंबा अनुच्छेद है जो कई पंक्तियों में लपेटा जाना चाहिए ".repeat(12),
            "مرحبا بالعالم هذه فقرة طويلة يجب أن تلتف على عدة أسطر في العرض ".repeat(12),
            "archivegis getChildmgr售后服务 CONT oxy gestãoATIVE工作室EXTERN ramifications เครดPok picture Rica工作任务إدارية"
                    .repeat(10));

    private Stage stage;

    @Start
    void start(Stage stage) {
        this.stage = stage;
        io.kaiyuan.ui.settings.Appearance.apply(false); // the app's theme, whose fonts the app uses
    }

    /** The right-most edge any run of the flow reaches when laid out 400 px wide. */
    private double widest(FxRobot robot, RichText flow) {
        AtomicReference<Double> widest = new AtomicReference<>(0.0);
        robot.interact(() -> {
            VBox box = new VBox(flow);
            box.setPrefWidth(400);
            box.setMaxWidth(400);
            // The box keeps its 400 px in a root that may be wider (the stage keeps the size an earlier test gave it).
            javafx.scene.layout.StackPane root = new javafx.scene.layout.StackPane(box);
            javafx.scene.layout.StackPane.setAlignment(box, javafx.geometry.Pos.TOP_LEFT);
            stage.setScene(new Scene(root, 400, 3000));
            stage.show();
            root.applyCss();
            root.layout();
            assertEquals(400, box.getWidth(), 0.5);
            for (Node n : flow.getChildren()) {
                if (n instanceof javafx.scene.text.Text) {
                    widest.set(Math.max(widest.get(), n.getBoundsInParent().getMaxX()));
                }
            }
        });
        return widest.get();
    }

    @Test
    void everyScriptWrapsInsideTheWidth(FxRobot robot) {
        for (String p : PARAGRAPHS) {
            AtomicReference<RichText> flow = new AtomicReference<>();
            robot.interact(() -> flow.set(RichText.of(p, "md-text")));
            double widest = widest(robot, flow.get());
            // JavaFX may let the last character of a line of complex text stand out by up to one glyph (inside
            // the column's margin); before, such lines ran on for thousands of pixels, drawn on every line.
            assertTrue(widest <= 416, "runs past 400 px to " + widest + ": " + p.substring(0, 40));
            assertEquals(p, flow.get().plainText(), "the text is whole, in order");
        }
    }

    @Test
    void aStreamingRunOfComplexTextIsSplitToo(FxRobot robot) {
        AtomicReference<RichText> flow = new AtomicReference<>();
        robot.interact(() -> {
            flow.set(RichText.of("thinking ", "reasoning"));
            flow.get().setText("thinking ที่ดีโบราณ".repeat(40), "reasoning");
        });
        assertTrue(widest(robot, flow.get()) <= 416);
        assertTrue(flow.get().runs().stream().allMatch(t -> t.getStyleClass().contains("reasoning")));
    }

    @Test
    void simpleTextStaysOneNodeAndComplexTextGoesAWordAtATime() {
        assertEquals(List.of("plain text, 中文 too"), RichText.pieces("plain text, 中文 too"));
        assertEquals(List.of("a ", "ที่", "ดี", "โ", "บ", "ร", "า", "ณ", " b"), RichText.pieces("a ที่ดีโบราณ b"),
                "Thai, written without spaces, a character (grapheme cluster) at a time");
        assertEquals(List.of("x", "नमस्ते", " ", "दुनिया"), RichText.pieces("xनमस्ते दुनिया"),
                "spaced scripts a word at a time; combining marks stay with their letters");
    }
}
