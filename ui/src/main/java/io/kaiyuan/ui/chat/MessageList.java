package io.kaiyuan.ui.chat;

import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.ResourceBundle;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.collections.ListChangeListener;
import javafx.collections.ObservableList;
import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.scene.control.Button;
import javafx.scene.control.ScrollPane;
import javafx.scene.control.Tooltip;
import javafx.scene.Node;
import javafx.scene.layout.Region;
import javafx.scene.layout.StackPane;
import javafx.scene.layout.VBox;
import org.kordamp.ikonli.feather.Feather;
import org.kordamp.ikonli.javafx.FontIcon;

/**
 * The messages of the conversation shown, in a column of readable width that scrolls. While the user is
 * at the bottom it follows the newest text; once they scroll up it stays where they are, even as the
 * answer grows below, and offers a "Jump to latest" button. Each message's view is made once and kept
 * while the message is shown, so nothing already rendered is rendered again. FX thread only.
 */
final class MessageList {
    /** The column's widest, for lines that stay readable on wide windows. */
    static final double COLUMN_WIDTH = 860;
    /** Within this many pixels of the bottom counts as at the bottom. */
    private static final double BOTTOM_SLACK = 24;

    private final ObservableList<MessageItem> items;
    private final ChatViewModel model;
    private final ResourceBundle messages;
    private final Markdown markdown;
    private final VBox column = new VBox(18);
    private final ScrollPane scroll;
    private final StackPane root;
    private final Map<MessageItem, MessageView> views = new IdentityHashMap<>();
    private final BooleanProperty following = new SimpleBooleanProperty(true);
    private boolean adjusting;

    MessageList(ChatViewModel model, ResourceBundle messages, Markdown markdown) {
        this.items = model.conversation();
        this.model = model;
        this.messages = messages;
        this.markdown = markdown;
        column.setId("chat-messages");
        column.getStyleClass().add("message-column");
        column.setMaxWidth(COLUMN_WIDTH);
        column.setMinWidth(0);
        column.setPadding(new Insets(16, 20, 24, 20));
        StackPane centred = new StackPane(column);
        centred.setAlignment(Pos.TOP_CENTER);
        centred.setMinWidth(0);
        scroll = new ScrollPane(centred);
        scroll.setId("chat-scroll");
        scroll.setFitToWidth(true);
        scroll.setHbarPolicy(ScrollPane.ScrollBarPolicy.NEVER);
        scroll.getStyleClass().addAll("edge-to-edge", "message-scroll");
        scroll.setFocusTraversable(false);
        scroll.setMinWidth(0);

        Button jump = new Button(messages.getString("chat.jump"), new FontIcon(Feather.ARROW_DOWN));
        jump.setId("chat-jump");
        jump.getStyleClass().addAll("rounded", "jump-to-latest");
        jump.setTooltip(new Tooltip(messages.getString("chat.jump.tooltip")));
        jump.setMinWidth(Region.USE_PREF_SIZE);
        jump.setOnAction(e -> scrollToEnd());
        jump.visibleProperty().bind(following.not().and(javafx.beans.binding.Bindings.isNotEmpty(items)));
        StackPane.setAlignment(jump, Pos.BOTTOM_CENTER);
        StackPane.setMargin(jump, new Insets(0, 0, 12, 0));
        root = new StackPane(scroll, jump);
        root.setMinWidth(0);

        // The user moves the view only by gestures (wheel, scroll bar, keys); the scroll pane's own
        // adjustments as the content grows are undone after each layout, so the view either follows the
        // newest text or stays exactly where the user left it.
        scroll.addEventFilter(javafx.scene.input.ScrollEvent.ANY, e -> gesture = true);
        scroll.addEventFilter(javafx.scene.input.KeyEvent.KEY_PRESSED, e -> {
            switch (e.getCode()) {
                case PAGE_UP, PAGE_DOWN, UP, DOWN, HOME, END, SPACE -> gesture = true;
                default -> { }
            }
        });
        scroll.addEventFilter(javafx.scene.input.MouseEvent.ANY, e -> {
            for (Node n = e.getPickResult().getIntersectedNode(); n != null && n != scroll; n = n.getParent()) {
                if (n instanceof javafx.scene.control.ScrollBar) {
                    gesture = true;
                    return;
                }
            }
        });
        scroll.vvalueProperty().addListener((o, a, b) -> {
            if (!adjusting && gesture) {
                userScrolled();
            }
        });
        scroll.sceneProperty().addListener((o, a, b) -> {
            if (a != null) {
                a.removePostLayoutPulseListener(reconcile);
            }
            if (b != null) {
                b.addPostLayoutPulseListener(reconcile);
            }
        });
        // Ctrl+C copies what is selected in a message wherever the focus is on the page (the scroll pane
        // takes it on a click); a click in one message clears the selection of the others.
        scroll.addEventFilter(javafx.scene.input.KeyEvent.KEY_PRESSED, e -> {
            if (e.isShortcutDown() && e.getCode() == javafx.scene.input.KeyCode.C) {
                views.values().stream().filter(v -> v.selection().hasSelection()).findFirst().ifPresent(v -> {
                    v.selection().copy();
                    e.consume();
                });
            }
        });
        column.addEventFilter(javafx.scene.input.MouseEvent.MOUSE_PRESSED, e -> {
            for (MessageView v : views.values()) {
                if (!inside(e.getPickResult().getIntersectedNode(), v)) {
                    v.selection().clear();
                }
            }
        });
        items.addListener((ListChangeListener<MessageItem>) c -> {
            while (c.next()) {
                if (c.wasAdded()) {
                    following.set(true); // a question asked, or another conversation shown: show its end
                }
            }
            sync();
        });
        sync();
    }

    StackPane root() {
        return root;
    }

    /** Whether the view follows the newest text. */
    BooleanProperty followingProperty() {
        return following;
    }

    ScrollPane scrollPane() {
        return scroll;
    }

    MessageView viewOf(MessageItem item) {
        return views.get(item);
    }

    private void sync() {
        List<MessageView> shown = items.stream().map(i -> views.computeIfAbsent(i,
                x -> new MessageView(x, model, messages, markdown))).toList();
        views.entrySet().removeIf(e -> {
            if (!items.contains(e.getKey())) {
                e.getValue().dispose();
                return true;
            }
            return false;
        });
        column.getChildren().setAll(shown);
        if (following.get()) {
            scroll.layout();
            scrollToEndQuietly();
        }
    }

    private boolean gesture;
    /** Pixels from the top of the content to the top of the view, where the user left it. */
    private double pinned;
    private final Runnable reconcile = this::reconcile;

    private static boolean inside(Node node, Node ancestor) {
        for (Node n = node; n != null; n = n.getParent()) {
            if (n == ancestor) {
                return true;
            }
        }
        return false;
    }

    private double scrollable() {
        return Math.max(0, column.getHeight() - scroll.getViewportBounds().getHeight());
    }

    private void userScrolled() {
        following.set(atBottom());
        pinned = scroll.getVvalue() * scrollable();
    }

    /** After each layout: a gesture sets where the view is; otherwise the view goes back there. */
    private void reconcile() {
        if (gesture) {
            gesture = false;
            userScrolled();
            return;
        }
        double range = scrollable();
        if (range <= 0) {
            return;
        }
        double wanted = following.get() ? 1 : Math.min(1, pinned / range);
        if (Math.abs(scroll.getVvalue() - wanted) * range > 0.5) {
            adjusting = true;
            try {
                scroll.setVvalue(wanted);
            } finally {
                adjusting = false;
            }
        }
    }

    private boolean atBottom() {
        double content = column.getHeight();
        double viewport = scroll.getViewportBounds().getHeight();
        if (content <= viewport) {
            return true;
        }
        return (1 - scroll.getVvalue()) * (content - viewport) <= BOTTOM_SLACK;
    }

    /** Scrolls to the newest text and follows it again. */
    void scrollToEnd() {
        following.set(true);
        scrollToEndQuietly();
    }

    private void scrollToEndQuietly() {
        pinned = scrollable();
        adjusting = true;
        try {
            scroll.setVvalue(scroll.getVmax());
        } finally {
            adjusting = false;
        }
    }
}
