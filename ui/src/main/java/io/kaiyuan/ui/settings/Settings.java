package io.kaiyuan.ui.settings;

import java.util.Locale;

/**
 * What the user chose in Settings and where the window was.
 *
 * @param theme light, dark, or following the system
 * @param language English, Simplified Chinese, or following the system's locale
 * @param threads CPU threads for the model; 0 lets ONNX Runtime decide
 * @param window the main window's place and size; null until the window was first closed
 */
public record Settings(Theme theme, Language language, int threads, WindowState window) {
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

    /** The window's last bounds. */
    public record WindowState(double x, double y, double width, double height, boolean maximized) {}

    public static final Settings DEFAULTS = new Settings(Theme.SYSTEM, Language.SYSTEM, 0, null);

    public Settings {
        theme = theme == null ? Theme.SYSTEM : theme;
        language = language == null ? Language.SYSTEM : language;
        threads = Math.max(0, threads);
    }

    public Settings withTheme(Theme t) {
        return new Settings(t, language, threads, window);
    }

    public Settings withLanguage(Language l) {
        return new Settings(theme, l, threads, window);
    }

    public Settings withThreads(int n) {
        return new Settings(theme, language, n, window);
    }

    public Settings withWindow(WindowState w) {
        return new Settings(theme, language, threads, w);
    }
}
