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
}
