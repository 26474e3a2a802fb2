package io.kaiyuan.engine.template.jinja;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.IntPredicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Turns template source into tokens, applying trim_blocks, lstrip_blocks and whitespace control. */
final class Lexer {
    enum Type {
        TEXT, NUMERIC, STRING, IDENTIFIER, EQUALS, OPEN_PAREN, CLOSE_PAREN, OPEN_STATEMENT, CLOSE_STATEMENT,
        OPEN_EXPRESSION, CLOSE_EXPRESSION, OPEN_SQUARE, CLOSE_SQUARE, OPEN_CURLY, CLOSE_CURLY, COMMA, DOT, COLON,
        PIPE, ADDITIVE, MULTIPLICATIVE, EXPONENT, COMPARISON, UNARY, COMMENT
    }

    record Token(Type type, String value) {}

    private static final String[][] TABLE = {
        {"{%", "OPEN_STATEMENT"}, {"%}", "CLOSE_STATEMENT"}, {"{{", "OPEN_EXPRESSION"}, {"}}", "CLOSE_EXPRESSION"},
        {"(", "OPEN_PAREN"}, {")", "CLOSE_PAREN"}, {"{", "OPEN_CURLY"}, {"}", "CLOSE_CURLY"}, {"[", "OPEN_SQUARE"},
        {"]", "CLOSE_SQUARE"}, {",", "COMMA"}, {".", "DOT"}, {":", "COLON"}, {"|", "PIPE"},
        {"<=", "COMPARISON"}, {">=", "COMPARISON"}, {"==", "COMPARISON"}, {"!=", "COMPARISON"}, {"<", "COMPARISON"},
        {">", "COMPARISON"}, {"+", "ADDITIVE"}, {"-", "ADDITIVE"}, {"~", "ADDITIVE"}, {"**", "EXPONENT"},
        {"*", "MULTIPLICATIVE"}, {"//", "MULTIPLICATIVE"}, {"/", "MULTIPLICATIVE"}, {"%", "MULTIPLICATIVE"},
        {"=", "EQUALS"},
    };

    private static final Map<Character, String> ESCAPES = Map.of('n', "\n", 't', "\t", 'r', "\r", 'b', "\b",
            'f', "\f", 'v', "\u000B", '\'', "'", '"', "\"", '\\', "\\");

    private static final Pattern LSTRIP = Pattern.compile("(?m)^[ \\t]*(\\{[#%-])");
    private static final Pattern TRIM = Pattern.compile("([#%-]})\\n");
    private static final Pattern GENERATION =
            Pattern.compile("(?s)(\\s*)\\{%(-?)\\s*(?:end)?generation\\s*(-?)%}(\\s*)");

    private final String src;
    private final List<Token> tokens = new ArrayList<>();
    private int pos;

    private Lexer(String src) {
        this.src = src;
    }

    /** Tokens of a template, with trim_blocks and lstrip_blocks on. */
    static List<Token> tokenize(String source) {
        Lexer lexer = new Lexer(preprocess(source));
        lexer.run();
        return lexer.tokens;
    }

    static String preprocess(String template) {
        String t = template.endsWith("\n") ? template.substring(0, template.length() - 1) : template;
        t = LSTRIP.matcher(t).replaceAll("$1");
        t = TRIM.matcher(t).replaceAll("$1");
        Matcher m = GENERATION.matcher(t);
        return m.replaceAll(r -> Matcher.quoteReplacement(
                (r.group(2).isEmpty() ? r.group(1) : "") + (r.group(3).isEmpty() ? r.group(4) : "")));
    }

    private char at(int i) {
        return i < src.length() ? src.charAt(i) : '\0';
    }

    private boolean startsWith(String s) {
        return src.startsWith(s, pos);
    }

    private static boolean isWord(int c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    }

    private static boolean isDigit(int c) {
        return c >= '0' && c <= '9';
    }

    private static boolean isSpace(int c) {
        return Character.isWhitespace(c) || c == '\u00A0' || c == '\uFEFF';
    }

    private Type lastType() {
        return tokens.isEmpty() ? null : tokens.get(tokens.size() - 1).type();
    }

    private String consumeWhile(IntPredicate predicate) {
        StringBuilder out = new StringBuilder();
        while (pos < src.length() && predicate.test(src.charAt(pos))) {
            if (src.charAt(pos) == '\\') {
                pos++;
                if (pos >= src.length()) {
                    throw new TemplateException("Unexpected end of input");
                }
                char escaped = src.charAt(pos++);
                if (escaped == 'x' || escaped == 'u') {
                    int length = escaped == 'x' ? 2 : 4;
                    String hex = src.substring(pos, Math.min(src.length(), pos + length));
                    if (hex.length() != length || !hex.matches("[0-9a-fA-F]+")) {
                        throw new TemplateException("Invalid hexadecimal escape sequence: \\" + escaped + hex);
                    }
                    out.append((char) Integer.parseInt(hex, 16));
                    pos += length;
                    continue;
                }
                String unescaped = ESCAPES.get(escaped);
                if (unescaped == null) {
                    throw new TemplateException("Unexpected escaped character: " + escaped);
                }
                out.append(unescaped);
                continue;
            }
            out.append(src.charAt(pos++));
            if (pos >= src.length()) {
                throw new TemplateException("Unexpected end of input");
            }
        }
        return out.toString();
    }

    private void stripTrailingWhitespace() {
        if (!tokens.isEmpty() && lastType() == Type.TEXT) {
            Token last = tokens.remove(tokens.size() - 1);
            String trimmed = stripEnd(last.value());
            if (!trimmed.isEmpty()) {
                tokens.add(new Token(Type.TEXT, trimmed));
            }
        }
    }

    private static String stripEnd(String s) {
        int end = s.length();
        while (end > 0 && isSpace(s.charAt(end - 1))) {
            end--;
        }
        return s.substring(0, end);
    }

    private void skipLeadingWhitespace() {
        while (pos < src.length() && isSpace(src.charAt(pos))) {
            pos++;
        }
    }

    private void run() {
        int curlyDepth = 0;
        main:
        while (pos < src.length()) {
            Type last = lastType();
            if (last == null || last == Type.CLOSE_STATEMENT || last == Type.CLOSE_EXPRESSION || last == Type.COMMENT) {
                StringBuilder text = new StringBuilder();
                while (pos < src.length()
                        && !(src.charAt(pos) == '{' && (at(pos + 1) == '%' || at(pos + 1) == '{' || at(pos + 1) == '#'))) {
                    text.append(src.charAt(pos++));
                }
                if (text.length() > 0) {
                    tokens.add(new Token(Type.TEXT, text.toString()));
                    continue;
                }
            }
            if (src.charAt(pos) == '{' && at(pos + 1) == '#') {
                pos += 2;
                boolean stripBefore = at(pos) == '-';
                if (stripBefore) {
                    pos++;
                }
                StringBuilder comment = new StringBuilder();
                while (at(pos) != '#' || at(pos + 1) != '}') {
                    if (pos + 2 >= src.length()) {
                        throw new TemplateException("Missing end of comment tag");
                    }
                    comment.append(src.charAt(pos++));
                }
                boolean stripAfter = comment.length() > 0 && comment.charAt(comment.length() - 1) == '-';
                if (stripAfter) {
                    comment.setLength(comment.length() - 1);
                }
                if (stripBefore) {
                    stripTrailingWhitespace();
                }
                tokens.add(new Token(Type.COMMENT, comment.toString()));
                pos += 2;
                if (stripAfter) {
                    skipLeadingWhitespace();
                }
                continue;
            }
            if (startsWith("{%-")) {
                stripTrailingWhitespace();
                tokens.add(new Token(Type.OPEN_STATEMENT, "{%"));
                pos += 3;
                continue;
            }
            if (startsWith("{{-")) {
                stripTrailingWhitespace();
                tokens.add(new Token(Type.OPEN_EXPRESSION, "{{"));
                curlyDepth = 0;
                pos += 3;
                continue;
            }
            consumeWhile(Lexer::isSpace);
            if (startsWith("-%}")) {
                tokens.add(new Token(Type.CLOSE_STATEMENT, "%}"));
                pos += 3;
                skipLeadingWhitespace();
                continue;
            }
            if (startsWith("-}}")) {
                tokens.add(new Token(Type.CLOSE_EXPRESSION, "}}"));
                pos += 3;
                skipLeadingWhitespace();
                continue;
            }
            char c = src.charAt(pos);
            if (c == '-' || c == '+') {
                Type lt = lastType();
                if (lt == Type.TEXT || lt == null) {
                    throw new TemplateException("Unexpected character: " + c);
                }
                boolean binary = lt == Type.IDENTIFIER || lt == Type.NUMERIC || lt == Type.STRING
                        || lt == Type.CLOSE_PAREN || lt == Type.CLOSE_SQUARE;
                if (!binary) {
                    pos++;
                    String num = consumeWhile(Lexer::isDigit);
                    if (!num.isEmpty() && at(pos) == '.' && isDigit(at(pos + 1))) {
                        pos++;
                        num = num + "." + consumeWhile(Lexer::isDigit);
                    }
                    tokens.add(new Token(num.isEmpty() ? Type.UNARY : Type.NUMERIC, c + num));
                    continue;
                }
            }
            for (String[] entry : TABLE) {
                String seq = entry[0];
                if (seq.equals("}}") && curlyDepth > 0) {
                    continue;
                }
                if (startsWith(seq)) {
                    Type type = Type.valueOf(entry[1]);
                    tokens.add(new Token(type, seq));
                    if (type == Type.OPEN_EXPRESSION) {
                        curlyDepth = 0;
                    } else if (type == Type.OPEN_CURLY) {
                        curlyDepth++;
                    } else if (type == Type.CLOSE_CURLY) {
                        curlyDepth--;
                    }
                    pos += seq.length();
                    continue main;
                }
            }
            if (c == '\'' || c == '"') {
                pos++;
                String s = consumeWhile(ch -> ch != c);
                tokens.add(new Token(Type.STRING, s));
                pos++;
                continue;
            }
            if (isDigit(c)) {
                String num = consumeWhile(Lexer::isDigit);
                if (lastType() != Type.DOT && at(pos) == '.' && isDigit(at(pos + 1))) {
                    pos++;
                    num = num + "." + consumeWhile(Lexer::isDigit);
                }
                tokens.add(new Token(Type.NUMERIC, num));
                continue;
            }
            if (isWord(c)) {
                tokens.add(new Token(Type.IDENTIFIER, consumeWhile(Lexer::isWord)));
                continue;
            }
            throw new TemplateException("Unexpected character: " + c);
        }
    }
}
