package io.kaiyuan.ui.chat;

import java.util.ArrayList;
import java.util.List;
import javafx.scene.Node;
import javafx.scene.shape.Path;
import javafx.scene.shape.PathElement;
import javafx.scene.text.Text;
import javafx.scene.text.TextFlow;

/**
 * A paragraph of styled text that wraps at any width, can be selected in part ({@link TextSelection}), and
 * draws backgrounds behind runs (inline code) from the text layout, so they wrap with the text. The
 * backgrounds and the selection are unmanaged shapes behind the text: the flow lays out only its text.
 * FX thread only.
 */
final class RichText extends TextFlow {
    /** Style classes, styled in kaiyuan.css. */
    static final String TEXT_STYLE = "md-text";
    static final String RUN_BACKGROUND_STYLE = "md-code-background";
    static final String SELECTION_STYLE = "text-selection";

    private final Path backgrounds = new Path();
    private final Path selection = new Path();
    private final List<int[]> backgroundRuns = new ArrayList<>();
    private final StringBuilder text = new StringBuilder();
    private int selectionStart;
    private int selectionEnd;
    private double drawnWidth = -1;
    private double drawnHeight = -1;

    RichText() {
        backgrounds.setManaged(false);
        backgrounds.getStyleClass().add(RUN_BACKGROUND_STYLE);
        backgrounds.setMouseTransparent(true);
        selection.setManaged(false);
        selection.getStyleClass().add(SELECTION_STYLE);
        selection.setMouseTransparent(true);
        getChildren().addAll(backgrounds, selection);
        setMinWidth(0);
    }

    /** A flow holding {@code s} in the given styles. */
    static RichText of(String s, String... styles) {
        RichText flow = new RichText();
        flow.add(s, styles);
        return flow;
    }

    /** Appends a run of text in the given style classes; returns its node. */
    Text add(String s, String... styles) {
        Text t = new Text(s);
        t.getStyleClass().add(TEXT_STYLE);
        t.getStyleClass().addAll(styles);
        text.append(s);
        getChildren().add(t);
        drawnWidth = -1;
        return t;
    }

    /** Appends a run drawn on a background of its own (inline code). */
    Text addWithBackground(String s, String... styles) {
        int start = text.length();
        Text t = add(s, styles);
        backgroundRuns.add(new int[] {start, text.length()});
        drawnWidth = -1;
        return t;
    }

    /**
     * Shows {@code s} as the flow's only run (in the styles of its first run, or {@code styles} when it has
     * none); cheaper than rebuilding while a text streams in.
     */
    void setText(String s, String... styles) {
        List<Text> runs = runs();
        if (runs.size() == 1) {
            runs.get(0).setText(s);
            text.setLength(0);
            text.append(s);
            drawnWidth = -1;
        } else {
            getChildren().removeAll(runs);
            text.setLength(0);
            backgroundRuns.clear();
            add(s, styles);
        }
        select(0, 0);
    }

    /** The text as the user reads it (what a selection copies from). */
    String plainText() {
        return text.toString();
    }

    int length() {
        return text.length();
    }

    /** Marks characters {@code start} to {@code end} as selected; an empty range clears the selection. */
    void select(int start, int end) {
        int s = Math.max(0, Math.min(start, end));
        int e = Math.min(text.length(), Math.max(start, end));
        if (s == selectionStart && e == selectionEnd) {
            return;
        }
        selectionStart = s;
        selectionEnd = e;
        drawSelection();
    }

    int selectionStart() {
        return selectionStart;
    }

    int selectionEnd() {
        return selectionEnd;
    }

    /** The character index nearest a point in this flow's coordinates, for selecting. */
    int indexAt(double x, double y) {
        if (text.length() == 0) {
            return 0;
        }
        return Math.max(0, Math.min(text.length(), hitTest(new javafx.geometry.Point2D(x, y)).getInsertionIndex()));
    }

    @Override
    protected void layoutChildren() {
        super.layoutChildren();
        if (getWidth() != drawnWidth || getHeight() != drawnHeight) {
            drawnWidth = getWidth();
            drawnHeight = getHeight();
            List<PathElement> shapes = new ArrayList<>();
            for (int[] run : backgroundRuns) {
                shapes.addAll(List.of(rangeShape(run[0], run[1])));
            }
            backgrounds.getElements().setAll(shapes);
            drawSelection();
        }
    }

    private void drawSelection() {
        if (selectionStart >= selectionEnd) {
            selection.getElements().clear();
        } else {
            selection.getElements().setAll(rangeShape(selectionStart, selectionEnd));
        }
    }

    /** The text runs, without the shapes behind them. */
    List<Text> runs() {
        List<Text> out = new ArrayList<>();
        for (Node n : getChildren()) {
            if (n instanceof Text t) {
                out.add(t);
            }
        }
        return out;
    }
}
