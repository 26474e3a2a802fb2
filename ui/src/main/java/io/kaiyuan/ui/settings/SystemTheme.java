package io.kaiyuan.ui.settings;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Whether the operating system is set to dark mode: the Windows registry's AppsUseLightTheme, macOS's
 * AppleInterfaceStyle, GNOME's color-scheme (or a GTK theme named dark). Runs a short command: call off
 * the FX thread. Unknown means light.
 */
public final class SystemTheme {
    private SystemTheme() {}

    public static boolean isDark() {
        return isDark(System.getProperty("os.name", ""), SystemTheme::run);
    }

    /** For tests: {@code command} runs a command and returns its output, or null when it fails. */
    static boolean isDark(String osName, Function<List<String>, String> command) {
        String os = osName.toLowerCase(Locale.ROOT);
        if (os.contains("win")) {
            String out = command.apply(List.of("reg", "query", "HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\Themes\\Personalize",
                    "/v", "AppsUseLightTheme"));
            return out != null && out.matches("(?s).*AppsUseLightTheme\\s+REG_DWORD\\s+0x0+\\b.*");
        }
        if (os.contains("mac")) {
            String out = command.apply(List.of("defaults", "read", "-g", "AppleInterfaceStyle"));
            return out != null && out.strip().equalsIgnoreCase("dark");
        }
        String scheme = command.apply(List.of("gsettings", "get", "org.gnome.desktop.interface", "color-scheme"));
        if (scheme != null && scheme.contains("prefer-dark")) {
            return true;
        }
        String gtk = command.apply(List.of("gsettings", "get", "org.gnome.desktop.interface", "gtk-theme"));
        return gtk != null && gtk.toLowerCase(Locale.ROOT).contains("dark");
    }

    private static String run(List<String> command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            if (!p.waitFor(3, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return null;
            }
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            return p.exitValue() == 0 ? out : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }
}
