package io.kaiyuan.ui.chat;

import java.text.MessageFormat;
import java.util.Locale;
import java.util.ResourceBundle;
import javafx.beans.value.ChangeListener;
import javafx.beans.value.ObservableNumberValue;
import javafx.beans.value.ObservableStringValue;
import javafx.scene.control.Button;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;
import org.kordamp.ikonli.feather.Feather;
import org.kordamp.ikonli.javafx.FontIcon;

/**
 * An answer as the chat shows it, for any page that shows answers (Chat, Compare): the model's thinking in
 * a block that is open while it thinks and folds once the answer starts (a click opens it again), then the
 * answer as Markdown, rendered as it streams. Follows the text it is given until {@link #dispose()}. FX
 * thread only.
 */
public final class AnswerView extends SizeCachingVBox {
    private final ObservableStringValue text;
    private final ObservableStringValue reasoning;
    private final ObservableNumberValue reasoningMs;
    private final ChangeListener<String> onText;
    private final ChangeListener<String> onReasoning;
    private final ChangeListener<Number> onThought;
    private final MarkdownPane pane;

    /**
     * @param reasoningMs how long the model thought, 0 while it does
     */
    public AnswerView(ObservableStringValue text, ObservableStringValue reasoning, ObservableNumberValue reasoningMs,
            Markdown markdown, ResourceBundle messages) {
        super(6);
        this.text = text;
        this.reasoning = reasoning;
        this.reasoningMs = reasoningMs;
        setMinWidth(0);
        RichText thought = RichText.of(reasoning.get(), ChatView.REASONING_STYLE);
        thought.getStyleClass().add(ChatView.REASONING_STYLE);
        Button toggle = new Button();
        toggle.getStyleClass().addAll("thinking-toggle", "flat");
        toggle.setMinWidth(Region.USE_PREF_SIZE);
        VBox thinking = new VBox(4, toggle, thought);
        thinking.getStyleClass().add(ChatView.THINKING_STYLE);
        thinking.setMinWidth(0);
        thought.managedProperty().bind(thought.visibleProperty());
        thought.setVisible(text.get().isEmpty());
        Runnable title = () -> {
            double ms = reasoningMs.doubleValue();
            toggle.setText(ms > 0 ? MessageFormat.format(messages.getString("chat.thought"),
                    String.format(Locale.ROOT, "%.1f", ms / 1000)) : messages.getString("chat.thinking"));
            toggle.setGraphic(new FontIcon(thought.isVisible() ? Feather.CHEVRON_DOWN : Feather.CHEVRON_RIGHT));
        };
        toggle.setOnAction(e -> {
            thought.setVisible(!thought.isVisible());
            title.run();
        });
        title.run();
        thinking.setVisible(!reasoning.get().isEmpty());
        thinking.setManaged(thinking.isVisible());

        pane = new MarkdownPane(markdown);
        pane.getStyleClass().add("message-text");
        pane.setMarkdown(text.get());

        onText = (o, a, b) -> {
            pane.setMarkdown(b);
            if (a.isEmpty() && !b.isEmpty() && thought.isVisible()) {
                thought.setVisible(false);
                title.run();
            }
        };
        onReasoning = (o, a, b) -> {
            thought.setText(b, ChatView.REASONING_STYLE);
            thinking.setVisible(!b.isEmpty());
            thinking.setManaged(thinking.isVisible());
        };
        onThought = (o, a, b) -> title.run();
        text.addListener(onText);
        reasoning.addListener(onReasoning);
        reasoningMs.addListener(onThought);
        getChildren().setAll(thinking, pane);
    }

    /**
     * Lets the user select part of the answer and copy it (Ctrl+C while {@code focusHolder}, the scroll pane
     * around it, has the focus, or the context menu). Not for answers inside a chat message, whose message
     * selects as a whole.
     */
    public void makeSelectable(ResourceBundle messages, javafx.scene.Node focusHolder) {
        TextSelection selection = new TextSelection(this, messages);
        focusHolder.addEventFilter(javafx.scene.input.KeyEvent.KEY_PRESSED, e -> {
            if (e.isShortcutDown() && e.getCode() == javafx.scene.input.KeyCode.C && selection.hasSelection()) {
                selection.copy();
                e.consume();
            }
        });
    }

    /** Renders what is pending now rather than within the Markdown pane's interval. */
    public void flush() {
        pane.flush();
    }

    /** Stops following the text (the view is no longer shown). */
    public void dispose() {
        text.removeListener(onText);
        reasoning.removeListener(onReasoning);
        reasoningMs.removeListener(onThought);
    }
}
