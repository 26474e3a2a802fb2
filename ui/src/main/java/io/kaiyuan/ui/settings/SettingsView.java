package io.kaiyuan.ui.settings;

import java.util.ResourceBundle;
import javafx.geometry.Insets;
import javafx.scene.Parent;
import javafx.scene.control.CheckBox;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.ListCell;
import javafx.scene.control.PasswordField;
import javafx.scene.control.Spinner;
import javafx.scene.control.TextField;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.VBox;

/** The Settings page: theme, language, CPU threads, and the execution providers found. FX thread only. */
public final class SettingsView {
    private final VBox root = new VBox(12);

    public SettingsView(SettingsViewModel model, ResourceBundle messages) {
        root.setPadding(new Insets(16));
        Label title = new Label(messages.getString("settings.title"));
        title.setStyle("-fx-font-size: 20px;");

        ComboBox<Settings.Theme> theme = new ComboBox<>();
        theme.setId("settings-theme");
        theme.getItems().setAll(Settings.Theme.values());
        theme.setCellFactory(v -> cell(messages, "settings.theme."));
        theme.setButtonCell(cell(messages, "settings.theme."));
        theme.valueProperty().bindBidirectional(model.themeProperty());

        ComboBox<Settings.Language> language = new ComboBox<>();
        language.setId("settings-language");
        language.getItems().setAll(Settings.Language.values());
        language.setCellFactory(v -> cell(messages, "settings.language."));
        language.setButtonCell(cell(messages, "settings.language."));
        language.setValue(model.languageProperty().get());
        // Chosen by the user only: the page is rebuilt in the new language right after.
        language.setOnAction(e -> model.languageProperty().set(language.getValue()));

        Spinner<Integer> threads = new Spinner<>(0, Runtime.getRuntime().availableProcessors(), model.threadsProperty().get());
        threads.setId("settings-threads");
        threads.setEditable(true);
        threads.valueProperty().addListener((o, a, b) -> model.threadsProperty().set(b));
        Label threadsHint = new Label(messages.getString("settings.threads.hint"));
        threadsHint.setWrapText(true);

        Label providers = new Label(String.join(", ", model.providers()));
        providers.setId("settings-providers");

        GridPane grid = new GridPane();
        grid.setHgap(12);
        grid.setVgap(10);
        grid.addRow(0, new Label(messages.getString("settings.theme")), theme);
        grid.addRow(1, new Label(messages.getString("settings.language")), language);
        grid.addRow(2, new Label(messages.getString("settings.threads")), threads);
        grid.add(threadsHint, 1, 3);
        grid.addRow(4, new Label(messages.getString("settings.providers")), providers);
        root.getChildren().addAll(title, grid);
        if (model.hasServer()) {
            root.getChildren().add(serverSection(model, messages));
        }
        if (model.hasRemotes()) {
            root.getChildren().add(remoteSection(model, messages));
        }
    }

    /** Remote OpenAI-compatible endpoints: the list with Refresh and Remove, and a form to add one. */
    private static VBox remoteSection(SettingsViewModel model, ResourceBundle messages) {
        Label heading = new Label(messages.getString("settings.remote"));
        heading.setStyle("-fx-font-size: 16px;");
        Label hint = new Label(messages.getString("settings.remote.hint"));
        hint.setWrapText(true);
        javafx.scene.control.ListView<io.kaiyuan.engine.remote.RemoteEndpoints.Entry> list =
                new javafx.scene.control.ListView<>(model.endpoints());
        list.setId("settings-remotes");
        list.setPrefHeight(110);
        list.setPlaceholder(new Label(messages.getString("settings.remote.none")));
        list.setCellFactory(v -> new ListCell<>() {
            @Override
            protected void updateItem(io.kaiyuan.engine.remote.RemoteEndpoints.Entry e, boolean empty) {
                super.updateItem(e, empty);
                if (empty || e == null) {
                    setText(null);
                    setGraphic(null);
                    return;
                }
                Label text = new Label(java.text.MessageFormat.format(messages.getString("settings.remote.row"),
                        e.endpoint().name(), e.endpoint().baseUrl(), e.models().size()));
                javafx.scene.control.Button refresh = new javafx.scene.control.Button(messages.getString("settings.remote.refresh"));
                refresh.setOnAction(a -> model.refreshEndpoint(e.endpoint().name()));
                javafx.scene.control.Button remove = new javafx.scene.control.Button(messages.getString("settings.remote.remove"));
                remove.setId("settings-remote-remove-" + getIndex());
                remove.setOnAction(a -> model.removeEndpoint(e.endpoint().name()));
                refresh.disableProperty().bind(model.endpointBusyProperty());
                remove.disableProperty().bind(model.endpointBusyProperty());
                javafx.scene.layout.Region spacer = new javafx.scene.layout.Region();
                javafx.scene.layout.HBox.setHgrow(spacer, javafx.scene.layout.Priority.ALWAYS);
                javafx.scene.layout.HBox row = new javafx.scene.layout.HBox(8, text, spacer, refresh, remove);
                row.setAlignment(javafx.geometry.Pos.CENTER_LEFT);
                setText(null);
                setGraphic(row);
            }
        });
        TextField name = new TextField();
        name.setId("settings-remote-name");
        name.setPromptText("DeepSeek");
        name.textProperty().bindBidirectional(model.endpointNameProperty());
        TextField url = new TextField();
        url.setId("settings-remote-url");
        url.setPromptText("https://api.deepseek.com/v1");
        url.setPrefColumnCount(28);
        url.textProperty().bindBidirectional(model.endpointUrlProperty());
        PasswordField key = new PasswordField();
        key.setId("settings-remote-key");
        key.setPromptText(messages.getString("settings.server.key.none"));
        key.textProperty().bindBidirectional(model.endpointKeyProperty());
        javafx.scene.control.Button add = new javafx.scene.control.Button(messages.getString("settings.remote.add"));
        add.setId("settings-remote-add");
        add.setOnAction(e -> model.addEndpoint());
        add.disableProperty().bind(model.endpointBusyProperty());
        Label status = new Label();
        status.setId("settings-remote-status");
        status.setWrapText(true);
        status.textProperty().bind(model.endpointStatusProperty());
        GridPane form = new GridPane();
        form.setHgap(12);
        form.setVgap(8);
        form.addRow(0, new Label(messages.getString("settings.remote.name")), name);
        form.addRow(1, new Label(messages.getString("settings.remote.url")), url);
        form.addRow(2, new Label(messages.getString("settings.server.key")), key);
        form.add(add, 1, 3);
        VBox box = new VBox(8, heading, hint, list, form, status);
        box.setPadding(new Insets(8, 0, 0, 0));
        return box;
    }

    /** The local API server: a switch, its port and key, and what it is doing. */
    private static VBox serverSection(SettingsViewModel model, ResourceBundle messages) {
        Label heading = new Label(messages.getString("settings.server"));
        heading.setStyle("-fx-font-size: 16px;");
        CheckBox on = new CheckBox(messages.getString("settings.server.on"));
        on.setId("settings-server");
        on.selectedProperty().bindBidirectional(model.serverOnProperty());
        on.setOnAction(e -> model.applyServer());
        on.disableProperty().bind(model.serverBusyProperty());
        TextField port = new TextField();
        port.setId("settings-server-port");
        port.setPrefColumnCount(6);
        port.textProperty().bindBidirectional(model.serverPortProperty());
        PasswordField key = new PasswordField();
        key.setId("settings-server-key");
        key.setPromptText(messages.getString("settings.server.key.none"));
        key.textProperty().bindBidirectional(model.serverKeyProperty());
        port.disableProperty().bind(model.serverOnProperty().or(model.serverBusyProperty()));
        key.disableProperty().bind(port.disableProperty());
        Label status = new Label();
        status.setId("settings-server-status");
        status.setWrapText(true);
        status.textProperty().bind(model.serverStatusProperty());
        Label hint = new Label(messages.getString("settings.server.hint"));
        hint.setWrapText(true);
        GridPane grid = new GridPane();
        grid.setHgap(12);
        grid.setVgap(10);
        grid.add(on, 0, 0, 2, 1);
        grid.addRow(1, new Label(messages.getString("settings.server.port")), port);
        grid.addRow(2, new Label(messages.getString("settings.server.key")), key);
        grid.addRow(3, new Label(messages.getString("settings.server.status")), status);
        VBox box = new VBox(8, heading, hint, grid);
        box.setPadding(new Insets(8, 0, 0, 0));
        return box;
    }

    private static <T extends Enum<T>> ListCell<T> cell(ResourceBundle messages, String prefix) {
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
        javafx.scene.control.ScrollPane scroll = new javafx.scene.control.ScrollPane(root);
        scroll.setFitToWidth(true);
        scroll.setId("settings-scroll");
        scroll.getStyleClass().add("edge-to-edge");
        return scroll;
    }
}
