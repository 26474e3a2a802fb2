package io.kaiyuan.ui.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kaiyuan.ui.FxWait;
import io.kaiyuan.ui.shell.MainWindow;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import javafx.geometry.Bounds;
import javafx.geometry.Point2D;
import javafx.scene.Node;
import javafx.scene.Scene;
import javafx.scene.control.ContentDisplay;
import javafx.scene.control.ScrollPane;
import javafx.scene.control.ToggleButton;
import javafx.scene.input.Clipboard;
import javafx.scene.input.KeyCode;
import javafx.scene.input.MouseButton;
import javafx.scene.paint.Color;
import javafx.scene.shape.Path;
import javafx.scene.text.Text;
import javafx.stage.Stage;
import javafx.stage.Window;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/**
 * What a person sees and does on the chat page, in the real window with a scripted backend: messages
 * shown whole at any width, text selected in part, answers that keep their text, the view following the
 * stream, Markdown styles, the model picker and the shortcuts.
 */
@ExtendWith(ApplicationExtension.class)
class ChatPageViewTest {
    private static final String LONG_QUESTION = "I keep fighting the borrow checker when I port a Go service to Rust. "
            .repeat(8) + "长江是中国最长的河流，流经十一个省级行政区。".repeat(4);

    private ScriptedBackend backend;
    private MainWindow window;

    @Start
    void start(Stage stage) {
        backend = new ScriptedBackend();
        window = new MainWindow(Locale.ENGLISH, MainWindow.Services.chat(backend, Runnable::run));
        stage.setScene(new Scene(window.root(), 1024, 700));
        stage.show();
    }

    private static void waitUntil(java.util.concurrent.Callable<Boolean> condition) throws Exception {
        FxWait.until(20, TimeUnit.SECONDS, condition);
        WaitForAsyncUtils.waitForFxEvents();
    }

    private void ask(FxRobot robot, String text) {
        robot.interact(() -> {
            javafx.scene.control.TextArea input = robot.lookup("#chat-input").queryAs(javafx.scene.control.TextArea.class);
            input.setText(text);
        });
        robot.clickOn("#chat-input").type(KeyCode.ENTER);
        WaitForAsyncUtils.waitForFxEvents();
    }

    private void answer(FxRobot robot, String text) {
        robot.interact(() -> backend.last().text(text).finish());
        WaitForAsyncUtils.waitForFxEvents();
    }

    private static List<RichText> flows(Node node) {
        return new TextSelection((javafx.scene.layout.Region) node, ResourceBundleHolder.EN).flows();
    }

    /** The bundle for building throwaway selections in tests. */
    private static final class ResourceBundleHolder {
        static final java.util.ResourceBundle EN = java.util.ResourceBundle.getBundle(MainWindow.BUNDLE, Locale.ENGLISH);
    }

    @Test
    void aLongQuestionIsShownWholeOnManyLinesInABubbleApartFromTheAnswer(FxRobot robot) throws Exception {
        waitUntil(() -> robot.lookup("#chat-input").tryQuery().isPresent());
        ask(robot, LONG_QUESTION);
        answer(robot, "Short answer.");
        MessageView question = WaitForAsyncUtils.asyncFx(() -> ChatPage.view(robot, 0)).get();
        RichText text = flows(question).get(0);
        assertEquals(LONG_QUESTION, text.plainText(), "the whole question, not one line with an ellipsis");
        assertTrue(text.getHeight() > 6 * 16, "on many lines: " + text.getHeight());
        Node bubble = robot.from(question).lookup("." + MessageView.BUBBLE_STYLE).query();
        MessageView answer = WaitForAsyncUtils.asyncFx(() -> ChatPage.view(robot, 1)).get();
        Bounds b = bubble.localToScene(bubble.getLayoutBounds());
        Bounds column = answer.localToScene(answer.getLayoutBounds());
        assertTrue(b.getWidth() < column.getWidth() * 0.9, "the question sits in a bubble narrower than the column");
        assertTrue(Math.abs(b.getMaxX() - column.getMaxX()) < 2, "on the right");
        assertTrue(b.getMaxX() <= robot.lookup("#chat-scroll").query().localToScene(
                robot.lookup("#chat-scroll").query().getLayoutBounds()).getMaxX(), "inside the page");
    }

    @Test
    void partOfAnAnswerCanBeSelectedAndCopied(FxRobot robot) throws Exception {
        waitUntil(() -> robot.lookup("#chat-input").tryQuery().isPresent());
        ask(robot, "Explain");
        answer(robot, "First paragraph with several words.\n\nSecond paragraph here.");
        MessageView answer = WaitForAsyncUtils.asyncFx(() -> ChatPage.view(robot, 1)).get();
        List<RichText> flows = WaitForAsyncUtils.asyncFx(() -> flows(answer)).get();
        RichText first = flows.get(0);
        RichText second = flows.get(1);
        // Double-click a word.
        Point2D several = pointAt(first, 22);
        robot.moveTo(several).doubleClickOn(MouseButton.PRIMARY);
        assertEquals("several", answer.selection().selectedText());
        // Drag from inside the first paragraph into the second.
        robot.drag(pointAt(first, 6), MouseButton.PRIMARY).dropTo(pointAt(second, 6));
        WaitForAsyncUtils.waitForFxEvents();
        String selected = answer.selection().selectedText();
        assertTrue(selected.startsWith("paragraph with several words.\nSecond") && selected.length() < 50, selected);
        robot.press(KeyCode.CONTROL).type(KeyCode.C).release(KeyCode.CONTROL);
        AtomicReference<String> clip = new AtomicReference<>();
        robot.interact(() -> clip.set(Clipboard.getSystemClipboard().getString()));
        assertEquals(selected, clip.get(), "Ctrl+C copies what is selected, not the whole message");
        assertFalse(((Path) first.getChildren().get(1)).getElements().isEmpty(), "the selection is drawn");
    }

    /** The screen point of character {@code index} of a flow, half a line down. */
    private static Point2D pointAt(RichText flow, int index) {
        AtomicReference<Point2D> p = new AtomicReference<>();
        try {
            WaitForAsyncUtils.asyncFx(() -> {
                Bounds caret = new Path(flow.caretShape(index, true)).getBoundsInLocal();
                p.set(flow.localToScreen(caret.getMinX() + 2, caret.getMinY() + caret.getHeight() / 2));
            }).get();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return p.get();
    }

    @Test
    void earlierAnswersKeepTheirTextWhenANewTurnOrARegenerationRuns(FxRobot robot) throws Exception {
        waitUntil(() -> robot.lookup("#chat-input").tryQuery().isPresent());
        ask(robot, "one");
        answer(robot, "The **first** answer.");
        ask(robot, "two");
        answer(robot, "The second answer.");
        robot.clickOn(ChatPage.visible(robot, WaitForAsyncUtils.asyncFx(() -> ChatPage.view(robot, 3)).get(), "chat-regenerate"));
        robot.interact(() -> backend.last().text("The second answer, again.").finish());
        WaitForAsyncUtils.waitForFxEvents();
        for (int i : new int[] {1, 3}) {
            MessageView view = WaitForAsyncUtils.asyncFx(() -> ChatPage.view(robot, i)).get();
            String shown = String.join("", WaitForAsyncUtils.asyncFx(() -> flows(view).stream().map(RichText::plainText).toList()).get());
            assertTrue(shown.startsWith(i == 1 ? "The first answer." : "The second answer, again."), i + ": " + shown);
        }
        assertEquals("2/2", robot.lookup(".chat-version").queryLabeled().getText());
        robot.clickOn(".chat-version-previous");
        MessageView last = WaitForAsyncUtils.asyncFx(() -> ChatPage.view(robot, 3)).get();
        assertEquals("The second answer.", WaitForAsyncUtils.asyncFx(() -> flows(last).get(0).plainText()).get());
        assertEquals("1/2", robot.lookup(".chat-version").queryLabeled().getText());
    }

    @Test
    void theViewFollowsTheStreamUntilTheUserScrollsUpThenJumpsBack(FxRobot robot) throws Exception {
        waitUntil(() -> robot.lookup("#chat-input").tryQuery().isPresent());
        ask(robot, "Write a lot");
        ScrollPane scroll = robot.lookup("#chat-scroll").queryAs(ScrollPane.class);
        Node jump = robot.lookup("#chat-jump").query();
        for (int i = 0; i < 40; i++) {
            int n = i;
            robot.interact(() -> backend.last().text("Paragraph " + n + " of a long answer that keeps coming.\n\n"));
            WaitForAsyncUtils.sleep(120, TimeUnit.MILLISECONDS); // past the Markdown pane's render interval
            WaitForAsyncUtils.waitForFxEvents();
        }
        assertEquals(1.0, scroll.getVvalue(), 0.001, "at the bottom while following");
        assertFalse(jump.isVisible());

        // The mouse wheel, up (fired on the page as a wheel would; the headless robot has none).
        robot.interact(() -> {
            Bounds b = scroll.localToScene(scroll.getLayoutBounds());
            Node inside = robot.lookup("#chat-messages").query();
            for (int i = 0; i < 5; i++) {
                javafx.event.Event.fireEvent(inside, new javafx.scene.input.ScrollEvent(javafx.scene.input.ScrollEvent.SCROLL,
                        b.getCenterX(), b.getCenterY(), b.getCenterX(), b.getCenterY(), false, false, false, false, false, false,
                        0, 120, 0, 120, javafx.scene.input.ScrollEvent.HorizontalTextScrollUnits.NONE, 0,
                        javafx.scene.input.ScrollEvent.VerticalTextScrollUnits.NONE, 0, 0, null));
            }
        });
        WaitForAsyncUtils.waitForFxEvents();
        assertTrue(scroll.getVvalue() < 0.95, "scrolled up: " + scroll.getVvalue());
        assertTrue(jump.isVisible(), "Jump to latest is offered");
        MessageView answer = WaitForAsyncUtils.asyncFx(() -> ChatPage.view(robot, 1)).get();
        RichText anchor = WaitForAsyncUtils.asyncFx(() -> flows(answer).get(10)).get();
        double before = WaitForAsyncUtils.asyncFx(() -> anchor.localToScene(0, 0).getY()).get();
        for (int i = 40; i < 60; i++) {
            int n = i;
            robot.interact(() -> backend.last().text("Paragraph " + n + " of a long answer that keeps coming.\n\n"));
            WaitForAsyncUtils.sleep(120, TimeUnit.MILLISECONDS);
            WaitForAsyncUtils.waitForFxEvents();
        }
        double after = WaitForAsyncUtils.asyncFx(() -> anchor.localToScene(0, 0).getY()).get();
        assertEquals(before, after, 2, "what the user reads stays in place while the answer grows below");

        robot.clickOn("#chat-jump");
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals(1.0, scroll.getVvalue(), 0.001);
        assertFalse(jump.isVisible());
        robot.interact(() -> backend.last().text("The end.").finish());
    }

    @Test
    void headingsInlineCodeAndCodeBlocksAreStyled(FxRobot robot) throws Exception {
        waitUntil(() -> robot.lookup("#chat-input").tryQuery().isPresent());
        ask(robot, "Show me");
        answer(robot, "## A heading\n\nBody with `inline code` here.\n\n```python\ndef f():\n    return \"x\"  # done\n```");
        MessageView view = WaitForAsyncUtils.asyncFx(() -> ChatPage.view(robot, 1)).get();
        List<RichText> flows = WaitForAsyncUtils.asyncFx(() -> flows(view)).get();
        Text heading = flows.get(0).runs().get(0);
        Text body = flows.get(1).runs().get(0);
        assertTrue(heading.getFont().getSize() > body.getFont().getSize() + 3, heading.getFont() + " vs " + body.getFont());
        assertTrue(heading.getFont().getStyle().toLowerCase(Locale.ROOT).contains("bold"), heading.getFont().getStyle());
        Path codeBackground = (Path) flows.get(1).getChildren().get(0);
        assertFalse(codeBackground.getElements().isEmpty(), "inline code has a background");
        assertTrue(((Color) codeBackground.getFill()).getOpacity() > 0);
        RichText code = flows.get(2);
        Text def = code.runs().stream().filter(t -> t.getText().equals("def")).findFirst().orElseThrow();
        Text comment = code.runs().stream().filter(t -> t.getText().contains("# done")).findFirst().orElseThrow();
        assertTrue(def.getFont().getFamily().toLowerCase(Locale.ROOT).contains("mono"), def.getFont().getFamily());
        assertFalse(def.getFill().equals(body.getFill()), "keywords have a colour of their own");
        assertFalse(comment.getFill().equals(def.getFill()), "comments another");
    }

    @Test
    void theModelPickerSearchesGroupsAndPicksFromTheKeyboard(FxRobot robot) throws Exception {
        waitUntil(() -> robot.lookup("#chat-model").queryButton().getText().startsWith("a/model"));
        robot.interact(() -> backend.models.add("remote/lab/qwen-max"));
        robot.interact(window::installedModelsChanged);
        WaitForAsyncUtils.waitForFxEvents();
        robot.press(KeyCode.CONTROL).type(KeyCode.K).release(KeyCode.CONTROL);
        WaitForAsyncUtils.waitForFxEvents();
        @SuppressWarnings("unchecked")
        javafx.scene.control.ListView<ModelPicker.Row> list = robot.lookup("#chat-model-list").queryAs(javafx.scene.control.ListView.class);
        assertEquals(List.of(new ModelPicker.Heading("On this computer"), "a/model", "b/model",
                new ModelPicker.Heading("Remote endpoints"), "remote/lab/qwen-max"), list.getItems().stream()
                .map(r -> r instanceof ModelPicker.Choice c ? (Object) c.model().id() : r).toList());
        robot.write("b/mo").type(KeyCode.ENTER);
        WaitForAsyncUtils.waitForFxEvents();
        assertTrue(robot.lookup("#chat-model").queryButton().getText().startsWith("b/model"));
        assertFalse(robot.listWindows().stream().anyMatch(w -> w instanceof javafx.stage.Popup && w.isShowing()));
    }

    @Test
    void shortcutsWorkWhereverTheFocusIsAndCtrlSlashListsThemAll(FxRobot robot) throws Exception {
        waitUntil(() -> robot.lookup("#chat-input").tryQuery().isPresent());
        ask(robot, "hello");
        answer(robot, "hi");
        robot.press(KeyCode.CONTROL).type(KeyCode.DIGIT2).release(KeyCode.CONTROL);
        assertTrue(robot.lookup("#nav-compare").queryAs(ToggleButton.class).isSelected());
        robot.press(KeyCode.CONTROL).type(KeyCode.N).release(KeyCode.CONTROL);
        WaitForAsyncUtils.waitForFxEvents();
        assertTrue(robot.lookup("#nav-chat").queryAs(ToggleButton.class).isSelected(), "Ctrl+N from another page");
        assertTrue(WaitForAsyncUtils.asyncFx(() -> ChatPage.items(robot)).get().isEmpty(), "a new chat");
        assertTrue(robot.lookup("#chat-input").query().isFocused());

        robot.press(KeyCode.CONTROL).type(KeyCode.B).release(KeyCode.CONTROL);
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals(ContentDisplay.GRAPHIC_ONLY, robot.lookup("#nav-chat").queryAs(ToggleButton.class).getContentDisplay(),
                "the sidebar shows its icons only");
        robot.press(KeyCode.CONTROL).type(KeyCode.B).release(KeyCode.CONTROL);

        robot.press(KeyCode.CONTROL).type(KeyCode.SLASH).release(KeyCode.CONTROL);
        WaitForAsyncUtils.waitForFxEvents();
        javafx.scene.layout.GridPane list = robot.lookup("#shortcut-list").queryAs(javafx.scene.layout.GridPane.class);
        List<String> keys = list.getChildren().stream().filter(n -> javafx.scene.layout.GridPane.getColumnIndex(n) == 0)
                .map(n -> ((javafx.scene.control.Label) n).getText()).toList();
        assertTrue(keys.containsAll(List.of("Ctrl+N", "Ctrl+K", "Ctrl+F", "Ctrl+L", "Ctrl+R", "Enter", "Shift+Enter", "Esc",
                "Ctrl+1", "Ctrl+2", "Ctrl+3", "Ctrl+4", "Ctrl+B")), keys.toString());
        assertTrue(keys.stream().anyMatch(k -> k.startsWith("Ctrl+/")), keys.toString());
        Window dialog = list.getScene().getWindow();
        robot.interact(dialog::hide);
    }

    @Test
    void attachedFilesShowAsChipsWithTheirSizeBeforeSendingAndCanBeTakenOff(FxRobot robot) throws Exception {
        waitUntil(() -> robot.lookup("#chat-input").tryQuery().isPresent());
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("kaiyuan-attach");
        java.nio.file.Path notes = java.nio.file.Files.writeString(dir.resolve("notes.txt"), "长江 is long.");
        java.nio.file.Path code = java.nio.file.Files.writeString(dir.resolve("main.py"), "print(1)\n");
        robot.interact(() -> window.chatView().attach(List.of(notes, code)));
        waitUntil(() -> robot.lookup(".attachment-chip").queryAll().size() == 2);
        List<String> chips = robot.lookup(".attachment-chip .label").queryAll().stream()
                .map(n -> ((javafx.scene.control.Label) n).getText()).toList();
        assertEquals(List.of("notes.txt · 11 characters", "main.py · 9 characters"), chips);
        robot.clickOn(robot.from(robot.lookup(".attachment-chip").queryAll().iterator().next()).lookup(".button").queryButton());
        waitUntil(() -> robot.lookup(".attachment-chip").queryAll().size() == 1);
        ask(robot, "Look at this");
        assertEquals("Look at this\n\n```python main.py\nprint(1)\n```", backend.last().lastQuestion());
        assertTrue(robot.lookup(".attachment-chip").queryAll().isEmpty(), "sent with the message");
        robot.interact(() -> backend.last().text("ok").finish());
    }
}
