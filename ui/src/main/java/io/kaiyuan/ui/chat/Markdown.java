package io.kaiyuan.ui.chat;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.function.Consumer;
import javafx.geometry.Pos;
import javafx.scene.Node;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.Separator;
import javafx.scene.input.Clipboard;
import javafx.scene.input.ClipboardContent;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Pane;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;
import javafx.scene.text.Text;
import javafx.scene.layout.ColumnConstraints;
import javafx.scene.layout.StackPane;
import java.util.ArrayList;
import org.kordamp.ikonli.feather.Feather;
import org.kordamp.ikonli.javafx.FontIcon;
import org.commonmark.Extension;
import org.commonmark.ext.gfm.tables.TableBlock;
import org.commonmark.ext.gfm.tables.TableCell;
import org.commonmark.ext.gfm.tables.TableRow;
import org.commonmark.ext.gfm.tables.TablesExtension;
import org.commonmark.node.AbstractVisitor;
import org.commonmark.node.BlockQuote;
import org.commonmark.node.BulletList;
import org.commonmark.node.Code;
import org.commonmark.node.CustomBlock;
import org.commonmark.node.Document;
import org.commonmark.node.Emphasis;
import org.commonmark.node.FencedCodeBlock;
import org.commonmark.node.HardLineBreak;
import org.commonmark.node.Heading;
import org.commonmark.node.HtmlBlock;
import org.commonmark.node.HtmlInline;
import org.commonmark.node.Image;
import org.commonmark.node.IndentedCodeBlock;
import org.commonmark.node.Link;
import org.commonmark.node.ListItem;
import org.commonmark.node.OrderedList;
import org.commonmark.node.Paragraph;
import org.commonmark.node.SoftLineBreak;
import org.commonmark.node.StrongEmphasis;
import org.commonmark.node.ThematicBreak;
import org.commonmark.parser.Parser;

/**
 * Renders Markdown (CommonMark with GitHub tables) as JavaFX nodes: headings, paragraphs with bold,
 * italic, inline code on a background and links, lists, block quotes, tables, and code blocks with syntax
 * colours ({@link CodeHighlighter}), their language or file name and a Copy button. All text is in
 * {@link RichText} flows, so it wraps to the width given (long unbroken runs break) and can be selected in
 * part. Build on the FX thread.
 */
public final class Markdown {
    /** Style classes, styled in kaiyuan.css. */
    public static final String ROOT_STYLE = "markdown";
    public static final String CODE_BLOCK_STYLE = "md-code-block";
    public static final String CODE_HEADER_STYLE = "md-code-header";
    public static final String CODE_BODY_STYLE = "md-code-body";
    public static final String COPY_STYLE = "md-copy";
    public static final String INLINE_CODE_STYLE = "md-code";
    public static final String MONO_STYLE = "md-mono";
    public static final String STRONG_STYLE = "md-strong";
    public static final String EM_STYLE = "md-em";
    public static final String LINK_STYLE = "md-link";
    public static final String QUOTE_STYLE = "md-quote";
    public static final String TABLE_STYLE = "md-table";
    public static final String TABLE_CELL_STYLE = "md-cell";
    public static final String PARAGRAPH_STYLE = "md-paragraph";

    private static final List<Extension> EXTENSIONS = List.of(TablesExtension.create());
    private static final Parser PARSER = Parser.builder().extensions(EXTENSIONS).build();

    private final String copyLabel;
    private final Consumer<String> openLink;
    private final CodeHighlighter highlighter = new CodeHighlighter();

    /**
     * @param copyLabel the code blocks' copy button text
     * @param openLink opens a link's address when clicked
     */
    public Markdown(String copyLabel, Consumer<String> openLink) {
        this.copyLabel = copyLabel;
        this.openLink = openLink;
    }

    /** The text as nodes; an unclosed code fence (an answer still streaming) runs to the end. */
    public VBox render(String markdown) {
        VBox root = new VBox(8);
        root.getStyleClass().add(ROOT_STYLE);
        root.setMinWidth(0);
        root.getChildren().addAll(blocks(markdown));
        return root;
    }

    /** The text's blocks, to add to a pane of one's own. */
    List<Node> blocks(String markdown) {
        Document document = (Document) PARSER.parse(markdown);
        VBox into = new VBox();
        appendBlocks(document, into);
        return List.copyOf(into.getChildren());
    }

    private void appendBlocks(org.commonmark.node.Node parent, Pane into) {
        for (org.commonmark.node.Node block = parent.getFirstChild(); block != null; block = block.getNext()) {
            Node node = block(block);
            if (node != null) {
                into.getChildren().add(node);
            }
        }
    }

    private Node block(org.commonmark.node.Node block) {
        if (block instanceof Paragraph p) {
            RichText flow = inlines(p);
            flow.getStyleClass().add(PARAGRAPH_STYLE);
            return flow;
        }
        if (block instanceof Heading h) {
            RichText flow = inlines(h);
            flow.getStyleClass().add("md-h" + h.getLevel());
            return flow;
        }
        if (block instanceof FencedCodeBlock f) {
            return codeBlock(f.getLiteral(), f.getInfo());
        }
        if (block instanceof IndentedCodeBlock c) {
            return codeBlock(c.getLiteral(), "");
        }
        if (block instanceof BulletList || block instanceof OrderedList) {
            return list(block);
        }
        if (block instanceof BlockQuote q) {
            VBox box = new VBox(6);
            box.getStyleClass().add(QUOTE_STYLE);
            box.setMinWidth(0);
            appendBlocks(q, box);
            return box;
        }
        if (block instanceof ThematicBreak) {
            return new Separator();
        }
        if (block instanceof TableBlock table) {
            return table(table);
        }
        if (block instanceof HtmlBlock html) {
            return RichText.of(html.getLiteral().strip(), MONO_STYLE);
        }
        if (block instanceof CustomBlock) {
            VBox box = new VBox(6);
            box.setMinWidth(0);
            appendBlocks(block, box);
            return box;
        }
        return null;
    }

    private Node list(org.commonmark.node.Node list) {
        VBox box = new VBox(4);
        box.setMinWidth(0);
        int number = list instanceof OrderedList o && o.getMarkerStartNumber() != null ? o.getMarkerStartNumber() : 1;
        for (org.commonmark.node.Node item = list.getFirstChild(); item != null; item = item.getNext()) {
            if (!(item instanceof ListItem)) {
                continue;
            }
            Label marker = new Label(list instanceof OrderedList ? number++ + "." : "•");
            marker.getStyleClass().add("md-marker");
            marker.setMinWidth(Region.USE_PREF_SIZE);
            VBox content = new VBox(4);
            appendBlocks(item, content);
            HBox.setHgrow(content, Priority.ALWAYS);
            content.setMinWidth(0);
            HBox row = new HBox(6, marker, content);
            row.setAlignment(Pos.TOP_LEFT);
            row.setMinWidth(0);
            box.getChildren().add(row);
        }
        return box;
    }

    private Node codeBlock(String code, String info) {
        String literal = code.endsWith("\n") ? code.substring(0, code.length() - 1) : code;
        String[] words = info == null || info.isBlank() ? new String[0] : info.strip().split("\\s+");
        String language = words.length > 0 ? words[0] : "";
        String fileName = words.length > 1 ? words[words.length - 1] : "";
        RichText body = new RichText();
        for (CodeHighlighter.Run run : highlighter.highlight(literal, language)) {
            if (run.style().isEmpty()) {
                body.add(run.text(), MONO_STYLE);
            } else {
                body.add(run.text(), MONO_STYLE, run.style());
            }
        }
        body.getStyleClass().add(CODE_BODY_STYLE);
        Label title = new Label(fileName.isEmpty() ? language : language.isEmpty() ? fileName : fileName + " · " + language);
        title.getStyleClass().add("md-code-language");
        title.setMinWidth(0);
        Region spacer = new Region();
        HBox.setHgrow(spacer, Priority.ALWAYS);
        Button copy = new Button(copyLabel, new FontIcon(Feather.COPY));
        copy.getStyleClass().addAll(COPY_STYLE, "flat", "small");
        copy.setMinWidth(Region.USE_PREF_SIZE);
        copy.setFocusTraversable(false);
        copy.setOnAction(e -> {
            ClipboardContent content = new ClipboardContent();
            content.putString(literal);
            Clipboard.getSystemClipboard().setContent(content);
        });
        HBox header = new HBox(6, title, spacer, copy);
        header.getStyleClass().add(CODE_HEADER_STYLE);
        header.setAlignment(Pos.CENTER_LEFT);
        VBox padded = new VBox(body);
        padded.getStyleClass().add("md-code-content");
        padded.setMinWidth(0);
        VBox box = new VBox(header, padded);
        box.getStyleClass().add(CODE_BLOCK_STYLE);
        box.setMinWidth(0);
        return box;
    }

    private Node table(TableBlock table) {
        GridPane grid = new GridPane();
        grid.getStyleClass().add(TABLE_STYLE);
        grid.setMinWidth(0);
        int row = 0;
        int columns = 0;
        for (org.commonmark.node.Node section = table.getFirstChild(); section != null; section = section.getNext()) {
            for (org.commonmark.node.Node r = section.getFirstChild(); r != null; r = r.getNext()) {
                if (!(r instanceof TableRow)) {
                    continue;
                }
                int column = 0;
                for (org.commonmark.node.Node c = r.getFirstChild(); c != null; c = c.getNext()) {
                    if (c instanceof TableCell cell) {
                        RichText flow = cell.isHeader() ? inlines(cell, STRONG_STYLE) : inlines(cell);
                        StackPane box = new StackPane(flow);
                        box.getStyleClass().add(TABLE_CELL_STYLE);
                        if (cell.isHeader()) {
                            box.getStyleClass().add("md-th");
                        }
                        box.setAlignment(Pos.TOP_LEFT);
                        box.setMinWidth(0);
                        box.setMaxWidth(Double.MAX_VALUE);
                        box.setMaxHeight(Double.MAX_VALUE);
                        grid.add(box, column++, row);
                    }
                }
                columns = Math.max(columns, column);
                row++;
            }
        }
        for (int i = 0; i < columns; i++) {
            ColumnConstraints c = new ColumnConstraints();
            c.setMinWidth(24);
            c.setHgrow(Priority.SOMETIMES);
            grid.getColumnConstraints().add(c);
        }
        grid.setMaxWidth(Region.USE_PREF_SIZE);
        return grid;
    }

    /** A block's inline content as styled text runs, each also in {@code styles}. */
    private RichText inlines(org.commonmark.node.Node block, String... styles) {
        RichText flow = new RichText();
        block.accept(new Inlines(flow, styles));
        return flow;
    }

    /** Walks inline nodes, keeping the styles of the enclosing emphasis and links. */
    private final class Inlines extends AbstractVisitor {
        private final RichText flow;
        private final Deque<String> styles = new ArrayDeque<>();
        private String link;

        Inlines(RichText flow, String... base) {
            this.flow = flow;
            for (String s : base) {
                styles.push(s);
            }
        }

        private void add(String s, boolean code) {
            List<String> classes = new ArrayList<>(styles);
            if (code) {
                classes.add(INLINE_CODE_STYLE);
            }
            if (link != null) {
                classes.add(LINK_STYLE);
            }
            String[] all = classes.toArray(String[]::new);
            Text text = code ? flow.addWithBackground(s, all) : flow.add(s, all);
            if (link != null) {
                String target = link;
                text.setOnMouseClicked(e -> {
                    if (e.getClickCount() == 1 && e.isStillSincePress()) {
                        openLink.accept(target);
                    }
                });
            }
        }

        @Override
        public void visit(org.commonmark.node.Text text) {
            add(text.getLiteral(), false);
        }

        @Override
        public void visit(Code code) {
            add(code.getLiteral(), true);
        }

        @Override
        public void visit(Emphasis emphasis) {
            styles.push(EM_STYLE);
            visitChildren(emphasis);
            styles.pop();
        }

        @Override
        public void visit(StrongEmphasis strong) {
            styles.push(STRONG_STYLE);
            visitChildren(strong);
            styles.pop();
        }

        @Override
        public void visit(Link l) {
            String outer = link;
            link = l.getDestination();
            visitChildren(l);
            link = outer;
        }

        @Override
        public void visit(Image image) {
            visitChildren(image); // its alt text
        }

        @Override
        public void visit(SoftLineBreak br) {
            add(" ", false);
        }

        @Override
        public void visit(HardLineBreak br) {
            add("\n", false);
        }

        @Override
        public void visit(HtmlInline html) {
            add(html.getLiteral(), false);
        }
    }
}
