package io.kaiyuan.ui.settings;

import io.kaiyuan.engine.server.ServerConfig;
import java.util.Locale;

/**
 * What the user chose in Settings and where the window was.
 *
 * @param theme light, dark, or following the system
 * @param language English, Simplified Chinese, or following the system's locale
 * @param threads CPU threads for the model; 0 lets ONNX Runtime decide
 * @param window the main window's place and size; null until the window was first closed
 * @param server the local OpenAI-compatible API server: whether it runs while the app does, and its port
 *     (its API key is kept apart, in the key file)
 * @param sidebarCollapsed the sidebar shows its icons only
 */
public record Settings(Theme theme, Language language, int threads, WindowState window, ApiServer server,
        boolean sidebarCollapsed) {
    /** The look. */
    public enum Theme { SYSTEM, LIGHT, DARK }

    /** The UI's language. */
    public enum Language {
        SYSTEM(null), ENGLISH(Locale.ENGLISH), SIMPLIFIED_CHINESE(Locale.SIMPLIFIED_CHINESE);

        private final Locale locale;

        Language(Locale locale) {
            this.locale = locale;
        }

        /** The locale to show: the system's for SYSTEM (Chinese when it is any Chinese locale, else English). */
        public Locale locale(Locale system) {
            if (locale != null) {
                return locale;
            }
            return system.getLanguage().equals("zh") ? Locale.SIMPLIFIED_CHINESE : Locale.ENGLISH;
        }
    }

    /** The local API server's switch and port. */
    public record ApiServer(boolean enabled, int port) {
        public static final ApiServer OFF = new ApiServer(false, ServerConfig.DEFAULT_PORT);

        public ApiServer {
            port = port < 1 || port > 65535 ? ServerConfig.DEFAULT_PORT : port;
        }
    }

    /** The window's last bounds. */
    public record WindowState(double x, double y, double width, double height, boolean maximized) {}

    public static final Settings DEFAULTS = new Settings(Theme.SYSTEM, Language.SYSTEM, 0, null, ApiServer.OFF, false);

    public Settings {
        theme = theme == null ? Theme.SYSTEM : theme;
        language = language == null ? Language.SYSTEM : language;
        threads = Math.max(0, threads);
        server = server == null ? ApiServer.OFF : server;
    }

    /** Settings from before the API server (its switch off). */
    public Settings(Theme theme, Language language, int threads, WindowState window) {
        this(theme, language, threads, window, ApiServer.OFF, false);
    }

    public Settings withTheme(Theme t) {
        return new Settings(t, language, threads, window, server, sidebarCollapsed);
    }

    public Settings withLanguage(Language l) {
        return new Settings(theme, l, threads, window, server, sidebarCollapsed);
    }

    public Settings withThreads(int n) {
        return new Settings(theme, language, n, window, server, sidebarCollapsed);
    }

    public Settings withServer(ApiServer a) {
        return new Settings(theme, language, threads, window, a, sidebarCollapsed);
    }

    public Settings withWindow(WindowState w) {
        return new Settings(theme, language, threads, w, server, sidebarCollapsed);
    }

    public Settings withSidebarCollapsed(boolean collapsed) {
        return new Settings(theme, language, threads, window, server, collapsed);
    }
}
