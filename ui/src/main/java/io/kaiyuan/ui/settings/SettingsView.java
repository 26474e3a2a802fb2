package io.kaiyuan.ui.settings;

import io.kaiyuan.engine.remote.RemoteEndpoints;
import java.text.MessageFormat;
import java.util.ResourceBundle;
import java.util.function.Supplier;
import javafx.animation.PauseTransition;
import javafx.beans.binding.Bindings;
import javafx.geometry.HPos;
import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.geometry.VPos;
import javafx.scene.Node;
import javafx.scene.Parent;
import javafx.scene.control.Button;
import javafx.scene.control.CheckBox;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.ListCell;
import javafx.scene.control.ListView;
import javafx.scene.control.PasswordField;
import javafx.scene.control.ScrollPane;
import javafx.scene.control.Separator;
import javafx.scene.control.Spinner;
import javafx.scene.control.SpinnerValueFactory;
import javafx.scene.control.TextField;
import javafx.scene.input.Clipboard;
import javafx.scene.input.ClipboardContent;
import javafx.scene.layout.ColumnConstraints;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;
import javafx.util.Duration;
import javafx.util.StringConverter;
import org.kordamp.ikonli.feather.Feather;
import org.kordamp.ikonli.javafx.FontIcon;

/**
 * The Settings page as one form (one column of labels, one of fields): appearance, performance, downloads
 * (tokens and proxy), the local API server with its address and examples to copy, and remote endpoints.
 * FX thread only.
 */
public final class SettingsView {
    /** The widest a field grows: a form line longer than this is harder to read, not easier. */
    private static final double FIELD_MAX_WIDTH = 560;

    private final VBox root = new VBox(12);
    private final GridPane form = new GridPane();
    private final SettingsViewModel model;
    private final ResourceBundle messages;
    private int row;

    public SettingsView(SettingsViewModel model, ResourceBundle messages) {
        this.model = model;
        this.messages = messages;
        root.setPadding(new Insets(16));
        root.getStyleClass().add("settings-page");
        Label title = new Label(messages.getString("settings.title"));
        title.setStyle("-fx-font-size: 20px;");
        form.setId("settings-form");
        form.setHgap(16);
        form.setVgap(10);
        ColumnConstraints labels = new ColumnConstraints();
        labels.setMinWidth(Region.USE_PREF_SIZE);
        labels.setHalignment(HPos.LEFT);
        ColumnConstraints fields = new ColumnConstraints();
        fields.setHgrow(Priority.ALWAYS);
        fields.setFillWidth(true);
        fields.setMinWidth(0);
        form.getColumnConstraints().setAll(labels, fields);
        appearance();
        performance();
        if (model.hasHubAccess()) {
            downloads();
        }
        if (model.hasServer()) {
            server();
        }
        if (model.hasRemotes()) {
            remotes();
        }
        if (model.hasMcp()) {
            mcp();
        }
        root.getChildren().addAll(title, form);
    }

    private void appearance() {
        heading("settings.section.appearance", null);
        ComboBox<Settings.Theme> theme = new ComboBox<>();
        theme.setId("settings-theme");
        theme.getItems().setAll(Settings.Theme.values());
        theme.setCellFactory(v -> cell("settings.theme."));
        theme.setButtonCell(cell("settings.theme."));
        theme.valueProperty().bindBidirectional(model.themeProperty());
        theme.setPrefWidth(260);
        field("settings.theme", theme);

        ComboBox<Settings.Language> language = new ComboBox<>();
        language.setId("settings-language");
        language.getItems().setAll(Settings.Language.values());
        language.setCellFactory(v -> cell("settings.language."));
        language.setButtonCell(cell("settings.language."));
        language.setValue(model.languageProperty().get());
        language.setPrefWidth(260);
        // Chosen by the user only: the page is rebuilt in the new language right after.
        language.setOnAction(e -> model.languageProperty().set(language.getValue()));
        field("settings.language", language);
    }

    private void performance() {
        heading("settings.section.performance", null);
        Spinner<Integer> threads = new Spinner<>();
        threads.setId("settings-threads");
        SpinnerValueFactory.IntegerSpinnerValueFactory values = new SpinnerValueFactory.IntegerSpinnerValueFactory(0,
                Math.max(1, Runtime.getRuntime().availableProcessors()), model.threadsProperty().get());
        String automatic = messages.getString("settings.threads.auto");
        values.setConverter(new StringConverter<>() {
            @Override
            public String toString(Integer n) {
                return n == null || n == 0 ? automatic : String.valueOf(n);
            }

            @Override
            public Integer fromString(String text) {
                String t = text == null ? "" : text.strip();
                if (t.isEmpty() || t.equalsIgnoreCase(automatic)) {
                    return 0;
                }
                try {
                    return Math.max(0, Math.min(values.getMax(), Integer.parseInt(t)));
                } catch (NumberFormatException e) {
                    return values.getValue(); // not a number: keeps what was there
                }
            }
        });
        threads.setValueFactory(values);
        threads.setEditable(true);
        threads.setPrefWidth(160);
        threads.valueProperty().addListener((o, a, b) -> model.threadsProperty().set(b));
        // A typed value counts when the field loses focus, as when Enter is pressed.
        threads.focusedProperty().addListener((o, a, focused) -> {
            if (!focused) {
                threads.getEditor().commitValue();
                threads.getEditor().setText(values.getConverter().toString(values.getValue()));
            }
        });
        field("settings.threads", threads);
        hint("settings.threads.hint");
        Label providers = new Label(String.join(", ", model.providers()));
        providers.setId("settings-providers");
        providers.setWrapText(true);
        field("settings.providers", providers);
    }

    private void downloads() {
        heading("settings.section.downloads", "settings.downloads.hint");
        PasswordField hf = new PasswordField();
        hf.setId("settings-hf-token");
        hf.setPromptText(messages.getString("settings.downloads.hfToken.prompt"));
        hf.textProperty().bindBidirectional(model.huggingFaceTokenProperty());
        field("settings.downloads.hfToken", hf);
        PasswordField ms = new PasswordField();
        ms.setId("settings-ms-token");
        ms.setPromptText(messages.getString("settings.downloads.msToken.prompt"));
        ms.textProperty().bindBidirectional(model.modelScopeTokenProperty());
        field("settings.downloads.msToken", ms);
        TextField proxy = new TextField();
        proxy.setId("settings-proxy");
        proxy.setPromptText(messages.getString("settings.downloads.proxy.prompt"));
        proxy.textProperty().bindBidirectional(model.proxyProperty());
        field("settings.downloads.proxy", proxy);
        Button save = new Button(messages.getString("settings.downloads.save"));
        save.setId("settings-downloads-save");
        save.disableProperty().bind(model.hubBusyProperty());
        save.setOnAction(e -> model.saveHubAccess());
        save.setMinWidth(Region.USE_PREF_SIZE);
        Label status = status("settings-downloads-status", model.hubStatusProperty());
        HBox line = new HBox(12, save, status);
        line.setAlignment(Pos.CENTER_LEFT);
        form.add(line, 1, row++);
    }

    /** The local API server: a switch, its port and key, what it is doing, its address and examples to copy. */
    private void server() {
        heading("settings.server", "settings.server.hint");
        CheckBox on = new CheckBox(messages.getString("settings.server.on"));
        on.setId("settings-server");
        on.setWrapText(true);
        on.selectedProperty().bindBidirectional(model.serverOnProperty());
        on.setOnAction(e -> model.applyServer());
        on.disableProperty().bind(model.serverBusyProperty());
        form.add(on, 0, row++, 2, 1);
        TextField port = new TextField();
        port.setId("settings-server-port");
        port.setPrefColumnCount(6);
        port.setMaxWidth(Region.USE_PREF_SIZE);
        port.textProperty().bindBidirectional(model.serverPortProperty());
        field("settings.server.port", port);
        PasswordField key = new PasswordField();
        key.setId("settings-server-key");
        key.setPromptText(messages.getString("settings.server.key.none"));
        key.textProperty().bindBidirectional(model.serverKeyProperty());
        field("settings.server.key", key);
        port.disableProperty().bind(model.serverOnProperty().or(model.serverBusyProperty()));
        key.disableProperty().bind(port.disableProperty());
        field("settings.server.status", status("settings-server-status", model.serverStatusProperty()));

        TextField address = new TextField();
        address.setId("settings-server-address");
        address.setEditable(false);
        address.getStyleClass().add("code-field");
        address.textProperty().bind(Bindings.createStringBinding(model::serverAddress, model.serverPortProperty()));
        HBox addressLine = new HBox(8, address, copy("settings-copy-address", address::getText));
        HBox.setHgrow(address, Priority.ALWAYS);
        addressLine.setAlignment(Pos.CENTER_LEFT);
        addressLine.setMaxWidth(FIELD_MAX_WIDTH);
        field("settings.server.address", addressLine);
        example("settings.server.curl", "settings-example-curl", model::curlExample);
        example("settings.server.python", "settings-example-python", model::pythonExample);
    }

    /** A labelled example to copy, kept up to date with the port, the key and the installed models. */
    private void example(String labelKey, String id, Supplier<String> text) {
        // A wrapped label rather than a text area: the whole example shows at any width, without a scroll bar.
        Label area = new Label();
        area.setId(id);
        area.getStyleClass().add("code-example");
        area.setWrapText(true);
        area.setMinHeight(Region.USE_PREF_SIZE);
        area.setMaxWidth(FIELD_MAX_WIDTH);
        area.textProperty().bind(Bindings.createStringBinding(text::get, model.serverPortProperty(),
                model.serverKeyProperty(), model.exampleModelProperty()));
        Button copy = copy(id + "-copy", area::getText);
        VBox box = new VBox(6, area, copy);
        Label label = label(labelKey);
        GridPane.setValignment(label, VPos.TOP);
        form.add(label, 0, row);
        form.add(box, 1, row++);
    }

    /** Remote OpenAI-compatible endpoints: the list with Refresh and Remove, and a form to add one. */
    private void remotes() {
        heading("settings.remote", "settings.remote.hint");
        ListView<RemoteEndpoints.Entry> list = new ListView<>(model.endpoints());
        list.setId("settings-remotes");
        list.setPrefHeight(110);
        list.setPlaceholder(new Label(messages.getString("settings.remote.none")));
        list.setCellFactory(v -> new ListCell<>() {
            @Override
            protected void updateItem(RemoteEndpoints.Entry e, boolean empty) {
                super.updateItem(e, empty);
                if (empty || e == null) {
                    setText(null);
                    setGraphic(null);
                    return;
                }
                Label text = new Label(MessageFormat.format(messages.getString("settings.remote.row"),
                        e.endpoint().name(), e.endpoint().baseUrl(), e.models().size()));
                Button refresh = new Button(messages.getString("settings.remote.refresh"));
                refresh.setOnAction(a -> model.refreshEndpoint(e.endpoint().name()));
                Button remove = new Button(messages.getString("settings.remote.remove"));
                remove.setId("settings-remote-remove-" + getIndex());
                remove.setOnAction(a -> model.removeEndpoint(e.endpoint().name()));
                setText(null);
                setGraphic(listRow(text, model.endpointBusyProperty(), refresh, remove));
            }
        });
        form.add(list, 0, row++, 2, 1);
        TextField name = new TextField();
        name.setId("settings-remote-name");
        name.setPromptText(messages.getString("settings.remote.name.prompt"));
        name.textProperty().bindBidirectional(model.endpointNameProperty());
        field("settings.remote.name", name);
        TextField url = new TextField();
        url.setId("settings-remote-url");
        url.setPromptText(messages.getString("settings.remote.url.prompt"));
        url.textProperty().bindBidirectional(model.endpointUrlProperty());
        field("settings.remote.url", url);
        PasswordField key = new PasswordField();
        key.setId("settings-remote-key");
        key.setPromptText(messages.getString("settings.server.key.none"));
        key.textProperty().bindBidirectional(model.endpointKeyProperty());
        field("settings.server.key", key);
        Button add = new Button(messages.getString("settings.remote.add"));
        add.setId("settings-remote-add");
        add.setOnAction(e -> model.addEndpoint());
        add.disableProperty().bind(model.endpointBusyProperty());
        add.setMinWidth(Region.USE_PREF_SIZE);
        HBox line = new HBox(12, add, status("settings-remote-status", model.endpointStatusProperty()));
        line.setAlignment(Pos.CENTER_LEFT);
        form.add(line, 1, row++);
    }

    /** The MCP servers whose tools the chat offers: the list, and a server to add (checked before it is kept). */
    private void mcp() {
        heading("settings.mcp", "settings.mcp.hint");
        ListView<io.kaiyuan.engine.mcp.McpServers.Server> list = new ListView<>(model.mcpServers());
        list.setId("settings-mcp");
        list.setPrefHeight(110);
        list.setPlaceholder(new Label(messages.getString("settings.mcp.none")));
        list.setCellFactory(v -> new ListCell<>() {
            @Override
            protected void updateItem(io.kaiyuan.engine.mcp.McpServers.Server s, boolean empty) {
                super.updateItem(s, empty);
                if (empty || s == null) {
                    setText(null);
                    setGraphic(null);
                    return;
                }
                Label text = new Label(MessageFormat.format(messages.getString(s.ask() ? "settings.mcp.row.ask"
                        : "settings.mcp.row.trusted"), s.name(), s.stdio() ? String.join(" ", s.command()) : s.url()));
                Button check = new Button(messages.getString("settings.mcp.check"));
                check.setOnAction(a -> model.checkMcp(s));
                Button remove = new Button(messages.getString("settings.remote.remove"));
                remove.setId("settings-mcp-remove-" + getIndex());
                remove.setOnAction(a -> model.removeMcp(s.name()));
                setText(null);
                setGraphic(listRow(text, model.mcpBusyProperty(), check, remove));
            }
        });
        form.add(list, 0, row++, 2, 1);
        TextField name = new TextField();
        name.setId("settings-mcp-name");
        name.setPromptText(messages.getString("settings.mcp.name.prompt"));
        name.textProperty().bindBidirectional(model.mcpNameProperty());
        field("settings.remote.name", name);
        TextField target = new TextField();
        target.setId("settings-mcp-target");
        target.setPromptText(messages.getString("settings.mcp.target.prompt"));
        target.textProperty().bindBidirectional(model.mcpTargetProperty());
        field("settings.mcp.target", target);
        javafx.scene.control.CheckBox ask = new javafx.scene.control.CheckBox(messages.getString("settings.mcp.ask"));
        ask.setId("settings-mcp-ask");
        ask.setWrapText(true);
        ask.selectedProperty().bindBidirectional(model.mcpAskProperty());
        form.add(ask, 1, row++);
        Button add = new Button(messages.getString("settings.mcp.add"));
        add.setId("settings-mcp-add");
        add.setOnAction(e -> model.addMcp());
        add.disableProperty().bind(model.mcpBusyProperty());
        add.setMinWidth(Region.USE_PREF_SIZE);
        HBox line = new HBox(12, add, status("settings-mcp-status", model.mcpStatusProperty()));
        line.setAlignment(Pos.CENTER_LEFT);
        form.add(line, 1, row++);
    }

    /** A list's row: its text, then its buttons at the right end, off while {@code busy}. */
    private static HBox listRow(Label text, javafx.beans.value.ObservableBooleanValue busy, Button... buttons) {
        text.setMinWidth(0);
        Region spacer = new Region();
        HBox.setHgrow(spacer, Priority.ALWAYS);
        HBox line = new HBox(8, text, spacer);
        for (Button b : buttons) {
            b.disableProperty().bind(busy);
            b.setMinWidth(Region.USE_PREF_SIZE);
            line.getChildren().add(b);
        }
        line.setAlignment(Pos.CENTER_LEFT);
        line.setMinWidth(0);
        line.setPrefWidth(0);
        return line;
    }

    /** A section's heading across both columns, a rule above all but the first, and its explanation. */
    private void heading(String key, String hintKey) {
        if (row > 0) {
            Separator rule = new Separator();
            GridPane.setMargin(rule, new Insets(8, 0, 0, 0));
            form.add(rule, 0, row++, 2, 1);
        }
        Label heading = new Label(messages.getString(key));
        heading.getStyleClass().add("settings-heading");
        heading.setStyle("-fx-font-size: 16px;");
        form.add(heading, 0, row++, 2, 1);
        if (hintKey != null) {
            Label hint = new Label(messages.getString(hintKey));
            hint.setWrapText(true);
            hint.setMinHeight(Region.USE_PREF_SIZE);
            hint.getStyleClass().add("text-muted");
            form.add(hint, 0, row++, 2, 1);
        }
    }

    /** A muted line under the field above it. */
    private void hint(String key) {
        Label hint = new Label(messages.getString(key));
        hint.setWrapText(true);
        hint.setMinHeight(Region.USE_PREF_SIZE);
        hint.getStyleClass().add("text-muted");
        form.add(hint, 1, row++);
    }

    private void field(String labelKey, Node field) {
        if (field instanceof javafx.scene.control.TextInputControl input && input.getMaxWidth() != Region.USE_PREF_SIZE) {
            input.setMaxWidth(FIELD_MAX_WIDTH);
        }
        Label label = label(labelKey);
        label.setLabelFor(field);
        form.add(label, 0, row);
        form.add(field, 1, row++);
    }

    private Label label(String key) {
        Label label = new Label(messages.getString(key));
        label.setMinWidth(Region.USE_PREF_SIZE);
        return label;
    }

    private static Label status(String id, javafx.beans.value.ObservableValue<String> text) {
        Label status = new Label();
        status.setId(id);
        status.setWrapText(true);
        status.setMinWidth(0);
        status.setMinHeight(Region.USE_PREF_SIZE);
        status.textProperty().bind(text);
        return status;
    }

    /** A Copy button that says "Copied" for a moment after it copied. */
    private Button copy(String id, Supplier<String> text) {
        String label = messages.getString("chat.copy");
        Button copy = new Button(label, new FontIcon(Feather.COPY));
        copy.setId(id);
        copy.setMinWidth(Region.USE_PREF_SIZE);
        PauseTransition back = new PauseTransition(Duration.seconds(1.5));
        back.setOnFinished(e -> copy.setText(label));
        copy.setOnAction(e -> {
            ClipboardContent content = new ClipboardContent();
            content.putString(text.get());
            Clipboard.getSystemClipboard().setContent(content);
            copy.setText(messages.getString("settings.copied"));
            back.playFromStart();
        });
        return copy;
    }

    private <T extends Enum<T>> ListCell<T> cell(String prefix) {
        return new ListCell<>() {
            @Override
            protected void updateItem(T item, boolean empty) {
                super.updateItem(item, empty);
                setText(empty || item == null ? null : messages.getString(prefix + item.name()));
            }
        };
    }

    /** The page, scrolling when the window is shorter than its sections. */
    public Parent root() {
        ScrollPane scroll = new ScrollPane(root);
        scroll.setFitToWidth(true);
        scroll.setId("settings-scroll");
        scroll.getStyleClass().add("edge-to-edge");
        return scroll;
    }
}
