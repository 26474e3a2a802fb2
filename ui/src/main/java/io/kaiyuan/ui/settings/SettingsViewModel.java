package io.kaiyuan.ui.settings;

import java.util.List;
import java.util.ResourceBundle;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.beans.property.IntegerProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.SimpleIntegerProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

/**
 * The Settings page's state: theme, language and CPU threads, each change handed to {@code onChange}
 * (which saves and applies it), the execution providers found on this machine, and the local API server's
 * switch, port and key. FX thread only.
 */
public final class SettingsViewModel {
    private final ObjectProperty<Settings.Theme> theme = new SimpleObjectProperty<>();
    private final ObjectProperty<Settings.Language> language = new SimpleObjectProperty<>();
    private final IntegerProperty threads = new SimpleIntegerProperty();
    private final ObservableList<String> providers = FXCollections.observableArrayList();
    private final BooleanProperty serverOn = new SimpleBooleanProperty();
    private final StringProperty serverPort = new SimpleStringProperty();
    private final StringProperty serverKey = new SimpleStringProperty("");
    private final StringProperty serverStatus = new SimpleStringProperty("");
    private final BooleanProperty serverBusy = new SimpleBooleanProperty();
    private final ApiServerControl server;
    private final Executor fx;
    private final Executor io;
    private volatile ResourceBundle messages;
    private Consumer<Settings> onChange;
    private Settings current;

    public SettingsViewModel(Settings initial, List<String> providers, Consumer<Settings> onChange) {
        this(initial, providers, onChange, null, Runnable::run, Runnable::run, null);
    }

    /**
     * @param server starts and stops the local API server; null for a page without its switch
     * @param fx runs on the FX thread; {@code io} off it (the server starts and the key file is read there)
     */
    public SettingsViewModel(Settings initial, List<String> providers, Consumer<Settings> onChange, ApiServerControl server,
            Executor fx, Executor io, ResourceBundle messages) {
        this.server = server;
        this.fx = fx;
        this.io = io;
        this.messages = messages;
        this.onChange = onChange;
        serverOn.set(initial.server().enabled());
        serverPort.set(String.valueOf(initial.server().port()));
        this.current = initial;
        theme.set(initial.theme());
        language.set(initial.language());
        threads.set(initial.threads());
        this.providers.setAll(providers);
        theme.addListener((o, a, b) -> changed(current.withTheme(b), onChange));
        language.addListener((o, a, b) -> changed(current.withLanguage(b), onChange));
        threads.addListener((o, a, b) -> changed(current.withThreads(b.intValue()), onChange));
    }

    /** The strings for texts made from now on (after a language switch). */
    public void setMessages(ResourceBundle messages) {
        this.messages = messages;
    }

    /** Whether the page has the API server switch. */
    public boolean hasServer() {
        return server != null;
    }

    /** Reads the stored key and shows the server's state; starts it when the settings say it was on (FX thread). */
    public void loadServer() {
        if (server == null) {
            return;
        }
        io.execute(() -> {
            try {
                String key = server.apiKey();
                fx.execute(() -> {
                    serverKey.set(key);
                    if (serverOn.get()) {
                        applyServer();
                    } else {
                        serverStatus.set(messages.getString("settings.server.off"));
                    }
                });
            } catch (Exception e) {
                fx.execute(() -> serverStatus.set(e.getMessage()));
            }
        });
    }

    /**
     * Starts the server with the port and key on the page when the switch is on, stops it when off, and
     * saves the switch and port (FX thread; the server starts on {@code io}).
     */
    public void applyServer() {
        if (server == null) {
            return;
        }
        int port;
        try {
            port = Integer.parseInt(serverPort.get().strip());
            if (port < 1 || port > 65535) {
                throw new NumberFormatException();
            }
        } catch (NumberFormatException | NullPointerException e) {
            serverStatus.set(messages.getString("settings.server.badPort"));
            serverOn.set(false);
            return;
        }
        boolean on = serverOn.get();
        String key = serverKey.get() == null ? "" : serverKey.get().strip();
        changed(current.withServer(new Settings.ApiServer(on, port)), onChange);
        serverBusy.set(true);
        io.execute(() -> {
            try {
                java.util.Optional<String> address = server.apply(on, port, key);
                fx.execute(() -> {
                    serverBusy.set(false);
                    serverStatus.set(address.map(a -> java.text.MessageFormat.format(messages.getString(
                            key.isEmpty() ? "settings.server.running" : "settings.server.runningKey"), a))
                            .orElse(messages.getString("settings.server.off")));
                });
            } catch (Exception e) {
                fx.execute(() -> {
                    serverBusy.set(false);
                    serverOn.set(false);
                    changed(current.withServer(new Settings.ApiServer(false, port)), onChange);
                    serverStatus.set(e.getMessage());
                });
            }
        });
    }

    /** The local API server's switch. */
    public BooleanProperty serverOnProperty() {
        return serverOn;
    }

    /** The port it listens on (text as typed). */
    public StringProperty serverPortProperty() {
        return serverPort;
    }

    /** The API key clients must send; empty for none. */
    public StringProperty serverKeyProperty() {
        return serverKey;
    }

    /** "Serving at ...", "Off", or what went wrong. */
    public StringProperty serverStatusProperty() {
        return serverStatus;
    }

    /** True while the server starts or stops. */
    public BooleanProperty serverBusyProperty() {
        return serverBusy;
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
