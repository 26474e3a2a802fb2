package io.kaiyuan.app.paths;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/**
 * Kaiyuan's data folder: the kaiyuan.home system property or KAIYUAN_HOME when set, else the per-OS application data folder
 * (%APPDATA%\Kaiyuan on Windows, ~/Library/Application Support/Kaiyuan on macOS, $XDG_DATA_HOME/kaiyuan
 * or ~/.local/share/kaiyuan elsewhere).
 */
public record AppPaths(Path home) {

    public static AppPaths fromEnvironment() {
        String property = System.getProperty("kaiyuan.home");
        if (property != null && !property.isBlank()) {
            return new AppPaths(Path.of(property));
        }
        return from(System.getenv(), System.getProperty("os.name", ""), Path.of(System.getProperty("user.home")));
    }

    static AppPaths from(Map<String, String> env, String osName, Path userHome) {
        String override = env.get("KAIYUAN_HOME");
        if (override != null && !override.isBlank()) {
            return new AppPaths(Path.of(override));
        }
        String os = osName.toLowerCase(Locale.ROOT);
        if (os.contains("win")) {
            String appData = env.get("APPDATA");
            return new AppPaths(appData != null ? Path.of(appData, "Kaiyuan") : userHome.resolve("AppData/Roaming/Kaiyuan"));
        }
        if (os.contains("mac")) {
            return new AppPaths(userHome.resolve("Library/Application Support/Kaiyuan"));
        }
        String xdg = env.get("XDG_DATA_HOME");
        return new AppPaths(xdg != null && !xdg.isBlank() ? Path.of(xdg, "kaiyuan") : userHome.resolve(".local/share/kaiyuan"));
    }

    /** Where installed models live, one folder each. */
    public Path models() {
        return home.resolve("models");
    }

    /** The chat history (SQLite). */
    public Path chatDatabase() {
        return home.resolve("chats.db");
    }

    /** The votes of blind comparisons (SQLite), beside the chat history. */
    public Path votesDatabase() {
        return home.resolve("votes.db");
    }

    /** The desktop app's settings (JSON). */
    public Path settings() {
        return home.resolve("settings.json");
    }

    /** Downloads started and not finished, continued at the next start (JSON). */
    public Path downloadJournal() {
        return home.resolve("downloads.json");
    }

    /** API keys: the local server's and remote endpoints' (JSON, readable by its owner only). */
    public Path keys() {
        return home.resolve("keys.json");
    }

    /** The MCP servers whose tools the chat may use. */
    public Path mcp() {
        return home.resolve("mcp.json");
    }

    /** The remote OpenAI-compatible endpoints added in Settings, with their model lists (JSON; keys are in {@link #keys()}). */
    public Path endpoints() {
        return home.resolve("endpoints.json");
    }
}
