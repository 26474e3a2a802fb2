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

        column.heightProperty().addListener((o, before, after) -> contentResized(before.doubleValue(), after.doubleValue()));
        scroll.vvalueProperty().addListener((o, a, b) -> {
            if (!adjusting) {
                following.set(atBottom());
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

    private boolean atBottom() {
        double content = column.getHeight();
        double viewport = scroll.getViewportBounds().getHeight();
        if (content <= viewport) {
            return true;
        }
        return (1 - scroll.getVvalue()) * (content - viewport) <= BOTTOM_SLACK;
    }

    /** The content grew or shrank: keep to the bottom when following, else keep what the user looks at in place. */
    private void contentResized(double before, double after) {
        double viewport = scroll.getViewportBounds().getHeight();
        adjusting = true;
        try {
            if (following.get()) {
                scroll.setVvalue(scroll.getVmax());
            } else if (before > viewport && after > viewport) {
                double offset = scroll.getVvalue() * (before - viewport);
                scroll.setVvalue(Math.min(1, offset / (after - viewport)));
            }
        } finally {
            adjusting = false;
        }
    }

    /** Scrolls to the newest text and follows it again. */
    void scrollToEnd() {
        following.set(true);
        scrollToEndQuietly();
    }

    private void scrollToEndQuietly() {
        adjusting = true;
        try {
            scroll.setVvalue(scroll.getVmax());
        } finally {
            adjusting = false;
        }
    }
}
