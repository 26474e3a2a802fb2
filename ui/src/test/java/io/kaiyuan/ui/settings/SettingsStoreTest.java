package io.kaiyuan.ui.settings;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SettingsStoreTest {
    @TempDir
    Path dir;

    @Test
    void settingsRoundTripAndABrokenFileGivesTheDefaults() throws Exception {
        SettingsStore store = new SettingsStore(dir.resolve("home/settings.json"));
        assertEquals(Settings.DEFAULTS, store.load(), "no file yet");
        Settings chosen = Settings.DEFAULTS.withTheme(Settings.Theme.DARK).withLanguage(Settings.Language.SIMPLIFIED_CHINESE)
                .withThreads(4).withWindow(new Settings.WindowState(10, 20, 1200, 800, true));
        store.save(chosen);
        assertEquals(chosen, store.load());
        assertFalse(Files.exists(dir.resolve("home/settings.json.tmp")), "the temporary file was moved into place");

        Files.writeString(dir.resolve("home/settings.json"), "{\"theme\": \"DARK\", \"threads\": ");
        assertEquals(Settings.DEFAULTS, store.load(), "a truncated file is not fatal");
        Files.writeString(dir.resolve("home/settings.json"), "{\"theme\": \"DARK\", \"future\": 1}");
        assertEquals(Settings.Theme.DARK, store.load().theme(), "fields from a newer version are ignored");
    }

    @Test
    void languagesFollowTheSystemOrTheChoice() {
        assertEquals(Locale.SIMPLIFIED_CHINESE, Settings.Language.SYSTEM.locale(Locale.TRADITIONAL_CHINESE));
        assertEquals(Locale.ENGLISH, Settings.Language.SYSTEM.locale(Locale.GERMANY));
        assertEquals(Locale.ENGLISH, Settings.Language.ENGLISH.locale(Locale.CHINA));
        assertTrue(Appearance.dark(Settings.Theme.SYSTEM, true));
        assertFalse(Appearance.dark(Settings.Theme.LIGHT, true));
        assertTrue(Appearance.dark(Settings.Theme.DARK, false));
    }

    @Test
    void theSystemsDarkModeIsReadPerOperatingSystem() {
        assertTrue(SystemTheme.isDark("Windows 11", cmd -> cmd.get(0).equals("reg")
                ? "\r\nHKEY_CURRENT_USER\\...\\Personalize\r\n    AppsUseLightTheme    REG_DWORD    0x0\r\n" : null));
        assertFalse(SystemTheme.isDark("Windows 11", cmd -> "    AppsUseLightTheme    REG_DWORD    0x1\r\n"));
        assertTrue(SystemTheme.isDark("Mac OS X", cmd -> cmd.equals(List.of("defaults", "read", "-g", "AppleInterfaceStyle")) ? "Dark\n" : null));
        assertFalse(SystemTheme.isDark("Mac OS X", cmd -> null), "no AppleInterfaceStyle: light");
        assertTrue(SystemTheme.isDark("Linux", cmd -> cmd.contains("color-scheme") ? "'prefer-dark'\n" : null));
        assertTrue(SystemTheme.isDark("Linux", cmd -> cmd.contains("gtk-theme") ? "'Adwaita-dark'\n" : "'default'\n"));
        assertFalse(SystemTheme.isDark("Linux", cmd -> null), "no gsettings: light");
    }
}
