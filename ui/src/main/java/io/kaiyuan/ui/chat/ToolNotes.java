package io.kaiyuan.ui.chat;

import io.kaiyuan.engine.chat.ToolRound;
import java.text.MessageFormat;
import java.util.List;
import java.util.ResourceBundle;

/** How an answer shows the tool calls it made before its text: each round's text, then a quote per call. */
final class ToolNotes {
    private ToolNotes() {}

    /** The rounds as Markdown, to stand before the answer's text; "" for none. */
    static String markdown(List<ToolRound> rounds, ResourceBundle messages) {
        StringBuilder md = new StringBuilder();
        for (ToolRound r : rounds) {
            if (!r.content().isBlank()) {
                md.append(r.content().strip()).append("\n\n");
            }
            for (ToolRound.Call c : r.calls()) {
                md.append(ToolRound.quote(c, MessageFormat.format(messages.getString(
                        c.error() ? "chat.tools.failed" : "chat.tools.called"), c.name(), c.server(), c.millis())))
                        .append('\n');
            }
        }
        return md.toString();
    }

    /** The thinking of every round and then {@code last}'s, a blank line between. */
    static String reasoning(List<ToolRound> rounds, String last) {
        StringBuilder out = new StringBuilder();
        for (ToolRound r : rounds) {
            if (!r.reasoning().isBlank()) {
                out.append(r.reasoning().strip()).append("\n\n");
            }
        }
        return out.isEmpty() ? last : out.append(last).toString();
    }
}
