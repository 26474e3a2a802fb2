package io.kaiyuan.ui.chat;

import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;

/** One message of the conversation as the page shows it. Touch only on the FX thread. */
public final class MessageItem {
    private final String role;
    private final StringProperty text = new SimpleStringProperty("");
    private final StringProperty reasoning = new SimpleStringProperty("");
    private final ReadOnlyStringWrapper footer = new ReadOnlyStringWrapper("");
    /**
     * The answer's rendered Markdown, made once and kept with the message, so a cell showing the message
     * again (scrolling, a new message below) does not render a long answer again.
     */
    MarkdownPane markdownView;
    private final javafx.beans.property.DoubleProperty reasoningMs = new javafx.beans.property.SimpleDoubleProperty(0);

    MessageItem(String role, String text) {
        this.role = role;
        this.text.set(text);
    }

    public String role() {
        return role;
    }

    public StringProperty textProperty() {
        return text;
    }

    public StringProperty reasoningProperty() {
        return reasoning;
    }

    /** Tokens, time to first token, tokens/s and finish reason under an answer. */
    public StringProperty footerProperty() {
        return footer;
    }

    /** How long the model thought, once the answer is complete; 0 before. */
    public javafx.beans.property.DoubleProperty reasoningMsProperty() {
        return reasoningMs;
    }
}
