package io.kaiyuan.ui.settings;

import io.kaiyuan.engine.remote.Endpoint;
import io.kaiyuan.engine.remote.RemoteEndpoints;
import io.kaiyuan.engine.server.ServerConfig;
import io.kaiyuan.ui.common.Background;
import io.kaiyuan.ui.common.Errors;
import java.text.MessageFormat;
import java.util.List;
import java.util.ResourceBundle;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.IntegerProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.SimpleIntegerProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
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
    /** Files, the key file and remote endpoints off the FX thread, their outcome back on it. */
    private final Background background;
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
    private final StringProperty huggingFaceToken = new SimpleStringProperty("");
    private final StringProperty modelScopeToken = new SimpleStringProperty("");
    private final StringProperty proxy = new SimpleStringProperty("");
    private final StringProperty hubStatus = new SimpleStringProperty("");
    private final BooleanProperty hubBusy = new SimpleBooleanProperty();
    private HubAccess hubAccess;
    private final StringProperty exampleModel = new SimpleStringProperty("");

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
        this.background = new Background(io, fx);
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

    // ---------------------------------------------------------------- MCP servers

    private McpControl mcp;
    private final ObservableList<io.kaiyuan.engine.mcp.McpServers.Server> mcpServers = FXCollections.observableArrayList();
    private final StringProperty mcpName = new SimpleStringProperty("");
    private final StringProperty mcpTarget = new SimpleStringProperty("");
    private final BooleanProperty mcpAsk = new SimpleBooleanProperty(true);
    private final StringProperty mcpStatus = new SimpleStringProperty("");
    private final BooleanProperty mcpBusy = new SimpleBooleanProperty(false);

    /** Shows and edits the MCP servers whose tools the chat offers; null for no such section. */
    public void setMcp(McpControl control) {
        this.mcp = control;
        if (control != null) {
            background.task(control::list).onSuccess(mcpServers::setAll)
                    .onFailure(e -> mcpStatus.set(Errors.describe(e, messages))).start();
        }
    }

    public boolean hasMcp() {
        return mcp != null;
    }

    /**
     * Adds the server typed in (a command line to start, or an http(s) URL), checking it first: it is kept
     * only once it started and listed its tools (FX thread).
     */
    public void addMcp() {
        if (mcp == null || mcpBusy.get()) {
            return;
        }
        String target = mcpTarget.get() == null ? "" : mcpTarget.get().strip();
        io.kaiyuan.engine.mcp.McpServers.Server server;
        try {
            boolean url = target.matches("[A-Za-z][A-Za-z0-9+.-]*://.*"); // an address (only http(s) is taken)
            server = new io.kaiyuan.engine.mcp.McpServers.Server(mcpName.get() == null ? "" : mcpName.get(),
                    url ? List.of() : commandLine(target), java.util.Map.of(), url ? target : "", mcpAsk.get());
        } catch (IllegalArgumentException e) {
            mcpStatus.set(MessageFormat.format(messages.getString("settings.mcp.bad"), e.getMessage()));
            return;
        }
        mcpBusy.set(true);
        mcpStatus.set(MessageFormat.format(messages.getString("settings.mcp.checking"), server.name()));
        background.task(() -> {
            List<String> tools = mcp.check(server);
            mcp.put(server);
            return tools;
        }).onSuccess(tools -> {
            mcpServers.setAll(mcp.list());
            mcpName.set("");
            mcpTarget.set("");
            mcpStatus.set(MessageFormat.format(messages.getString("settings.mcp.added"), server.name(), tools.size(),
                    String.join(", ", tools.stream().limit(8).toList()) + (tools.size() > 8 ? ", …" : "")));
        }).onFailure(e -> mcpStatus.set(MessageFormat.format(messages.getString("settings.mcp.failed"), server.name(),
                Errors.detail(e)))).onFinally(() -> mcpBusy.set(false)).start();
    }

    /** Starts or reaches a kept server and says which tools it has (FX thread). */
    public void checkMcp(io.kaiyuan.engine.mcp.McpServers.Server server) {
        if (mcp == null || mcpBusy.get()) {
            return;
        }
        mcpBusy.set(true);
        mcpStatus.set(MessageFormat.format(messages.getString("settings.mcp.checking"), server.name()));
        background.task(() -> mcp.check(server)).onSuccess(tools -> mcpStatus.set(MessageFormat.format(
                messages.getString("settings.mcp.tools"), server.name(), tools.size(),
                String.join(", ", tools.stream().limit(8).toList()) + (tools.size() > 8 ? ", …" : ""))))
                .onFailure(e -> mcpStatus.set(MessageFormat.format(messages.getString("settings.mcp.failed"), server.name(),
                        Errors.detail(e)))).onFinally(() -> mcpBusy.set(false)).start();
    }

    /** Forgets a server (FX thread). */
    public void removeMcp(String name) {
        if (mcp == null || mcpBusy.get()) {
            return;
        }
        mcpBusy.set(true);
        background.run(() -> mcp.remove(name)).onSuccess(done -> {
            mcpServers.setAll(mcp.list());
            mcpStatus.set(MessageFormat.format(messages.getString("settings.mcp.removed"), name));
        }).onFailure(e -> mcpStatus.set(Errors.describe(e, messages))).onFinally(() -> mcpBusy.set(false)).start();
    }

    /** A command line split as a shell would for plain words and quoted ones ("..." or '...'). */
    static List<String> commandLine(String line) {
        List<String> out = new java.util.ArrayList<>();
        StringBuilder word = new StringBuilder();
        char quote = 0;
        boolean inWord = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                } else {
                    word.append(c);
                }
            } else if (c == '"' || c == '\'') {
                quote = c;
                inWord = true;
            } else if (Character.isWhitespace(c)) {
                if (inWord) {
                    out.add(word.toString());
                    word.setLength(0);
                    inWord = false;
                }
            } else {
                word.append(c);
                inWord = true;
            }
        }
        if (quote != 0) {
            throw new IllegalArgumentException("a quote in the command is not closed");
        }
        if (inWord) {
            out.add(word.toString());
        }
        return out;
    }

    public ObservableList<io.kaiyuan.engine.mcp.McpServers.Server> mcpServers() {
        return mcpServers;
    }

    public StringProperty mcpNameProperty() {
        return mcpName;
    }

    /** A command line (stdio) or an http(s) URL. */
    public StringProperty mcpTargetProperty() {
        return mcpTarget;
    }

    public BooleanProperty mcpAskProperty() {
        return mcpAsk;
    }

    public StringProperty mcpStatusProperty() {
        return mcpStatus;
    }

    public BooleanProperty mcpBusyProperty() {
        return mcpBusy;
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
        String name = endpointName.get() == null ? "" : endpointName.get().strip();
        String url = endpointUrl.get() == null ? "" : endpointUrl.get().strip();
        if (name.isEmpty() || name.contains("/") || name.length() > 64) {
            endpointStatus.set(messages.getString("settings.remote.badName"));
            return;
        }
        Endpoint endpoint;
        try {
            endpoint = new Endpoint(name, url);
        } catch (IllegalArgumentException e) {
            endpointStatus.set(java.text.MessageFormat.format(messages.getString("settings.remote.badUrl"), url));
            return;
        }
        String key = endpointKey.get() == null ? "" : endpointKey.get().strip();
        endpointBusy.set(true);
        endpointStatus.set(java.text.MessageFormat.format(messages.getString("settings.remote.asking"), endpoint.baseUrl()));
        background.task(() -> remotes.add(endpoint, key)).onSuccess(models -> {
            endpoints.setAll(remotes.list());
            endpointName.set("");
            endpointUrl.set("");
            endpointKey.set("");
            endpointStatus.set(java.text.MessageFormat.format(messages.getString("settings.remote.added"),
                    endpoint.name(), models.size()));
            onModelsChanged.run();
        }).onFailure(e -> endpointStatus.set(Errors.describe(e, messages))).onFinally(() -> endpointBusy.set(false)).start();
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
        background.task(work::call).onSuccess(models -> {
            endpoints.setAll(remotes.list());
            endpointStatus.set(java.text.MessageFormat.format(messages.getString(done), name, models));
            onModelsChanged.run();
        }).onFailure(e -> endpointStatus.set(Errors.describe(e, messages))).onFinally(() -> endpointBusy.set(false)).start();
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

    /** Shows and edits the download tokens and proxy kept by {@code access}; null for a page without them. */
    public void setHubAccess(HubAccess access) {
        this.hubAccess = access;
    }

    /** Whether the page has the downloads section. */
    public boolean hasHubAccess() {
        return hubAccess != null;
    }

    /** Reads the stored tokens and proxy into the page (FX thread; reads on {@code io}). */
    public void loadHubAccess() {
        if (hubAccess == null) {
            return;
        }
        background.task(hubAccess::load).onSuccess(v -> {
            huggingFaceToken.set(v.huggingFaceToken());
            modelScopeToken.set(v.modelScopeToken());
            proxy.set(v.proxy());
        }).onFailure(e -> hubStatus.set(Errors.describe(e, messages))).start();
    }

    /**
     * Saves the tokens and proxy on the page; downloads started from then on use them. A proxy that is not
     * an address is refused with a message and nothing is saved (FX thread; writes on {@code io}).
     */
    public void saveHubAccess() {
        if (hubAccess == null || hubBusy.get()) {
            return;
        }
        HubAccess.Values v = new HubAccess.Values(huggingFaceToken.get(), modelScopeToken.get(), proxy.get());
        if (!HubAccess.validProxy(v.proxy())) {
            hubStatus.set(messages.getString("settings.downloads.badProxy"));
            return;
        }
        hubBusy.set(true);
        background.run(() -> hubAccess.save(v)).onSuccess(done -> hubStatus.set(messages.getString("settings.downloads.saved")))
                .onFailure(e -> hubStatus.set(Errors.describe(e, messages))).onFinally(() -> hubBusy.set(false)).start();
    }

    /** The Hugging Face access token (for gated models); empty for none. */
    public StringProperty huggingFaceTokenProperty() {
        return huggingFaceToken;
    }

    /** The ModelScope access token; empty for none. */
    public StringProperty modelScopeTokenProperty() {
        return modelScopeToken;
    }

    /** The proxy downloads go through; empty for the environment's or the system's. */
    public StringProperty proxyProperty() {
        return proxy;
    }

    /** "Saved." or what went wrong. */
    public StringProperty hubStatusProperty() {
        return hubStatus;
    }

    /** True while the download settings are saved. */
    public BooleanProperty hubBusyProperty() {
        return hubBusy;
    }

    /** The API's base address for the port on the page: http://127.0.0.1:PORT/v1 (the default port when it is not a port). */
    public String serverAddress() {
        return "http://127.0.0.1:" + port(serverPort.get()) + "/v1";
    }

    private static int port(String text) {
        try {
            int p = Integer.parseInt(text == null ? "" : text.strip());
            return p < 1 || p > 65535 ? ServerConfig.DEFAULT_PORT : p;
        } catch (NumberFormatException e) {
            return ServerConfig.DEFAULT_PORT;
        }
    }

    /** The model the examples ask for: an installed model's id, or a placeholder before one is installed. */
    public StringProperty exampleModelProperty() {
        return exampleModel;
    }

    /** The placeholder for the API key in the examples when the server has one (never the key itself). */
    public static final String KEY_PLACEHOLDER = "YOUR_API_KEY";

    /** A {@code curl} request for a chat completion from the server as set on the page. */
    public String curlExample() {
        String model = exampleModelId();
        StringBuilder sb = new StringBuilder("curl " + serverAddress() + "/chat/completions \\\n");
        sb.append("  -H \"Content-Type: application/json\" \\\n");
        if (hasKey()) {
            sb.append("  -H \"Authorization: Bearer " + KEY_PLACEHOLDER + "\" \\\n");
        }
        sb.append("  -d '{\"model\": \"" + model + "\", \"messages\": [{\"role\": \"user\", \"content\": \"Hello\"}]}'");
        return sb.toString();
    }

    /** The same request with the {@code openai} Python package. */
    public String pythonExample() {
        String model = exampleModelId();
        return "from openai import OpenAI\n\n"
                + "client = OpenAI(\n"
                + "    base_url=\"" + serverAddress() + "\",\n"
                + "    api_key=\"" + (hasKey() ? KEY_PLACEHOLDER : "none") + "\",\n"
                + ")\n"
                + "reply = client.chat.completions.create(\n"
                + "    model=\"" + model + "\",\n"
                + "    messages=[{\"role\": \"user\", \"content\": \"Hello\"}],\n"
                + ")\n"
                + "print(reply.choices[0].message.content)";
    }

    /** The model in the examples: one installed whose id needs no quoting in shell or Python, else MODEL_ID. */
    private String exampleModelId() {
        String id = exampleModel.get();
        return id != null && id.matches("[A-Za-z0-9._/-]{1,128}") ? id : "MODEL_ID";
    }

    private boolean hasKey() {
        return serverKey.get() != null && !serverKey.get().isBlank();
    }

    /**
     * The strings for texts made from now on (after a language switch): the server's state is said again in
     * them; what the last action said (saved, added, an error) goes, as it was said in the other language.
     */
    public void setMessages(ResourceBundle messages) {
        this.messages = messages;
        if (serverShown != null) {
            showServer(serverShown.address(), serverShown.keyed());
        } else {
            serverStatus.set("");
        }
        hubStatus.set("");
        endpointStatus.set("");
    }

    /** What the server's status line says when it is not an error: where it serves, or Off. */
    private record ServerShown(java.util.Optional<String> address, boolean keyed) { }

    private ServerShown serverShown;

    private void showServer(java.util.Optional<String> address, boolean keyed) {
        serverShown = new ServerShown(address, keyed);
        serverStatus.set(address.map(a -> java.text.MessageFormat.format(messages.getString(
                keyed ? "settings.server.runningKey" : "settings.server.running"), a))
                .orElse(messages.getString("settings.server.off")));
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
        record Stored(String key, List<String> models) {}
        background.task(() -> new Stored(server.apiKey(), server.models())).onSuccess(stored -> {
            serverKey.set(stored.key());
            exampleModel.set(stored.models().isEmpty() ? "" : stored.models().get(0));
            if (serverOn.get()) {
                applyServer();
            } else {
                showServer(java.util.Optional.empty(), false);
            }
        }).onFailure(e -> {
            serverShown = null;
            serverStatus.set(Errors.describe(e, messages));
        }).start();
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
            serverShown = null;
            serverStatus.set(messages.getString("settings.server.badPort"));
            serverOn.set(false);
            return;
        }
        boolean on = serverOn.get();
        String key = serverKey.get() == null ? "" : serverKey.get().strip();
        changed(current.withServer(new Settings.ApiServer(on, port)), onChange);
        serverBusy.set(true);
        background.task(() -> server.apply(on, port, key)).onSuccess(address -> {
            serverBusy.set(false);
            showServer(address, !key.isEmpty());
        }).onFailure(e -> {
            serverBusy.set(false);
            serverOn.set(false);
            changed(current.withServer(new Settings.ApiServer(false, port)), onChange);
            serverShown = null;
            serverStatus.set(e instanceof java.net.BindException
                    ? java.text.MessageFormat.format(messages.getString("settings.server.portInUse"), String.valueOf(port))
                    : Errors.describe(e, messages));
        }).start();
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
