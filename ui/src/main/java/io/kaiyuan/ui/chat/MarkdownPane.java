package io.kaiyuan.ui.chat;

import javafx.animation.PauseTransition;
import javafx.scene.layout.StackPane;
import javafx.scene.layout.VBox;
import javafx.util.Duration;

/**
 * Shows Markdown that may still be growing: while text streams in it is rendered again at most every
 * {@link #INTERVAL_MS} ms, so a long answer arriving at hundreds of tokens a second does not parse on
 * every pulse. FX thread only.
 */
final class MarkdownPane extends StackPane {
    static final long INTERVAL_MS = 100;

    private final Markdown markdown;
    private final PauseTransition pending = new PauseTransition(Duration.millis(INTERVAL_MS));
    private String text = "";
    private String rendered;
    private long lastRender;

    MarkdownPane(Markdown markdown) {
        this.markdown = markdown;
        pending.setOnFinished(e -> render());
        setMinWidth(0);
    }

    /** Shows {@code markdown}: now if nothing was rendered lately, else within the interval. */
    void setMarkdown(String markdown) {
        text = markdown == null ? "" : markdown;
        long now = System.nanoTime();
        if (now - lastRender >= INTERVAL_MS * 1_000_000L) {
            pending.stop();
            render();
        } else if (pending.getStatus() != javafx.animation.Animation.Status.RUNNING) {
            pending.playFromStart();
        }
    }

    private void render() {
        lastRender = System.nanoTime();
        if (text.equals(rendered)) {
            return;
        }
        rendered = text;
        VBox content = markdown.render(text);
        content.setMinWidth(0);
        getChildren().setAll(content);
    }
}
