package io.kaiyuan.ui.chat;

import java.util.ArrayList;
import java.util.List;
import java.util.ResourceBundle;
import javafx.geometry.Bounds;
import javafx.geometry.Point2D;
import javafx.scene.Node;
import javafx.scene.Parent;
import javafx.scene.control.ButtonBase;
import javafx.scene.control.ContextMenu;
import javafx.scene.control.MenuItem;
import javafx.scene.control.TextInputControl;
import javafx.scene.input.Clipboard;
import javafx.scene.input.ClipboardContent;
import javafx.scene.input.ContextMenuEvent;
import javafx.scene.input.KeyCode;
import javafx.scene.input.KeyEvent;
import javafx.scene.input.MouseButton;
import javafx.scene.input.MouseEvent;
import javafx.scene.layout.Region;

/**
 * Lets the user select any part of the text of a message, across its paragraphs, code blocks and table
 * cells, with the mouse (drag; double-click a word; triple-click a paragraph) and copy it (Ctrl+C or the
 * context menu). The message's text lives in {@link RichText} flows anywhere below the container; they are
 * found in reading order each time, so text that re-renders while it streams stays selectable. FX thread.
 */
final class TextSelection {
    /** A place in the text: a flow and a character index in it. */
    record Place(RichText flow, int index) {}

    private final Region container;
    private Place anchor;
    private Place focus;

    TextSelection(Region container, ResourceBundle messages) {
        this.container = container;
        container.addEventHandler(MouseEvent.MOUSE_PRESSED, this::pressed);
        container.addEventHandler(MouseEvent.MOUSE_DRAGGED, this::dragged);
        container.addEventHandler(KeyEvent.KEY_PRESSED, e -> {
            if (e.isShortcutDown() && e.getCode() == KeyCode.C && hasSelection()) {
                copy();
                e.consume();
            } else if (e.isShortcutDown() && e.getCode() == KeyCode.A) {
                selectAll();
                e.consume();
            }
        });
        MenuItem copy = new MenuItem(messages.getString("chat.copySelection"));
        copy.setOnAction(e -> copy());
        MenuItem all = new MenuItem(messages.getString("chat.selectAll"));
        all.setOnAction(e -> selectAll());
        ContextMenu menu = new ContextMenu(copy, all);
        container.addEventHandler(ContextMenuEvent.CONTEXT_MENU_REQUESTED, e -> {
            if (editable(e.getPickResult().getIntersectedNode())) {
                return;
            }
            copy.setDisable(!hasSelection());
            menu.show(container, e.getScreenX(), e.getScreenY());
            e.consume();
        });
    }

    /** The flows of the container in reading order, those shown only. */
    List<RichText> flows() {
        List<RichText> out = new ArrayList<>();
        collect(container, out);
        return out;
    }

    private static void collect(Parent parent, List<RichText> out) {
        for (Node n : parent.getChildrenUnmodifiable()) {
            if (!n.isVisible()) {
                continue;
            }
            if (n instanceof RichText r) {
                out.add(r);
            } else if (n instanceof Parent p) {
                collect(p, out);
            }
        }
    }

    private static boolean editable(Node target) {
        for (Node n = target; n != null; n = n.getParent()) {
            if (n instanceof TextInputControl || n instanceof ButtonBase) {
                return true;
            }
        }
        return false;
    }

    private void pressed(MouseEvent e) {
        if (e.getButton() != MouseButton.PRIMARY || editable(e.getPickResult().getIntersectedNode())) {
            return;
        }
        Place at = placeAt(e.getSceneX(), e.getSceneY());
        clear();
        if (at == null) {
            return;
        }
        container.requestFocus();
        if (e.getClickCount() == 2) {
            String s = at.flow().plainText();
            int from = at.index();
            int to = at.index();
            while (from > 0 && Character.isLetterOrDigit(s.charAt(from - 1))) {
                from--;
            }
            while (to < s.length() && Character.isLetterOrDigit(s.charAt(to))) {
                to++;
            }
            anchor = new Place(at.flow(), from);
            focus = new Place(at.flow(), to);
        } else if (e.getClickCount() >= 3) {
            anchor = new Place(at.flow(), 0);
            focus = new Place(at.flow(), at.flow().length());
        } else {
            anchor = at;
            focus = at;
        }
        show();
    }

    private void dragged(MouseEvent e) {
        if (anchor == null || !e.isPrimaryButtonDown()) {
            return;
        }
        Place at = placeAt(e.getSceneX(), e.getSceneY());
        if (at != null) {
            focus = at;
            show();
        }
        e.consume();
    }

    /**
     * The place under a point of the scene, or the nearest one: a point between two flows falls at the end
     * of the one above, a point above the first at its start, below the last at its end.
     */
    Place placeAt(double sceneX, double sceneY) {
        RichText above = null;
        RichText first = null;
        for (RichText f : flows()) {
            first = first == null ? f : first;
            Bounds b = f.localToScene(f.getLayoutBounds());
            if (b.contains(sceneX, sceneY)) {
                return inside(f, sceneX, sceneY);
            }
            if (b.getMinY() <= sceneY) {
                above = f; // the last flow, in reading order, that starts above the point
            }
        }
        if (above == null) {
            return first == null ? null : new Place(first, 0);
        }
        Bounds b = above.localToScene(above.getLayoutBounds());
        return sceneY > b.getMaxY() ? new Place(above, above.length()) : inside(above, sceneX, sceneY);
    }

    private static Place inside(RichText f, double sceneX, double sceneY) {
        Point2D local = f.sceneToLocal(sceneX, sceneY);
        return new Place(f, f.indexAt(local.getX(), local.getY()));
    }

    private void show() {
        List<RichText> flows = flows();
        int a = flows.indexOf(anchor.flow());
        int f = flows.indexOf(focus.flow());
        if (a < 0 || f < 0) {
            clear();
            return;
        }
        boolean forward = a < f || a == f && anchor.index() <= focus.index();
        Place start = forward ? anchor : focus;
        Place end = forward ? focus : anchor;
        int from = Math.min(a, f);
        int to = Math.max(a, f);
        for (int i = 0; i < flows.size(); i++) {
            RichText flow = flows.get(i);
            if (i < from || i > to) {
                flow.select(0, 0);
            } else {
                flow.select(i == from ? start.index() : 0, i == to ? end.index() : flow.length());
            }
        }
    }

    /** Clears the selection. */
    void clear() {
        anchor = null;
        focus = null;
        for (RichText f : flows()) {
            f.select(0, 0);
        }
    }

    /** Selects the whole message. */
    void selectAll() {
        List<RichText> flows = flows();
        if (flows.isEmpty()) {
            return;
        }
        anchor = new Place(flows.get(0), 0);
        RichText last = flows.get(flows.size() - 1);
        focus = new Place(last, last.length());
        show();
    }

    boolean hasSelection() {
        return !selectedText().isEmpty();
    }

    /** The selected text, paragraphs on lines of their own. */
    String selectedText() {
        StringBuilder sb = new StringBuilder();
        for (RichText f : flows()) {
            if (f.selectionEnd() > f.selectionStart()) {
                if (sb.length() > 0) {
                    sb.append('\n');
                }
                sb.append(f.plainText(), f.selectionStart(), f.selectionEnd());
            }
        }
        return sb.toString();
    }

    /** Puts the selected text on the clipboard. */
    void copy() {
        String s = selectedText();
        if (!s.isEmpty()) {
            ClipboardContent content = new ClipboardContent();
            content.putString(s);
            Clipboard.getSystemClipboard().setContent(content);
        }
    }
}
