package io.kaiyuan.ui.settings;

import atlantafx.base.theme.PrimerDark;
import atlantafx.base.theme.PrimerLight;
import javafx.application.Application;

/** Applies the AtlantaFX theme (Primer light or dark) to the whole application. FX thread only. */
public final class Appearance {
    private Appearance() {}

    /** Whether {@code theme} means dark here, {@code systemDark} being the operating system's choice. */
    public static boolean dark(Settings.Theme theme, boolean systemDark) {
        return theme == Settings.Theme.DARK || theme == Settings.Theme.SYSTEM && systemDark;
    }

    /** Sets the theme's stylesheet as the application's user-agent stylesheet. */
    public static void apply(boolean dark) {
        Application.setUserAgentStylesheet(dark ? new PrimerDark().getUserAgentStylesheet()
                : new PrimerLight().getUserAgentStylesheet());
    }
}
