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

    public Parent root() {
        return root;
    }
}
