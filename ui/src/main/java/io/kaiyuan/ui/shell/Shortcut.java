package io.kaiyuan.ui.shell;

import java.util.List;
import javafx.scene.input.KeyCombination;
import javafx.scene.input.KeyEvent;

/**
 * A keyboard shortcut of the window: the keys (one or more combinations), what it does in words (a key of
 * the resource bundle) and the action; an action of null is a shortcut of the input itself, listed only.
 */
record Shortcut(List<KeyCombination> keys, String description, Runnable action) {
    static Shortcut of(String keys, String description, Runnable action) {
        return new Shortcut(List.of(KeyCombination.valueOf(keys)), description, action);
    }

    boolean matches(KeyEvent e) {
        return keys.stream().anyMatch(k -> k.match(e));
    }

    /** The keys as the platform writes them ("Ctrl+N", "⌘N"). */
    String display() {
        return String.join("  /  ", keys.stream().map(k -> k.getDisplayText().replace("↵", "Enter").replace("Escape", "Esc"))
                .toList());
    }
}
