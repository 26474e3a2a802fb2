/** Kaiyuan's JavaFX views and view models. Talks to the engine through its API only. */
module io.kaiyuan.ui {
    requires transitive io.kaiyuan.engine;
    requires transitive javafx.controls;
    requires atlantafx.base;
    requires org.commonmark;
    requires org.slf4j;
    requires org.commonmark.ext.gfm.tables;
    requires org.kordamp.ikonli.javafx;
    requires org.kordamp.ikonli.feather;
    // RSyntaxTextArea's lexers colour code blocks; its Swing editor is never shown (javax.swing.text.Segment
    // is the lexers' input).
    requires org.fife.RSyntaxTextArea;
    requires java.desktop;

    exports io.kaiyuan.ui.shell;
    exports io.kaiyuan.ui.chat;
    exports io.kaiyuan.ui.common;
    exports io.kaiyuan.ui.compare;
    exports io.kaiyuan.ui.models;
    exports io.kaiyuan.ui.settings;
    opens io.kaiyuan.ui to javafx.graphics;
}
