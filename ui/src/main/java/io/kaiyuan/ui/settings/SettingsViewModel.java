package io.kaiyuan.ui.settings;

import java.util.List;
import java.util.function.Consumer;
import javafx.beans.property.IntegerProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.SimpleIntegerProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

/**
 * The Settings page's state: theme, language and CPU threads, each change handed to {@code onChange}
 * (which saves and applies it), and the execution providers found on this machine. FX thread only.
 */
public final class SettingsViewModel {
    private final ObjectProperty<Settings.Theme> theme = new SimpleObjectProperty<>();
    private final ObjectProperty<Settings.Language> language = new SimpleObjectProperty<>();
    private final IntegerProperty threads = new SimpleIntegerProperty();
    private final ObservableList<String> providers = FXCollections.observableArrayList();
    private Settings current;

    public SettingsViewModel(Settings initial, List<String> providers, Consumer<Settings> onChange) {
        this.current = initial;
        theme.set(initial.theme());
        language.set(initial.language());
        threads.set(initial.threads());
        this.providers.setAll(providers);
        theme.addListener((o, a, b) -> changed(current.withTheme(b), onChange));
        language.addListener((o, a, b) -> changed(current.withLanguage(b), onChange));
        threads.addListener((o, a, b) -> changed(current.withThreads(b.intValue()), onChange));
    }

    private void changed(Settings next, Consumer<Settings> onChange) {
        current = next;
        onChange.accept(next);
    }

    /** The settings as chosen now. */
    public Settings current() {
        return current;
    }

    public ObjectProperty<Settings.Theme> themeProperty() {
        return theme;
    }

    public ObjectProperty<Settings.Language> languageProperty() {
        return language;
    }

    /** CPU threads for the model; 0 for automatic. */
    public IntegerProperty threadsProperty() {
        return threads;
    }

    /** The execution providers of this build and machine, the one in use first. */
    public ObservableList<String> providers() {
        return providers;
    }
}
