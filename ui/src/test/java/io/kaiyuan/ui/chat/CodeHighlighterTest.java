package io.kaiyuan.ui.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Code blocks in the languages answers use most get their keywords, strings and comments coloured. */
class CodeHighlighterTest {
    private final CodeHighlighter highlighter = new CodeHighlighter();

    /** Each language's sample and the text that must come out in each style. */
    private static final Map<String, Map<String, String>> SAMPLES = Map.ofEntries(
            Map.entry("python", Map.of("code", "def f(x):  # twice\n    return \"a\" * 2", CodeHighlighter.KEYWORD, "def",
                    CodeHighlighter.COMMENT, "# twice", CodeHighlighter.STRING, "\"a\"")),
            Map.entry("java", Map.of("code", "public class A { // note\n  String s = \"x\"; }", CodeHighlighter.KEYWORD, "public",
                    CodeHighlighter.COMMENT, "// note", CodeHighlighter.STRING, "\"x\"")),
            Map.entry("javascript", Map.of("code", "const a = 'x'; // c", CodeHighlighter.KEYWORD, "const",
                    CodeHighlighter.STRING, "'x'", CodeHighlighter.COMMENT, "// c")),
            Map.entry("ts", Map.of("code", "let n: number = 1; /* c */", CodeHighlighter.KEYWORD, "let",
                    CodeHighlighter.COMMENT, "/* c */")),
            Map.entry("c", Map.of("code", "#include <stdio.h>\nint main() { return 0; } // c", CodeHighlighter.KEYWORD, "return",
                    CodeHighlighter.COMMENT, "// c")),
            Map.entry("cpp", Map.of("code", "template <typename T> T id(T x) { return x; }", CodeHighlighter.KEYWORD, "template")),
            Map.entry("go", Map.of("code", "func main() {\n\tfmt.Println(\"hi\") // c\n}", CodeHighlighter.KEYWORD, "func",
                    CodeHighlighter.STRING, "\"hi\"", CodeHighlighter.COMMENT, "// c")),
            Map.entry("rust", Map.of("code", "fn main() { let s = \"x\"; } // c", CodeHighlighter.KEYWORD, "fn",
                    CodeHighlighter.STRING, "\"x\"", CodeHighlighter.COMMENT, "// c")),
            Map.entry("sql", Map.of("code", "SELECT name FROM t WHERE id = 'a'; -- c", CodeHighlighter.KEYWORD, "SELECT",
                    CodeHighlighter.STRING, "'a'", CodeHighlighter.COMMENT, "-- c")),
            Map.entry("bash", Map.of("code", "if [ -f x ]; then echo \"hi\"; fi # c", CodeHighlighter.KEYWORD, "if",
                    CodeHighlighter.STRING, "\"hi\"", CodeHighlighter.COMMENT, "# c")),
            Map.entry("json", Map.of("code", "{\"a\": true, \"n\": 12, \"s\": \"x\"}", CodeHighlighter.VARIABLE, "\"a\"",
                    CodeHighlighter.NUMBER, "12", CodeHighlighter.STRING, "\"x\"", CodeHighlighter.LITERAL, "true")),
            Map.entry("yaml", Map.of("code", "name: kaiyuan # c", CodeHighlighter.COMMENT, "# c")),
            Map.entry("html", Map.of("code", "<a href=\"x\">link</a> <!-- c -->", CodeHighlighter.TAG, "a",
                    CodeHighlighter.STRING, "\"x\"", CodeHighlighter.COMMENT, "<!-- c -->")),
            Map.entry("xml", Map.of("code", "<root id=\"1\"/>", CodeHighlighter.TAG, "root", CodeHighlighter.ATTRIBUTE, "id")));

    @Test
    void everyCommonLanguageGetsItsColours() {
        for (var sample : SAMPLES.entrySet()) {
            String code = sample.getValue().get("code");
            List<CodeHighlighter.Run> runs = highlighter.highlight(code, sample.getKey());
            assertEquals(code, runs.stream().map(CodeHighlighter.Run::text).collect(Collectors.joining()),
                    sample.getKey() + ": the runs are the code, whole");
            for (var expected : sample.getValue().entrySet()) {
                if (expected.getKey().equals("code")) {
                    continue;
                }
                String style = expected.getKey();
                Set<String> styled = runs.stream().filter(r -> r.style().equals(style)).map(r -> r.text().strip())
                        .collect(Collectors.toSet());
                assertTrue(styled.stream().anyMatch(t -> t.contains(expected.getValue())),
                        sample.getKey() + ": " + expected.getValue() + " as " + style + " in " + runs);
            }
        }
    }

    @Test
    void aCommentOverSeveralLinesStaysAComment() {
        List<CodeHighlighter.Run> runs = highlighter.highlight("/* one\ntwo */\nint x;", "java");
        assertTrue(runs.stream().anyMatch(r -> r.style().equals(CodeHighlighter.COMMENT) && r.text().contains("two */")), runs.toString());
    }

    @Test
    void anUnknownLanguageIsPlainText() {
        assertEquals(List.of(new CodeHighlighter.Run("whatever { }", "")), highlighter.highlight("whatever { }", "klingon"));
        assertEquals(List.of(new CodeHighlighter.Run("x", "")), highlighter.highlight("x", ""));
    }
}
