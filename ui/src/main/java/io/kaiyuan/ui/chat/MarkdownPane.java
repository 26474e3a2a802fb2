package io.kaiyuan.ui.chat;

import javafx.animation.PauseTransition;
import javafx.scene.layout.StackPane;
import javafx.scene.layout.VBox;
import javafx.util.Duration;

/**
 * Shows Markdown that may still be growing, at a cost that follows what arrived rather than the whole
 * text: the blocks before the last blank line outside a code fence are rendered once and kept; only the
 * block still being written is rendered again, at most every {@link #INTERVAL_MS} ms. A 50,000-character
 * answer streaming at hundreds of tokens a second therefore never re-lays-out what is already shown.
 * FX thread only.
 */
final class MarkdownPane extends VBox {
    static final long INTERVAL_MS = 100;

    private final Markdown markdown;
    private final PauseTransition pending = new PauseTransition(Duration.millis(INTERVAL_MS));
    private final VBox stable = new VBox(6);
    private final StackPane tail = new StackPane();
    private String text = "";
    /** Characters of {@link #text} rendered into {@link #stable}; always just after a blank line outside a fence. */
    private int stableLength;
    private String renderedTail;
    private long lastRender;

    MarkdownPane(Markdown markdown) {
        super(6);
        this.markdown = markdown;
        getStyleClass().add(Markdown.ROOT_STYLE);
        pending.setOnFinished(e -> render());
        setMinWidth(0);
        stable.setMinWidth(0);
        tail.setMinWidth(0);
        getChildren().addAll(stable, tail);
    }

    /** Shows {@code markdown}: now if nothing was rendered lately, else within the interval. */
    void setMarkdown(String markdown) {
        String next = markdown == null ? "" : markdown;
        if (!next.startsWith(text.substring(0, stableLength))) {
            // Not a continuation (another answer, a regeneration): start over.
            stable.getChildren().clear();
            stableLength = 0;
            renderedTail = null;
        }
        text = next;
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
        int boundary = lastBlockBoundary(text, stableLength);
        if (boundary > stableLength) {
            stable.getChildren().addAll(markdown.render(text.substring(stableLength, boundary)).getChildren());
            stableLength = boundary;
            renderedTail = null;
        }
        String rest = text.substring(stableLength);
        if (!rest.equals(renderedTail)) {
            renderedTail = rest;
            VBox content = markdown.render(rest);
            content.setMinWidth(0);
            tail.getChildren().setAll(content);
        }
    }

    /**
     * The index just after the last blank line at or after {@code from} that is outside a code fence
     * ({@code from} itself when there is none). {@code from} must be outside a fence.
     */
    static int lastBlockBoundary(String text, int from) {
        boolean inFence = false;
        String fence = null;
        int boundary = from;
        int lineStart = from;
        while (lineStart < text.length()) {
            int end = text.indexOf('\n', lineStart);
            if (end < 0) {
                break; // the last line is still being written
            }
            String line = text.substring(lineStart, end).strip();
            if (inFence) {
                if (line.startsWith(fence)) {
                    inFence = false;
                }
            } else if (line.startsWith("```") || line.startsWith("~~~")) {
                inFence = true;
                fence = line.substring(0, 3);
            } else if (line.isEmpty()) {
                boundary = end + 1;
            }
            lineStart = end + 1;
        }
        return boundary;
    }
}
