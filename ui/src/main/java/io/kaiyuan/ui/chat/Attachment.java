package io.kaiyuan.ui.chat;

import java.util.Locale;
import java.util.Map;

/**
 * A text or code file attached to the next message: it goes into the message as a fenced block named
 * after the file.
 *
 * @param name the file's name, without its folder
 * @param language the fence's language (python, java, ...; "text" when unknown)
 * @param tokens the model's token count for the block; -1 when it cannot be told here
 */
public record Attachment(String name, String text, String language, int tokens) {
    private static final Map<String, String> LANGUAGES = Map.ofEntries(
            Map.entry("py", "python"), Map.entry("java", "java"), Map.entry("js", "javascript"), Map.entry("mjs", "javascript"),
            Map.entry("jsx", "javascript"), Map.entry("ts", "typescript"), Map.entry("tsx", "typescript"), Map.entry("c", "c"),
            Map.entry("h", "c"), Map.entry("cpp", "cpp"), Map.entry("cc", "cpp"), Map.entry("cxx", "cpp"), Map.entry("hpp", "cpp"),
            Map.entry("go", "go"), Map.entry("rs", "rust"), Map.entry("sql", "sql"), Map.entry("sh", "bash"),
            Map.entry("bash", "bash"), Map.entry("zsh", "bash"), Map.entry("json", "json"), Map.entry("yaml", "yaml"),
            Map.entry("yml", "yaml"), Map.entry("html", "html"), Map.entry("htm", "html"), Map.entry("xml", "xml"),
            Map.entry("md", "markdown"), Map.entry("kt", "kotlin"), Map.entry("cs", "csharp"), Map.entry("rb", "ruby"),
            Map.entry("php", "php"), Map.entry("lua", "lua"), Map.entry("css", "css"), Map.entry("toml", "toml"),
            Map.entry("ini", "ini"), Map.entry("csv", "csv"), Map.entry("jinja", "jinja"), Map.entry("txt", "text"));

    /** The fence language for a file name, from its extension. */
    static String languageOf(String fileName) {
        int dot = fileName.lastIndexOf('.');
        String ext = dot < 0 ? "" : fileName.substring(dot + 1).toLowerCase(Locale.ROOT);
        return LANGUAGES.getOrDefault(ext, "text");
    }

    /** The block as it goes into the message: a fence longer than any backtick run in the file. */
    String block() {
        int longest = 0;
        int run = 0;
        for (int i = 0; i < text.length(); i++) {
            run = text.charAt(i) == '`' ? run + 1 : 0;
            longest = Math.max(longest, run);
        }
        String fence = "`".repeat(Math.max(3, longest + 1));
        String body = text.endsWith("\n") ? text : text + "\n";
        return fence + language + " " + name + "\n" + body + fence;
    }
}
