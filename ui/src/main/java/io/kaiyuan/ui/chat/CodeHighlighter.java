package io.kaiyuan.ui.chat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.swing.text.Segment;
import org.fife.ui.rsyntaxtextarea.SyntaxConstants;
import org.fife.ui.rsyntaxtextarea.Token;
import org.fife.ui.rsyntaxtextarea.TokenMaker;
import org.fife.ui.rsyntaxtextarea.TokenMakerFactory;
import org.fife.ui.rsyntaxtextarea.TokenTypes;

/**
 * Splits code into runs with a style class each (keyword, string, comment, ...), for the code blocks of
 * answers. The lexing is RSyntaxTextArea's: its generated lexers cover some forty languages, keep state
 * across lines (block comments, multi-line strings) and need no display; its editor is never used. Runs of
 * the same style are merged, so a long block stays a few hundred nodes. FX thread (lexers are reused).
 */
final class CodeHighlighter {
    /** One run of code and its style class; an empty style for plain text. */
    record Run(String text, String style) {}

    /** Style classes, styled in kaiyuan.css for the light and dark themes. */
    static final String KEYWORD = "hl-keyword";
    static final String STRING = "hl-string";
    static final String COMMENT = "hl-comment";
    static final String NUMBER = "hl-number";
    static final String TYPE = "hl-type";
    static final String FUNCTION = "hl-function";
    static final String LITERAL = "hl-literal";
    static final String ANNOTATION = "hl-annotation";
    static final String TAG = "hl-tag";
    static final String ATTRIBUTE = "hl-attribute";
    static final String VARIABLE = "hl-variable";

    private static final Map<String, String> STYLES = new HashMap<>();

    static {
        alias(SyntaxConstants.SYNTAX_STYLE_PYTHON, "python", "py", "python3", "py3");
        alias(SyntaxConstants.SYNTAX_STYLE_JAVA, "java");
        alias(SyntaxConstants.SYNTAX_STYLE_JAVASCRIPT, "javascript", "js", "jsx", "mjs", "cjs", "node");
        alias(SyntaxConstants.SYNTAX_STYLE_TYPESCRIPT, "typescript", "ts", "tsx");
        alias(SyntaxConstants.SYNTAX_STYLE_C, "c", "h");
        alias(SyntaxConstants.SYNTAX_STYLE_CPLUSPLUS, "cpp", "c++", "cc", "cxx", "hpp", "hxx", "cuda", "cu");
        alias(SyntaxConstants.SYNTAX_STYLE_GO, "go", "golang");
        alias(SyntaxConstants.SYNTAX_STYLE_RUST, "rust", "rs");
        alias(SyntaxConstants.SYNTAX_STYLE_SQL, "sql", "mysql", "postgresql", "postgres", "sqlite", "plsql");
        alias(SyntaxConstants.SYNTAX_STYLE_UNIX_SHELL, "bash", "sh", "shell", "zsh", "console", "shell-session");
        alias(SyntaxConstants.SYNTAX_STYLE_WINDOWS_BATCH, "bat", "batch", "cmd");
        alias(SyntaxConstants.SYNTAX_STYLE_JSON_WITH_COMMENTS, "json", "jsonc", "json5");
        alias(SyntaxConstants.SYNTAX_STYLE_YAML, "yaml", "yml");
        alias(SyntaxConstants.SYNTAX_STYLE_HTML, "html", "htm", "xhtml", "vue");
        alias(SyntaxConstants.SYNTAX_STYLE_XML, "xml", "svg", "xsd", "xsl", "plist", "pom");
        alias(SyntaxConstants.SYNTAX_STYLE_CSS, "css");
        alias(SyntaxConstants.SYNTAX_STYLE_LESS, "less", "scss", "sass");
        alias(SyntaxConstants.SYNTAX_STYLE_KOTLIN, "kotlin", "kt", "kts");
        alias(SyntaxConstants.SYNTAX_STYLE_CSHARP, "csharp", "cs", "c#");
        alias(SyntaxConstants.SYNTAX_STYLE_RUBY, "ruby", "rb");
        alias(SyntaxConstants.SYNTAX_STYLE_PHP, "php");
        alias(SyntaxConstants.SYNTAX_STYLE_LUA, "lua");
        alias(SyntaxConstants.SYNTAX_STYLE_PERL, "perl", "pl");
        alias(SyntaxConstants.SYNTAX_STYLE_SCALA, "scala");
        alias(SyntaxConstants.SYNTAX_STYLE_GROOVY, "groovy", "gradle");
        alias(SyntaxConstants.SYNTAX_STYLE_DART, "dart");
        alias(SyntaxConstants.SYNTAX_STYLE_DOCKERFILE, "dockerfile", "docker");
        alias(SyntaxConstants.SYNTAX_STYLE_MAKEFILE, "makefile", "make", "mk");
        alias(SyntaxConstants.SYNTAX_STYLE_INI, "ini", "toml", "cfg", "conf");
        alias(SyntaxConstants.SYNTAX_STYLE_PROPERTIES_FILE, "properties");
        alias(SyntaxConstants.SYNTAX_STYLE_MARKDOWN, "markdown", "md");
        alias(SyntaxConstants.SYNTAX_STYLE_LATEX, "latex", "tex");
        alias(SyntaxConstants.SYNTAX_STYLE_CLOJURE, "clojure", "clj");
        alias(SyntaxConstants.SYNTAX_STYLE_FORTRAN, "fortran", "f90");
        alias(SyntaxConstants.SYNTAX_STYLE_D, "d");
        alias(SyntaxConstants.SYNTAX_STYLE_CSV, "csv");
    }

    private static void alias(String style, String... names) {
        for (String n : names) {
            STYLES.put(n, style);
        }
    }

    private final Map<String, TokenMaker> lexers = new HashMap<>();

    /** Whether code blocks fenced with {@code language} get colours. */
    static boolean knows(String language) {
        return language != null && STYLES.containsKey(language.toLowerCase(Locale.ROOT));
    }

    /** The runs of {@code code}; one plain run for a language it does not know. */
    List<Run> highlight(String code, String language) {
        String style = language == null ? null : STYLES.get(language.toLowerCase(Locale.ROOT));
        if (style == null || code.isEmpty()) {
            return List.of(new Run(code, ""));
        }
        TokenMaker lexer = lexers.computeIfAbsent(style, s -> TokenMakerFactory.getDefaultInstance().getTokenMaker(s));
        List<Run> runs = new ArrayList<>();
        StringBuilder pending = new StringBuilder();
        String[] pendingStyle = {""};
        int lineType = TokenTypes.NULL;
        int start = 0;
        while (start <= code.length()) {
            int end = code.indexOf('\n', start);
            boolean last = end < 0;
            if (last) {
                end = code.length();
            }
            char[] chars = code.substring(start, end).toCharArray();
            Segment line = new Segment(chars, 0, chars.length);
            for (Token t = lexer.getTokenList(line, lineType, 0); t != null && t.isPaintable(); t = t.getNextToken()) {
                append(runs, pending, pendingStyle, t.getLexeme(), styleOf(t.getType()));
            }
            lineType = lexer.getLastTokenTypeOnLine(new Segment(chars, 0, chars.length), lineType);
            if (last) {
                break;
            }
            append(runs, pending, pendingStyle, "\n", pendingStyle[0].equals(COMMENT) || pendingStyle[0].equals(STRING)
                    ? pendingStyle[0] : "");
            start = end + 1;
        }
        if (pending.length() > 0) {
            runs.add(new Run(pending.toString(), pendingStyle[0]));
        }
        return runs;
    }

    private static void append(List<Run> runs, StringBuilder pending, String[] pendingStyle, String text, String style) {
        if (!style.equals(pendingStyle[0]) && pending.length() > 0) {
            runs.add(new Run(pending.toString(), pendingStyle[0]));
            pending.setLength(0);
        }
        pendingStyle[0] = style;
        pending.append(text);
    }

    private static String styleOf(int type) {
        return switch (type) {
            case TokenTypes.COMMENT_EOL, TokenTypes.COMMENT_MULTILINE, TokenTypes.COMMENT_DOCUMENTATION,
                    TokenTypes.COMMENT_KEYWORD, TokenTypes.COMMENT_MARKUP, TokenTypes.MARKUP_COMMENT -> COMMENT;
            case TokenTypes.RESERVED_WORD, TokenTypes.RESERVED_WORD_2, TokenTypes.PREPROCESSOR -> KEYWORD;
            case TokenTypes.FUNCTION -> FUNCTION;
            case TokenTypes.LITERAL_BOOLEAN -> LITERAL;
            case TokenTypes.LITERAL_NUMBER_DECIMAL_INT, TokenTypes.LITERAL_NUMBER_FLOAT,
                    TokenTypes.LITERAL_NUMBER_HEXADECIMAL -> NUMBER;
            case TokenTypes.LITERAL_STRING_DOUBLE_QUOTE, TokenTypes.LITERAL_CHAR, TokenTypes.LITERAL_BACKQUOTE,
                    TokenTypes.REGEX, TokenTypes.MARKUP_TAG_ATTRIBUTE_VALUE, TokenTypes.MARKUP_CDATA -> STRING;
            case TokenTypes.DATA_TYPE -> TYPE;
            case TokenTypes.VARIABLE -> VARIABLE;
            case TokenTypes.ANNOTATION -> ANNOTATION;
            case TokenTypes.MARKUP_TAG_DELIMITER, TokenTypes.MARKUP_TAG_NAME, TokenTypes.MARKUP_DTD,
                    TokenTypes.MARKUP_PROCESSING_INSTRUCTION, TokenTypes.MARKUP_CDATA_DELIMITER -> TAG;
            case TokenTypes.MARKUP_TAG_ATTRIBUTE, TokenTypes.MARKUP_ENTITY_REFERENCE -> ATTRIBUTE;
            default -> "";
        };
    }
}
