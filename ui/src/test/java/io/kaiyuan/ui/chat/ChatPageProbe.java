package io.kaiyuan.ui.chat;

import java.util.List;
import org.testfx.api.FxRobot;

/** The chat page as shown, for tests in other packages. Call on the FX thread (inside FxWait or asyncFx). */
public final class ChatPageProbe {
    private ChatPageProbe() {}

    /** The messages shown, in order. */
    public static List<MessageItem> items(FxRobot robot) {
        return ChatPage.items(robot);
    }

    /** Whether there are {@code size} messages and the last is a finished answer. */
    public static boolean answered(FxRobot robot, int size) {
        return ChatPage.answered(robot, size);
    }

    /** The figures under the last message. */
    public static String lastFooter(FxRobot robot) {
        List<MessageItem> items = items(robot);
        return items.get(items.size() - 1).footerProperty().get();
    }
}
