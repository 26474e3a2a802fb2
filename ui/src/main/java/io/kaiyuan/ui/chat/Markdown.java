package io.kaiyuan.ui.chat;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.function.Consumer;
import javafx.geometry.Insets;
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
import javafx.scene.text.TextFlow;
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
 * italic, inline code and links, lists, block quotes, tables and code blocks in a monospace font with a
 * copy button. Text wraps to the width given; long unbroken runs break. Build on the FX thread.
 */
public final class Markdown {
    /** Style classes, styled in kaiyuan.css. */
    public static final String ROOT_STYLE = "markdown";
    public static final String CODE_BLOCK_STYLE = "md-code-block";
    public static final String COPY_STYLE = "md-copy";
    public static final String INLINE_CODE_STYLE = "md-code";
    public static final String STRONG_STYLE = "md-strong";
    public static final String EM_STYLE = "md-em";
    public static final String LINK_STYLE = "md-link";
    public static final String QUOTE_STYLE = "md-quote";
    public static final String TABLE_STYLE = "md-table";

    private static final List<Extension> EXTENSIONS = List.of(TablesExtension.create());
    private static final Parser PARSER = Parser.builder().extensions(EXTENSIONS).build();

    private final String copyLabel;
    private final Consumer<String> openLink;

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
        Document document = (Document) PARSER.parse(markdown);
        VBox root = new VBox(6);
        root.getStyleClass().add(ROOT_STYLE);
        appendBlocks(document, root);
        return root;
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
            return inlines(p);
        }
        if (block instanceof Heading h) {
            TextFlow flow = inlines(h);
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
            VBox box = new VBox(4);
            box.getStyleClass().add(QUOTE_STYLE);
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
            return wrapped(new Text(html.getLiteral()));
        }
        if (block instanceof CustomBlock) {
            VBox box = new VBox(4);
            appendBlocks(block, box);
            return box;
        }
        return null;
    }

    private Node list(org.commonmark.node.Node list) {
        VBox box = new VBox(2);
        int number = list instanceof OrderedList o && o.getMarkerStartNumber() != null ? o.getMarkerStartNumber() : 1;
        for (org.commonmark.node.Node item = list.getFirstChild(); item != null; item = item.getNext()) {
            if (!(item instanceof ListItem)) {
                continue;
            }
            Label marker = new Label(list instanceof OrderedList ? number++ + "." : "•");
            marker.setMinWidth(Region.USE_PREF_SIZE);
            VBox content = new VBox(2);
            appendBlocks(item, content);
            HBox.setHgrow(content, Priority.ALWAYS);
            content.setMinWidth(0);
            HBox row = new HBox(6, marker, content);
            row.setAlignment(Pos.TOP_LEFT);
            box.getChildren().add(row);
        }
        return box;
    }

    private Node codeBlock(String code, String info) {
        String literal = code.endsWith("\n") ? code.substring(0, code.length() - 1) : code;
        Text text = new Text(literal);
        text.getStyleClass().add(INLINE_CODE_STYLE);
        TextFlow body = wrapped(text);
        Label language = new Label(info == null ? "" : info.strip().split("\\s+")[0]);
        Region spacer = new Region();
        HBox.setHgrow(spacer, Priority.ALWAYS);
        Button copy = new Button(copyLabel);
        copy.getStyleClass().add(COPY_STYLE);
        copy.setFocusTraversable(false);
        copy.setOnAction(e -> {
            ClipboardContent content = new ClipboardContent();
            content.putString(literal);
            Clipboard.getSystemClipboard().setContent(content);
        });
        HBox header = new HBox(6, language, spacer, copy);
        header.setAlignment(Pos.CENTER_LEFT);
        VBox box = new VBox(4, header, body);
        box.getStyleClass().add(CODE_BLOCK_STYLE);
        box.setPadding(new Insets(6, 8, 8, 8));
        return box;
    }

    private Node table(TableBlock table) {
        GridPane grid = new GridPane();
        grid.getStyleClass().add(TABLE_STYLE);
        grid.setHgap(12);
        grid.setVgap(4);
        int row = 0;
        for (org.commonmark.node.Node section = table.getFirstChild(); section != null; section = section.getNext()) {
            for (org.commonmark.node.Node r = section.getFirstChild(); r != null; r = r.getNext()) {
                if (!(r instanceof TableRow)) {
                    continue;
                }
                int column = 0;
                for (org.commonmark.node.Node c = r.getFirstChild(); c != null; c = c.getNext()) {
                    if (c instanceof TableCell cell) {
                        TextFlow flow = inlines(cell);
                        if (cell.isHeader()) {
                            flow.getStyleClass().add("md-th");
                            flow.getChildren().forEach(n -> n.getStyleClass().add(STRONG_STYLE));
                        }
                        grid.add(flow, column++, row);
                    }
                }
                row++;
            }
        }
        return grid;
    }

    private static TextFlow wrapped(Text... texts) {
        TextFlow flow = new TextFlow(texts);
        flow.setMinWidth(0);
        return flow;
    }

    /** A block's inline content as styled text runs. */
    private TextFlow inlines(org.commonmark.node.Node block) {
        TextFlow flow = wrapped();
        block.accept(new Inlines(flow));
        return flow;
    }

    /** Walks inline nodes, keeping the styles of the enclosing emphasis and links. */
    private final class Inlines extends AbstractVisitor {
        private final TextFlow flow;
        private final Deque<String> styles = new ArrayDeque<>();
        private String link;

        Inlines(TextFlow flow) {
            this.flow = flow;
        }

        private void add(String s, String... extra) {
            Text text = new Text(s);
            text.getStyleClass().addAll(styles);
            text.getStyleClass().addAll(extra);
            if (link != null) {
                String target = link;
                text.getStyleClass().add(LINK_STYLE);
                text.setOnMouseClicked(e -> openLink.accept(target));
            }
            flow.getChildren().add(text);
        }

        @Override
        public void visit(org.commonmark.node.Text text) {
            add(text.getLiteral());
        }

        @Override
        public void visit(Code code) {
            add(code.getLiteral(), INLINE_CODE_STYLE);
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
            add(" ");
        }

        @Override
        public void visit(HardLineBreak br) {
            add("\n");
        }

        @Override
        public void visit(HtmlInline html) {
            add(html.getLiteral());
        }
    }
}
