package io.kaiyuan.ui.settings;

import io.kaiyuan.engine.remote.Endpoint;
import io.kaiyuan.engine.remote.RemoteEndpoints;
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
    private final BooleanProperty sidebarCollapsed = new SimpleBooleanProperty();
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
    private final ObservableList<RemoteEndpoints.Entry> endpoints = FXCollections.observableArrayList();
    private final StringProperty endpointName = new SimpleStringProperty("");
    private final StringProperty endpointUrl = new SimpleStringProperty("");
    private final StringProperty endpointKey = new SimpleStringProperty("");
    private final StringProperty endpointStatus = new SimpleStringProperty("");
    private final BooleanProperty endpointBusy = new SimpleBooleanProperty();
    private RemoteEndpoints remotes;
    private Runnable onModelsChanged = () -> { };

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
        sidebarCollapsed.set(initial.sidebarCollapsed());
        sidebarCollapsed.addListener((o, a, b) -> changed(current.withSidebarCollapsed(b), onChange));
    }

    /** Whether the sidebar shows its icons only; kept with the settings. */
    public BooleanProperty sidebarCollapsedProperty() {
        return sidebarCollapsed;
    }

    /**
     * Shows and edits the remote endpoints; {@code onModelsChanged} runs (FX thread) when their models
     * change, so the model pickers can show them.
     */
    public void setRemotes(RemoteEndpoints remotes, Runnable onModelsChanged) {
        this.remotes = remotes;
        this.onModelsChanged = onModelsChanged;
        if (remotes != null) {
            endpoints.setAll(remotes.list());
        }
    }

    /** Whether the page has the remote endpoints section. */
    public boolean hasRemotes() {
        return remotes != null;
    }

    /**
     * Adds the endpoint typed on the page after asking it for its models (on {@code io}); says how many it
     * has, or what went wrong, and keeps nothing then (FX thread).
     */
    public void addEndpoint() {
        if (remotes == null || endpointBusy.get()) {
            return;
        }
        Endpoint endpoint;
        try {
            endpoint = new Endpoint(endpointName.get(), endpointUrl.get());
        } catch (IllegalArgumentException e) {
            endpointStatus.set(e.getMessage());
            return;
        }
        String key = endpointKey.get() == null ? "" : endpointKey.get().strip();
        endpointBusy.set(true);
        endpointStatus.set(java.text.MessageFormat.format(messages.getString("settings.remote.asking"), endpoint.baseUrl()));
        io.execute(() -> {
            try {
                List<String> models = remotes.add(endpoint, key);
                fx.execute(() -> {
                    endpointBusy.set(false);
                    endpoints.setAll(remotes.list());
                    endpointName.set("");
                    endpointUrl.set("");
                    endpointKey.set("");
                    endpointStatus.set(java.text.MessageFormat.format(messages.getString("settings.remote.added"),
                            endpoint.name(), models.size()));
                    onModelsChanged.run();
                });
            } catch (Exception e) {
                fx.execute(() -> {
                    endpointBusy.set(false);
                    endpointStatus.set(e.getMessage());
                });
            }
        });
    }

    /** Asks an endpoint for its models again (FX thread; asks on {@code io}). */
    public void refreshEndpoint(String name) {
        endpointWork(name, () -> remotes.refresh(name).size(), "settings.remote.refreshed");
    }

    /** Forgets an endpoint and its key (FX thread; writes on {@code io}). */
    public void removeEndpoint(String name) {
        endpointWork(name, () -> {
            remotes.remove(name);
            return 0;
        }, "settings.remote.removed");
    }

    private void endpointWork(String name, java.util.concurrent.Callable<Integer> work, String done) {
        if (remotes == null || endpointBusy.get()) {
            return;
        }
        endpointBusy.set(true);
        io.execute(() -> {
            try {
                int models = work.call();
                fx.execute(() -> {
                    endpointBusy.set(false);
                    endpoints.setAll(remotes.list());
                    endpointStatus.set(java.text.MessageFormat.format(messages.getString(done), name, models));
                    onModelsChanged.run();
                });
            } catch (Exception e) {
                fx.execute(() -> {
                    endpointBusy.set(false);
                    endpointStatus.set(e.getMessage());
                });
            }
        });
    }

    /** The remote endpoints and the models each listed. */
    public ObservableList<RemoteEndpoints.Entry> endpoints() {
        return endpoints;
    }

    public StringProperty endpointNameProperty() {
        return endpointName;
    }

    public StringProperty endpointUrlProperty() {
        return endpointUrl;
    }

    public StringProperty endpointKeyProperty() {
        return endpointKey;
    }

    /** What the last endpoint action did, or what went wrong. */
    public StringProperty endpointStatusProperty() {
        return endpointStatus;
    }

    /** True while an endpoint is asked or saved. */
    public BooleanProperty endpointBusyProperty() {
        return endpointBusy;
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
