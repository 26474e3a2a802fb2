package io.kaiyuan.ui.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Locale;
import java.util.ResourceBundle;
import java.util.Set;
import javafx.scene.Scene;
import javafx.scene.control.Label;
import javafx.scene.control.ToggleButton;
import javafx.stage.Stage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;

@ExtendWith(ApplicationExtension.class)
class MainWindowTest {
    private MainWindow window;

    @Start
    void start(Stage stage) {
        window = new MainWindow(Locale.ENGLISH);
        stage.setTitle(window.title());
        stage.setScene(new Scene(window.root(), 900, 600));
        stage.show();
    }

    @Test
    void showsTheShellTitledKaiyuanWithItsSidebar(FxRobot robot) {
        assertEquals("Kaiyuan", window.title());
        for (String id : new String[] {"#nav-chat", "#nav-compare", "#nav-models", "#nav-settings"}) {
            assertTrue(robot.lookup(id).queryAs(ToggleButton.class).isVisible(), id);
        }
        assertTrue(robot.lookup("#nav-chat").queryAs(ToggleButton.class).isSelected());
        assertEquals("Chat", robot.lookup("#page-title").queryAs(Label.class).getText());
    }

    @Test
    void clickingASidebarEntryShowsItsPage(FxRobot robot) {
        robot.clickOn("#nav-models");
        assertEquals("Models", robot.lookup("#page-title").queryAs(Label.class).getText());
        assertTrue(robot.lookup("#nav-models").queryAs(ToggleButton.class).isSelected());
        robot.clickOn("#nav-models");
        assertTrue(robot.lookup("#nav-models").queryAs(ToggleButton.class).isSelected(), "a page stays selected");
    }

    /** Names that are the same in both languages: the product's, a hub's, a tool's. */
    private static final Set<String> SAME_IN_BOTH = Set.of("app.title", "models.source.huggingface", "settings.server.curl");

    @Test
    void everyStringExistsInEnglishAndSimplifiedChinese() {
        ResourceBundle en = ResourceBundle.getBundle(MainWindow.BUNDLE, Locale.ROOT);
        ResourceBundle zh = ResourceBundle.getBundle(MainWindow.BUNDLE, Locale.SIMPLIFIED_CHINESE);
        Set<String> keys = en.keySet();
        assertEquals(keys, zh.keySet());
        for (String key : keys) {
            // Text without words ("{0}/{1}", "{0} · {1}") is the same in both.
            boolean words = en.getString(key).replaceAll("\\{\\d}", "").chars().anyMatch(Character::isLetter);
            assertTrue(!zh.getString(key).equals(en.getString(key)) || SAME_IN_BOTH.contains(key) || !words,
                    "untranslated: " + key);
        }
        assertEquals("聊天", zh.getString("nav.chat"));
    }

    @Test
    void everyPlaceholderIsFilledInBothLanguages() {
        // A lone apostrophe quotes the rest of a MessageFormat pattern, leaving "{0}" on screen.
        Object[] args = {"A0", "A1", "A2", "A3", "A4", "A5", "A6", "A7", "A8", "A9"};
        Object[] numbers = {1230, 1231, 1232, 1233, 1234, 1235, 1236, 1237, 1238, 1239};
        for (Locale locale : new Locale[] {Locale.ROOT, Locale.SIMPLIFIED_CHINESE}) {
            ResourceBundle bundle = ResourceBundle.getBundle(MainWindow.BUNDLE, locale);
            for (String key : bundle.keySet()) {
                String pattern = bundle.getString(key);
                boolean typed = pattern.matches("(?s).*\\{\\d,(number|choice).*");
                if (pattern.contains("{0}") && !typed) {
                    String shown = new java.text.MessageFormat(pattern, Locale.ROOT).format(args);
                    assertTrue(shown.contains("A0") && !shown.matches("(?s).*\\{\\d}.*"), key + " shows " + shown);
                } else if (typed) {
                    // Numbers, and plural forms chosen by them ("1 token", "2 tokens").
                    String shown = new java.text.MessageFormat(pattern, Locale.ENGLISH).format(numbers);
                    assertTrue((shown.contains("1,23") || !pattern.contains("{0")) && !shown.matches("(?s).*\\{\\d.*"),
                            key + " shows " + shown);
                }
            }
        }
        ResourceBundle en = ResourceBundle.getBundle(MainWindow.BUNDLE, Locale.ROOT);
        java.util.function.BiFunction<String, Integer, String> format = (key, n) ->
                new java.text.MessageFormat(en.getString(key), Locale.ENGLISH).format(new Object[] {n, "x", "y", "z"});
        assertTrue(format.apply("chat.footer", 1).startsWith("1 token ·"), format.apply("chat.footer", 1));
        assertTrue(format.apply("chat.footer", 0).startsWith("0 tokens ·"));
        assertEquals("Sending replaces the message after this one.", format.apply("chat.edit.note", 1));
        assertEquals("Sending replaces the 3 messages after this one.", format.apply("chat.edit.note", 3));
    }
}
