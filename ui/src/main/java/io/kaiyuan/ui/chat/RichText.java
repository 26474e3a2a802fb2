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

    /**
     * Appends a run of text in the given style classes; returns its (first) node. JavaFX draws a Text node
     * of a complex script (Thai, Devanagari, Tibetan, Arabic, ...) that spans lines wrongly: each line repeats
     * the whole run and it runs past the right edge. So text in those scripts goes in a node per word, which
     * never spans a line; other text stays in one node.
     */
    Text add(String s, String... styles) {
        text.append(s);
        drawnWidth = -1;
        Text first = null;
        for (String piece : pieces(s)) {
            Text t = new Text(piece);
            t.getStyleClass().add(TEXT_STYLE);
            t.getStyleClass().addAll(styles);
            getChildren().add(t);
            first = first == null ? t : first;
        }
        if (first == null) {
            first = new Text("");
            first.getStyleClass().add(TEXT_STYLE);
            first.getStyleClass().addAll(styles);
            getChildren().add(first);
        }
        return first;
    }

    /** Whether JavaFX shapes this code point's script as complex text. */
    static boolean complex(int codePoint) {
        return switch (Character.UnicodeScript.of(codePoint)) {
            case ARABIC, HEBREW, SYRIAC, THAANA, NKO, THAI, LAO, KHMER, MYANMAR, TIBETAN, MONGOLIAN, DEVANAGARI, BENGALI,
                    GURMUKHI, GUJARATI, ORIYA, TAMIL, TELUGU, KANNADA, MALAYALAM, SINHALA, BALINESE, JAVANESE -> true;
            default -> false;
        };
    }

    /** {@code s} as it goes into nodes: runs of simple text whole, complex text a word at a time. */
    static List<String> pieces(String s) {
        List<String> out = new ArrayList<>();
        int start = 0;
        int i = 0;
        boolean inComplex = false;
        while (i < s.length()) {
            int cp = s.codePointAt(i);
            boolean c = complex(cp) || inComplex && Character.getType(cp) == Character.NON_SPACING_MARK;
            if (i > start && c != inComplex) {
                addRun(out, s.substring(start, i), inComplex);
                start = i;
            }
            inComplex = c;
            i += Character.charCount(cp);
        }
        if (start < s.length()) {
            addRun(out, s.substring(start), inComplex);
        }
        return out;
    }

    /** A word longer than this many characters (grapheme clusters) goes a character at a time. */
    static final int LONGEST_PIECE = 8;

    /** Scripts written without spaces between words: JavaFX may break their lines anywhere. */
    private static boolean unspaced(int codePoint) {
        return switch (Character.UnicodeScript.of(codePoint)) {
            case THAI, LAO, KHMER, MYANMAR, TIBETAN -> true;
            default -> false;
        };
    }

    /**
     * A complex run as nodes that never span a line: words (JavaFX breaks lines at their spaces), and a
     * character (grapheme cluster) at a time where it may break inside a word: scripts without spaces, and
     * words longer than {@link #LONGEST_PIECE}.
     */
    private static void addRun(List<String> out, String run, boolean complex) {
        if (!complex) {
            out.add(run);
            return;
        }
        boolean anywhere = run.codePoints().anyMatch(RichText::unspaced);
        java.text.BreakIterator words = java.text.BreakIterator.getWordInstance(java.util.Locale.ROOT);
        words.setText(run);
        int start = words.first();
        for (int end = words.next(); end != java.text.BreakIterator.DONE; start = end, end = words.next()) {
            String word = run.substring(start, end);
            java.text.BreakIterator clusters = java.text.BreakIterator.getCharacterInstance();
            clusters.setText(word);
            List<String> characters = new ArrayList<>();
            int from = clusters.first();
            for (int to = clusters.next(); to != java.text.BreakIterator.DONE; from = to, to = clusters.next()) {
                characters.add(word.substring(from, to));
            }
            if (anywhere || characters.size() > LONGEST_PIECE) {
                out.addAll(characters);
            } else {
                out.add(word);
            }
        }
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
     * Shows {@code s} as the flow's text in {@code styles}; cheaper than rebuilding while a text streams in
     * (one node keeps its place when the text has no complex script).
     */
    void setText(String s, String... styles) {
        List<Text> runs = runs();
        if (runs.size() == 1 && s.codePoints().noneMatch(RichText::complex)) {
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
