package io.kaiyuan.ui.chat;

import java.util.List;
import javafx.scene.Node;
import javafx.scene.layout.VBox;
import org.testfx.api.FxRobot;

/** Reads the chat page as shown, for tests. Call on the FX thread (inside FxWait or interact). */
final class ChatPage {
    private ChatPage() {}

    /** The messages shown, in order. */
    static List<MessageItem> items(FxRobot robot) {
        VBox column = robot.lookup("#chat-messages").queryAs(VBox.class);
        return column.getChildren().stream().map(n -> ((MessageView) n).item()).toList();
    }

    /** The view of the message shown at {@code index}. */
    static MessageView view(FxRobot robot, int index) {
        VBox column = robot.lookup("#chat-messages").queryAs(VBox.class);
        return (MessageView) column.getChildren().get(index);
    }

    /** Whether the last message shown is a finished answer (its figures are shown) and there are {@code size}. */
    static boolean answered(FxRobot robot, int size) {
        List<MessageItem> items = items(robot);
        return items.size() == size && !items.get(size - 1).footerProperty().get().isEmpty();
    }

    /** The first node with {@code styleClass} under {@code parent} that is shown. */
    static Node visible(FxRobot robot, Node parent, String styleClass) {
        return robot.from(parent).lookup("." + styleClass).match(Node::isVisible).query();
    }
}
