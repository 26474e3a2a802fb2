package io.kaiyuan.ui.chat;

import javafx.beans.property.DoubleProperty;
import javafx.beans.property.IntegerProperty;
import javafx.beans.property.ReadOnlyIntegerProperty;
import javafx.beans.property.ReadOnlyIntegerWrapper;
import javafx.beans.property.SimpleDoubleProperty;
import javafx.beans.property.SimpleIntegerProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

/**
 * One message of the conversation as the page shows it. An answer that was regenerated has several
 * versions; the chosen one is shown and is what the next turn reads. Touch only on the FX thread.
 */
public final class MessageItem {
    /** One version of a message: its text, thinking, figures and the tool calls an answer made before its text. */
    public static final class Version {
        private final StringProperty text = new SimpleStringProperty("");
        private final ObservableList<io.kaiyuan.engine.chat.ToolRound> toolRounds = FXCollections.observableArrayList();
        private final StringProperty reasoning = new SimpleStringProperty("");
        private final StringProperty footer = new SimpleStringProperty("");
        private final DoubleProperty reasoningMs = new SimpleDoubleProperty(0);
        /** The figures the footer says, kept to say them again in another language. */
        io.kaiyuan.engine.api.GenerationMetrics metrics;
        io.kaiyuan.engine.api.FinishReason finish;

        Version(String text) {
            this.text.set(text);
        }

        public StringProperty textProperty() {
            return text;
        }

        public StringProperty reasoningProperty() {
            return reasoning;
        }

        /**
         * The rounds of tool calls an answer made before its text, in order; the text and thinking are the last
         * round's (what came after the calls). Empty for none.
         */
        public ObservableList<io.kaiyuan.engine.chat.ToolRound> toolRounds() {
            return toolRounds;
        }

        /** Tokens, time to first token, tokens/s and finish reason under an answer; empty while it streams. */
        public StringProperty footerProperty() {
            return footer;
        }

        /** How long the model thought, once the answer is complete; 0 before. */
        public DoubleProperty reasoningMsProperty() {
            return reasoningMs;
        }
    }

    private final String role;
    private final ObservableList<Version> versions = FXCollections.observableArrayList();
    private final IntegerProperty chosen = new SimpleIntegerProperty(0);
    private final ReadOnlyIntegerWrapper revision = new ReadOnlyIntegerWrapper();

    MessageItem(String role, String text) {
        this.role = role;
        versions.add(new Version(text));
        chosen.addListener((o, a, b) -> revision.set(revision.get() + 1));
    }

    public String role() {
        return role;
    }

    public boolean isUser() {
        return role.equals("user");
    }

    /** Every version, oldest first; at least one. */
    public ObservableList<Version> versions() {
        return versions;
    }

    /** The index of the version shown. */
    public IntegerProperty chosenProperty() {
        return chosen;
    }

    /** The version shown. */
    public Version chosen() {
        return versions.get(chosen.get());
    }

    /** Adds a version and shows it. */
    Version addVersion() {
        Version v = new Version("");
        versions.add(v);
        chosen.set(versions.size() - 1);
        return v;
    }

    /** Changes whenever the version shown changes, for views that show it. */
    public ReadOnlyIntegerProperty revisionProperty() {
        return revision.getReadOnlyProperty();
    }

    /** The text of the version shown. */
    public StringProperty textProperty() {
        return chosen().textProperty();
    }

    /** The thinking of the version shown. */
    public StringProperty reasoningProperty() {
        return chosen().reasoningProperty();
    }

    /** The figures of the version shown. */
    public StringProperty footerProperty() {
        return chosen().footerProperty();
    }

    /** How long the model thought for the version shown. */
    public DoubleProperty reasoningMsProperty() {
        return chosen().reasoningMsProperty();
    }

    @Override
    public String toString() {
        return role + ": " + chosen().textProperty().get();
    }
}
