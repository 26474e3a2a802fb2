package io.kaiyuan.ui.chat;

import javafx.animation.PauseTransition;
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
    private final VBox stable = new SizeCachingVBox(8);
    private final VBox tail = new VBox(8);
    private String text = "";
    /** Characters of {@link #text} rendered into {@link #stable}; always just after a blank line outside a fence. */
    private int stableLength;
    private String renderedTail;
    private long lastRender;

    MarkdownPane(Markdown markdown) {
        super(8);
        this.markdown = markdown;
        getStyleClass().add(Markdown.ROOT_STYLE);
        pending.setOnFinished(e -> render());
        setMinWidth(0);
        stable.setMinWidth(0);
        tail.setMinWidth(0);
        getChildren().addAll(stable, tail);
        // Neither part takes room while empty (the spacing of an empty part would show as a gap).
        stable.managedProperty().bind(javafx.beans.binding.Bindings.isNotEmpty(stable.getChildren()));
        tail.managedProperty().bind(javafx.beans.binding.Bindings.isNotEmpty(tail.getChildren()));
    }

    /** Renders what is pending now rather than within the interval (FX thread). */
    void flush() {
        if (pending.getStatus() == javafx.animation.Animation.Status.RUNNING) {
            pending.stop();
            render();
        }
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
            stable.getChildren().addAll(markdown.blocks(text.substring(stableLength, boundary)));
            stableLength = boundary;
            renderedTail = null;
        }
        String rest = text.substring(stableLength);
        if (!rest.equals(renderedTail)) {
            renderedTail = rest;
            tail.getChildren().setAll(markdown.blocks(rest));
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
