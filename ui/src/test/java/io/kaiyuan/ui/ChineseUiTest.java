package io.kaiyuan.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kaiyuan.ui.settings.Appearance;
import io.kaiyuan.ui.settings.Settings;
import io.kaiyuan.ui.shell.MainWindow;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.ResourceBundle;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javafx.application.Platform;
import javafx.scene.Node;
import javafx.scene.Parent;
import javafx.scene.Scene;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Control;
import javafx.scene.control.Labeled;
import javafx.scene.control.TextInputControl;
import javafx.scene.control.ToggleButton;
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
 * The whole window switched to Simplified Chinese the way a person does it (Settings, Language), then every
 * page and state visited — the open conversation, its settings, the model picker, the conversation menu, the
 * rename and delete dialogs, the shortcuts, a failed answer, a blind comparison and its reveal, the variant
 * menu, a failed download, an empty search, the delete confirmation, the source list, the settings'
 * messages — and every text a person can see there (labels, buttons, menu items, prompts, tooltips, window
 * titles) checked: none may be a text of the English bundle, none may read as an English sentence, none
 * may say "null". What people or models wrote (questions, answers, titles) is theirs and not checked. Each
 * state's layout is checked too (nothing cut, nothing scrolling sideways).
 */
@ExtendWith(ApplicationExtension.class)
class ChineseUiTest {
    /** Names that stay as they are in a Chinese UI: the product's, hubs', tools', formats', models'. */
    private static final List<String> NAMES = List.of("Kaiyuan", "Hugging Face", "ModelScope", "hf-mirror", "ONNX Runtime",
            "OpenAI API", "OpenAI", "DeepSeek", "vLLM", "SGLang", "Qwen", "Apache-2.0", "MIT", "GGUF", "JSON", "Markdown",
            "HF_TOKEN", "MODELSCOPE_API_TOKEN", "HTTPS_PROXY", "HF_ENDPOINT", "Python", "curl", "API", "URL", "KV", "CPU",
            "GPU", "Enter", "Shift", "Ctrl", "Esc", "Tab");
    /** Words that make a run of Latin words an English sentence rather than a name. */
    private static final Set<String> ENGLISH_WORDS = Set.of("the", "a", "an", "and", "or", "to", "of", "in", "on", "for",
            "with", "from", "is", "are", "was", "be", "this", "that", "it", "not", "no", "at", "by", "as", "your", "you",
            "can", "will", "off", "cancel", "close", "copy", "save", "delete", "remove", "retry", "try", "open", "settings",
            "download", "chat", "model", "models", "tokens", "votes", "vote", "failed", "error", "loading", "new", "send",
            "stop", "rename", "search", "clear", "add", "refresh", "import", "verify", "ok", "yes", "automatic", "none");
    /** The style classes of what people and models wrote, and of code: not the UI's words. */
    private static final Set<String> CONTENT = Set.of("md-paragraph", "md-quote", "md-cell", "md-code-body",
            "md-code-language", "code-example", "user-bubble", "reasoning", "conversation-title", "message-editor",
            "md-h1", "md-h2", "md-h3", "md-h4", "md-h5", "md-h6");

    private Stage stage;
    private final List<AutoCloseable> closing = new ArrayList<>();
    private final Set<String> problems = Collections.synchronizedSet(new LinkedHashSet<>());
    private List<Pattern> english;
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
        WaitForAsyncUtils.asyncFx(() -> {
            stage.titleProperty().unbind(); // the stage is shared with the next test
            Appearance.apply(false);
        }).get();
    }

    @Test
    void afterSwitchingToChineseEveryPageAndStateSpeaksChinese(FxRobot robot) throws Exception {
        english = englishTexts();
        ExecutorService io = Executors.newSingleThreadExecutor();
        closing.add(io::shutdownNow);
        MainWindow.Services services = UiFixture.services(Files.createDirectories(temp.resolve("home")), io, closing);
        MainWindow[] window = new MainWindow[1];
        robot.interact(() -> {
            Appearance.apply(false);
            window[0] = new MainWindow(Locale.ENGLISH, services);
            stage.titleProperty().bind(window[0].titleProperty());
            stage.setScene(new Scene(window[0].root(), 1024, 700));
            stage.setWidth(1024);
            stage.setHeight(700);
            stage.show();
        });
        FxWait.until(30, TimeUnit.SECONDS, () -> robot.lookup("Lifetimes").tryQuery().isPresent());
        robot.clickOn("Lifetimes");
        FxWait.until(30, TimeUnit.SECONDS, () -> robot.lookup(".chat-version").tryQuery().isPresent());

        // A blind comparison run in English: its results must be said again in Chinese after the switch.
        runBlindComparison(robot, window[0]);

        // The switch as a person makes it: the list opened, the language clicked.
        robot.clickOn("#nav-settings");
        robot.clickOn("#settings-language");
        robot.clickOn("简体中文 (Simplified Chinese)");
        FxWait.until(10, TimeUnit.SECONDS, () -> robot.lookup("#nav-chat").queryAs(ToggleButton.class).getText().equals("聊天"));
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals(Settings.Language.SIMPLIFIED_CHINESE, robot.lookup("#settings-language").queryAs(ComboBox.class).getValue());
        scan(robot, "settings right after the switch");
        // The first click after the switch does what it says.
        robot.clickOn("#nav-chat");
        WaitForAsyncUtils.waitForFxEvents();
        assertTrue(robot.lookup("#nav-chat").queryAs(ToggleButton.class).isSelected()
                && robot.lookup("#chat-input").tryQuery().map(Node::isVisible).orElse(false), "the first click after the switch works");
        FxWait.until(10, TimeUnit.SECONDS, () -> robot.lookup(".chat-version").tryQuery().isPresent());
        List<String> footers = robot.lookup(".message-footer").queryAll().stream().filter(n -> n instanceof Labeled)
                .map(n -> ((Labeled) n).getText()).filter(t -> t != null && !t.isBlank()).toList();
        assertTrue(!footers.isEmpty() && footers.stream().anyMatch(t -> t.matches("(?s).*[\\u4e00-\\u9fff].*")),
                "the open conversation is drawn again in Chinese: " + footers);

        chatStates(robot, window[0]);
        compareStates(robot, window[0]);
        modelStates(robot, window[0]);
        settingsStates(robot, window[0]);

        assertTrue(problems.isEmpty(), problems.size() + " English texts in the Chinese UI:\n" + String.join("\n", problems));
    }

    private void chatStates(FxRobot robot, MainWindow window) throws Exception {
        scan(robot, "chat, the open conversation");
        robot.clickOn("#chat-settings");
        WaitForAsyncUtils.waitForFxEvents();
        scan(robot, "chat, its settings");
        robot.clickOn("#chat-settings");
        robot.press(KeyCode.CONTROL).type(KeyCode.K).release(KeyCode.CONTROL);
        WaitForAsyncUtils.waitForFxEvents();
        scan(robot, "chat, the model picker");
        robot.type(KeyCode.ESCAPE);
        // The conversation's menu, and the dialogs it opens (cancelled).
        openMenu(robot, conversation(robot, "Lifetimes"));
        WaitForAsyncUtils.waitForFxEvents();
        scan(robot, "chat, the conversation's menu");
        robot.clickOn("重命名…");
        WaitForAsyncUtils.waitForFxEvents();
        scan(robot, "chat, the rename dialog");
        robot.type(KeyCode.ESCAPE);
        WaitForAsyncUtils.waitForFxEvents();
        openMenu(robot, conversation(robot, "Lifetimes"));
        robot.clickOn("删除");
        WaitForAsyncUtils.waitForFxEvents();
        scan(robot, "chat, the delete dialog");
        robot.type(KeyCode.ESCAPE);
        WaitForAsyncUtils.waitForFxEvents();
        robot.clickOn("#shell-shortcuts");
        WaitForAsyncUtils.waitForFxEvents();
        scan(robot, "the shortcuts");
        robot.type(KeyCode.ESCAPE);
        WaitForAsyncUtils.waitForFxEvents();
        // A new chat with the remote model, whose endpoint refuses the key: the error as people read it.
        robot.press(KeyCode.CONTROL).type(KeyCode.N).release(KeyCode.CONTROL);
        WaitForAsyncUtils.waitForFxEvents();
        scan(robot, "chat, a new chat");
        robot.press(KeyCode.CONTROL).type(KeyCode.K).release(KeyCode.CONTROL);
        WaitForAsyncUtils.waitForFxEvents();
        robot.write("Qwen3-235B");
        robot.type(KeyCode.ENTER);
        WaitForAsyncUtils.waitForFxEvents();
        robot.clickOn("#chat-input").write("你好");
        robot.type(KeyCode.ENTER);
        FxWait.until(10, TimeUnit.SECONDS, () -> robot.lookup(".error-text").queryAll().stream()
                .anyMatch(n -> n.isVisible() && n instanceof Labeled l && !l.getText().isEmpty()));
        scan(robot, "chat, a failed answer");
        String error = robot.lookup(".error-text").queryAll().stream().filter(n -> n.isVisible() && n instanceof Labeled l
                && !l.getText().isEmpty()).map(n -> ((Labeled) n).getText()).findFirst().orElseThrow();
        assertTrue(error.contains("lab") && error.contains("API 密钥"), "the endpoint's refusal in Chinese: " + error);
        layout(robot, "chat, a failed answer");
    }

    private void runBlindComparison(FxRobot robot, MainWindow window) throws Exception {
        robot.interact(() -> window.show("nav.compare"));
        FxWait.until(30, TimeUnit.SECONDS, () -> robot.lookup("#compare-model-1").queryComboBox().getItems().size() >= 2);
        robot.interact(() -> {
            robot.lookup("#compare-model-0").queryComboBox().getSelectionModel().select("tiny/a");
            robot.lookup("#compare-model-1").queryComboBox().getSelectionModel().select("tiny/b");
            robot.lookup("#compare-blind").queryAs(javafx.scene.control.CheckBox.class).setSelected(true);
            robot.lookup("#compare-prompt").queryAs(TextInputControl.class).setText("长江有多长？");
        });
        robot.clickOn("#compare-run");
        FxWait.until(120, TimeUnit.SECONDS, () -> !robot.lookup("#compare-vote-a").query().isDisabled());
        WaitForAsyncUtils.waitForFxEvents();
    }

    private void compareStates(FxRobot robot, MainWindow window) throws Exception {
        robot.interact(() -> window.show("nav.compare"));
        FxWait.until(30, TimeUnit.SECONDS, () -> robot.lookup("#compare-vote-a").tryQuery().isPresent());
        WaitForAsyncUtils.waitForFxEvents();
        scan(robot, "compare, a blind run from before the switch, before the vote");
        layout(robot, "compare, a blind run before the vote");
        robot.clickOn("#compare-vote-a");
        FxWait.until(30, TimeUnit.SECONDS, () -> robot.lookup("#compare-vote-a").query().isDisabled()
                || !robot.lookup("#compare-vote-a").query().isVisible());
        WaitForAsyncUtils.waitForFxEvents();
        scan(robot, "compare, the reveal and the leaderboard");
        layout(robot, "compare, the reveal and the leaderboard");
    }

    private void modelStates(FxRobot robot, MainWindow window) throws Exception {
        robot.interact(() -> window.show("nav.models"));
        WaitForAsyncUtils.waitForFxEvents();
        scan(robot, "models");
        String first = "qwen2.5-0.5b-instruct";
        // The variant menu.
        Node download = byId(robot, "download-" + first);
        javafx.geometry.Bounds b = download.localToScreen(download.getBoundsInLocal());
        robot.clickOn(new javafx.geometry.Point2D(b.getMaxX() - 10, b.getCenterY()));
        FxWait.until(10, TimeUnit.SECONDS, () -> robot.lookup("#variant-q4").tryQuery().isPresent());
        scan(robot, "models, the variant menu");
        robot.type(KeyCode.ESCAPE);
        WaitForAsyncUtils.waitForFxEvents();
        // A download that cannot reach its source.
        robot.clickOn(new javafx.geometry.Point2D(b.getMinX() + 15, b.getCenterY()));
        FxWait.until(60, TimeUnit.SECONDS, () -> robot.lookup((Node n) -> ("failure-" + first).equals(n.getId()) && n.isVisible()).tryQuery().isPresent());
        WaitForAsyncUtils.waitForFxEvents();
        scan(robot, "models, a failed download");
        layout(robot, "models, a failed download");
        String failure = ((Labeled) byId(robot, "failure-" + first)).getText();
        assertTrue(failure.contains("无法连接"), "the failure in Chinese: " + failure);
        // A search that finds nothing.
        robot.clickOn("#models-search").write("zzzz");
        FxWait.until(10, TimeUnit.SECONDS, () -> robot.lookup("#models-no-match").tryQuery().map(Node::isVisible).orElse(false));
        scan(robot, "models, a search that finds nothing");
        robot.clickOn("#models-clear-filters");
        WaitForAsyncUtils.waitForFxEvents();
        // The delete confirmation (cancelled).
        robot.interact(() -> {
            javafx.scene.control.ListView<?> installed = robot.lookup("#models-installed").queryAs(javafx.scene.control.ListView.class);
            installed.scrollTo(0);
        });
        robot.clickOn(byId(robot, "delete-deepseek-r1-distill-qwen-1.5b"));
        WaitForAsyncUtils.waitForFxEvents();
        scan(robot, "models, the delete confirmation");
        robot.type(KeyCode.ESCAPE);
        WaitForAsyncUtils.waitForFxEvents();
        // The source list.
        robot.clickOn("#models-source");
        WaitForAsyncUtils.waitForFxEvents();
        scan(robot, "models, the source list");
        robot.type(KeyCode.ESCAPE);
        WaitForAsyncUtils.waitForFxEvents();
    }

    private void settingsStates(FxRobot robot, MainWindow window) throws Exception {
        robot.interact(() -> window.show("nav.settings"));
        WaitForAsyncUtils.waitForFxEvents();
        robot.interact(() -> robot.lookup("#settings-proxy").queryAs(TextInputControl.class).setText("not a proxy"));
        robot.interact(() -> robot.lookup("#settings-downloads-save").queryButton().fire());
        robot.interact(() -> robot.lookup("#settings-remote-name").queryAs(TextInputControl.class).setText("a/b"));
        robot.interact(() -> robot.lookup("#settings-remote-add").queryButton().fire());
        robot.interact(() -> robot.lookup("#settings-server").queryAs(javafx.scene.control.CheckBox.class).fire());
        FxWait.until(10, TimeUnit.SECONDS, () -> !robot.lookup("#settings-server-status").queryLabeled().getText().isEmpty()
                && !robot.lookup("#settings-server-status").queryLabeled().getText().equals("已关闭"));
        WaitForAsyncUtils.waitForFxEvents();
        scan(robot, "settings, with its messages");
        layout(robot, "settings, with its messages");
        assertTrue(robot.lookup("#settings-downloads-status").queryLabeled().getText().contains("代理"),
                robot.lookup("#settings-downloads-status").queryLabeled().getText());
        assertTrue(robot.lookup("#settings-remote-status").queryLabeled().getText().contains("名称"),
                robot.lookup("#settings-remote-status").queryLabeled().getText());
    }

    /**
     * Opens the context menu of the cell around {@code node} where the pointer is (headless Monocle raises no
     * context menu request for a right click).
     */
    private static void openMenu(FxRobot robot, Node node) {
        robot.moveTo(node);
        robot.interact(() -> {
            Node n = node;
            while (n != null && !(n instanceof Control c && c.getContextMenu() != null)) {
                n = n.getParent();
            }
            Control owner = (Control) n;
            javafx.geometry.Bounds b = node.localToScreen(node.getBoundsInLocal());
            owner.getContextMenu().show(owner, b.getMinX() + 10, b.getMaxY());
        });
        WaitForAsyncUtils.waitForFxEvents();
    }

    /** The node of this id (ids of models have dots, which a CSS selector reads as classes). */
    private static Node byId(FxRobot robot, String id) {
        return robot.lookup((Node n) -> id.equals(n.getId())).query();
    }

    /** The conversation list's entry titled {@code title}. */
    private static Node conversation(FxRobot robot, String title) {
        return robot.lookup((Node n) -> n instanceof Labeled l && title.equals(l.getText())
                && n.getStyleClass().contains("conversation-title")).query();
    }

    private void layout(FxRobot robot, String where) {
        List<String> cut = new ArrayList<>();
        robot.interact(() -> PageLayoutTest.check(stage.getScene().getRoot(), "zh " + where, cut));
        problems.addAll(cut);
    }

    /** Every text of every window now showing, checked. */
    private void scan(FxRobot robot, String where) {
        WaitForAsyncUtils.waitForFxEvents();
        robot.interact(() -> {
            for (Window w : new ArrayList<>(Window.getWindows())) {
                if (!w.isShowing() || w.getScene() == null) {
                    continue;
                }
                if (w instanceof Stage s) {
                    check(s.getTitle(), where, "window title");
                }
                Parent root = w.getScene().getRoot();
                root.applyCss();
                root.layout();
                visit(root, where);
            }
        });
    }

    private void visit(Node node, String where) {
        if (!node.isVisible() || node.getStyleClass().stream().anyMatch(CONTENT::contains)) {
            return;
        }
        if (node instanceof Labeled l) {
            check(l.getText(), where, describe(node));
        }
        if (node instanceof Text t) {
            check(t.getText(), where, describe(node));
        }
        if (node instanceof Control c && c.getTooltip() != null) {
            check(c.getTooltip().getText(), where, describe(node) + " tooltip");
        }
        if (node instanceof TextInputControl t) {
            check(t.getPromptText(), where, describe(node) + " prompt");
            if (t.isEditable()) {
                return; // what is typed in it is the user's
            }
        }
        if (node instanceof Parent p) {
            for (Node child : p.getChildrenUnmodifiable()) {
                visit(child, where);
            }
        }
    }

    private void check(String text, String where, String what) {
        if (text == null || text.isBlank()) {
            return;
        }
        String t = text.strip();
        for (Pattern p : english) {
            if (p.matcher(t).matches()) {
                problems.add(where + ": " + what + " says \"" + t + "\", a text of the English bundle");
                return;
            }
        }
        if (Pattern.compile("\\bnull\\b").matcher(t).find()) {
            problems.add(where + ": " + what + " says \"" + t + "\"");
            return;
        }
        if (englishSentence(t)) {
            problems.add(where + ": " + what + " reads as English: \"" + t + "\"");
        }
    }

    /** Three Latin words in a row, one of them a common English word, once names, addresses and ids are taken out. */
    static boolean englishSentence(String text) {
        String t = text.replaceAll("[a-z][a-z0-9+.-]*://\\S+", " ").replaceAll("\\S*[/\\\\]\\S*", " ")
                .replaceAll("\\S*[0-9_]\\S*", " ");
        for (String name : NAMES) {
            t = t.replace(name, " ");
        }
        Matcher run = Pattern.compile("[A-Za-z']+(?:[ ,]+[A-Za-z']+){2,}").matcher(t);
        while (run.find()) {
            for (String word : run.group().split("[ ,]+")) {
                if (ENGLISH_WORDS.contains(word.toLowerCase(Locale.ROOT))) {
                    return true;
                }
            }
        }
        // A single English word of the UI on its own ("Off", "Copy") is caught by the bundle check.
        return false;
    }

    /** The English bundle's translated texts as patterns: placeholders match anything. */
    private static List<Pattern> englishTexts() {
        ResourceBundle en = ResourceBundle.getBundle(MainWindow.BUNDLE, Locale.ROOT);
        ResourceBundle zh = ResourceBundle.getBundle(MainWindow.BUNDLE, Locale.SIMPLIFIED_CHINESE);
        List<Pattern> out = new ArrayList<>();
        for (String key : en.keySet()) {
            String value = en.getString(key);
            if (value.equals(zh.getString(key))) {
                continue; // the same in both (names, symbols)
            }
            String literal = value.replace("''", "'");
            StringBuilder regex = new StringBuilder();
            StringBuilder words = new StringBuilder(); // the text outside placeholders
            int depth = 0;
            StringBuilder plain = new StringBuilder();
            for (char c : literal.toCharArray()) {
                if (c == '{') {
                    if (depth == 0) {
                        regex.append(Pattern.quote(plain.toString())).append(".*");
                        words.append(plain);
                        plain.setLength(0);
                    }
                    depth++;
                } else if (c == '}' && depth > 0) {
                    depth--;
                } else if (depth == 0) {
                    plain.append(c);
                }
            }
            regex.append(Pattern.quote(plain.toString()));
            words.append(plain);
            if (words.chars().filter(Character::isLetter).count() >= 2) {
                out.add(Pattern.compile(regex.toString(), Pattern.DOTALL));
            }
        }
        return out;
    }

    private static String describe(Node n) {
        return n.getClass().getSimpleName() + (n.getId() != null ? "#" + n.getId() : "")
                + (n.getStyleClass().isEmpty() ? "" : "." + String.join(".", n.getStyleClass()));
    }
}
