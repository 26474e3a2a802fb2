package io.kaiyuan.ui.chat;

import io.kaiyuan.engine.model.MemoryFit;
import io.kaiyuan.engine.remote.Endpoint;
import java.text.MessageFormat;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.ResourceBundle;
import javafx.collections.ListChangeListener;
import javafx.geometry.Bounds;
import javafx.geometry.Pos;
import javafx.scene.control.Button;
import javafx.scene.control.ContentDisplay;
import javafx.scene.control.Label;
import javafx.scene.control.ListView;
import javafx.scene.control.TextField;
import javafx.scene.control.Tooltip;
import javafx.scene.input.KeyCode;
import javafx.scene.input.KeyEvent;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;
import javafx.stage.Popup;
import org.kordamp.ikonli.feather.Feather;
import org.kordamp.ikonli.javafx.FontIcon;

/**
 * The chat's model picker: a button with the model in use that opens a searchable list, grouped Local and
 * Remote, each model with its variant, size and whether it fits this machine. Type to filter, arrows to
 * move, Enter to pick, Esc to close. FX thread only.
 */
final class ModelPicker {
    /** A row of the list: a group's heading or a model. */
    sealed interface Row permits Heading, Choice {}

    record Heading(String text) implements Row {}

    record Choice(ChatBackend.ModelChoice model) implements Row {}

    private final ChatViewModel model;
    private final ResourceBundle messages;
    private final Button button = new Button();
    private final Popup popup = new Popup();
    private final TextField search = new TextField();
    private final ListView<Row> list = new ListView<>();

    ModelPicker(ChatViewModel model, ResourceBundle messages) {
        this.model = model;
        this.messages = messages;
        button.setId("chat-model");
        button.getStyleClass().add("model-picker");
        button.setContentDisplay(ContentDisplay.LEFT);
        button.setMinWidth(Region.USE_PREF_SIZE);
        button.setMnemonicParsing(false);
        button.setTooltip(new Tooltip(messages.getString("chat.pickModel.tooltip")));
        button.setOnAction(e -> show());
        model.selectedModelProperty().addListener((o, a, b) -> label());
        model.modelChoices().addListener((ListChangeListener<ChatBackend.ModelChoice>) c -> {
            label();
            filter();
        });
        label();

        search.setId("chat-model-search");
        search.setPromptText(messages.getString("chat.pickModel.search"));
        search.textProperty().addListener((o, a, b) -> filter());
        search.addEventFilter(KeyEvent.KEY_PRESSED, e -> {
            if (e.getCode() == KeyCode.DOWN) {
                list.requestFocus();
                selectNext(list.getSelectionModel().getSelectedIndex(), 1);
                e.consume();
            } else if (e.getCode() == KeyCode.ENTER) {
                pick(list.getSelectionModel().getSelectedItem());
                e.consume();
            } else if (e.getCode() == KeyCode.ESCAPE) {
                popup.hide();
                e.consume();
            }
        });
        list.setId("chat-model-list");
        list.getStyleClass().add("model-picker-list");
        list.setCellFactory(v -> new Cell());
        list.setPrefHeight(320);
        list.setPlaceholder(new Label(messages.getString("chat.pickModel.none")));
        list.addEventFilter(KeyEvent.KEY_PRESSED, e -> {
            if (e.getCode() == KeyCode.ENTER) {
                pick(list.getSelectionModel().getSelectedItem());
                e.consume();
            } else if (e.getCode() == KeyCode.ESCAPE) {
                popup.hide();
                e.consume();
            } else if (e.getCode() == KeyCode.DOWN || e.getCode() == KeyCode.UP) {
                selectNext(list.getSelectionModel().getSelectedIndex(), e.getCode() == KeyCode.DOWN ? 1 : -1);
                e.consume();
            }
        });
        VBox content = new VBox(6, search, list);
        content.getStyleClass().add("model-picker-popup");
        content.setPrefWidth(380);
        popup.getContent().add(content);
        popup.setAutoHide(true);
        popup.setHideOnEscape(true);
    }

    Button button() {
        return button;
    }

    /** Opens the list under the button with the search focused (Ctrl+K). */
    void show() {
        if (button.getScene() == null) {
            return;
        }
        VBox content = (VBox) popup.getContent().get(0);
        content.getStylesheets().setAll(button.getScene().getRoot().getStylesheets());
        search.clear();
        filter();
        Bounds b = button.localToScreen(button.getBoundsInLocal());
        popup.show(button, b.getMinX(), b.getMaxY() + 4);
        search.requestFocus();
    }

    boolean showing() {
        return popup.isShowing();
    }

    private void label() {
        String id = model.selectedModelProperty().get();
        if (id == null) {
            button.setText(messages.getString("chat.pickModel"));
            button.setGraphic(new FontIcon(Feather.CPU));
            return;
        }
        ChatBackend.ModelChoice c = model.modelChoices().stream().filter(m -> m.id().equals(id)).findFirst()
                .orElse(ChatBackend.ModelChoice.of(id));
        button.setText(c.variant().isEmpty() ? displayName(id) : displayName(id) + " · " + c.variant());
        button.setGraphic(new FontIcon(c.remote() ? Feather.CLOUD : Feather.CPU));
        button.setTooltip(new Tooltip(id + "\n" + messages.getString("chat.pickModel.tooltip")));
    }

    /** A remote model's name without its endpoint (remote/NAME/MODEL shows as MODEL); a local model's id. */
    static String displayName(String id) {
        if (Endpoint.isRemote(id)) {
            String rest = id.substring("remote/".length());
            int slash = rest.indexOf('/');
            return slash < 0 ? rest : rest.substring(slash + 1);
        }
        return id;
    }

    private void filter() {
        String q = search.getText() == null ? "" : search.getText().strip().toLowerCase(Locale.ROOT);
        List<Row> local = new ArrayList<>();
        List<Row> remote = new ArrayList<>();
        for (ChatBackend.ModelChoice c : model.modelChoices()) {
            if (!q.isEmpty() && !c.id().toLowerCase(Locale.ROOT).contains(q)) {
                continue;
            }
            (c.remote() ? remote : local).add(new Choice(c));
        }
        List<Row> rows = new ArrayList<>();
        if (!local.isEmpty()) {
            rows.add(new Heading(messages.getString("chat.pickModel.local")));
            rows.addAll(local);
        }
        if (!remote.isEmpty()) {
            rows.add(new Heading(messages.getString("chat.pickModel.remote")));
            rows.addAll(remote);
        }
        list.getItems().setAll(rows);
        // As tall as its rows, up to a screenful: a list of one model is not a tall empty box.
        long choices = rows.stream().filter(r -> r instanceof Choice).count();
        list.setPrefHeight(Math.min(360, Math.max(60, choices * 46 + (rows.size() - choices) * 28 + 8)));
        String selected = model.selectedModelProperty().get();
        int index = -1;
        for (int i = 0; i < rows.size(); i++) {
            if (rows.get(i) instanceof Choice c && (index < 0 || c.model().id().equals(selected))) {
                index = i;
                if (c.model().id().equals(selected) || !q.isEmpty()) {
                    break;
                }
            }
        }
        if (index >= 0) {
            list.getSelectionModel().select(index);
            list.scrollTo(Math.max(0, index - 1));
        }
    }

    private void selectNext(int from, int step) {
        List<Row> rows = list.getItems();
        for (int i = from + step; i >= 0 && i < rows.size(); i += step) {
            if (rows.get(i) instanceof Choice) {
                list.getSelectionModel().select(i);
                list.scrollTo(Math.max(0, i - 1));
                return;
            }
        }
    }

    private void pick(Row row) {
        if (row instanceof Choice c) {
            popup.hide();
            if (!c.model().id().equals(model.selectedModelProperty().get())) {
                model.selectedModelProperty().set(c.model().id());
                model.preload();
            }
        }
    }

    /** What a model's second line says: variant, size, fit. */
    String details(ChatBackend.ModelChoice c) {
        List<String> parts = new ArrayList<>();
        if (c.remote()) {
            String rest = c.id().substring("remote/".length());
            int slash = rest.indexOf('/');
            parts.add(MessageFormat.format(messages.getString("chat.pickModel.endpoint"), slash < 0 ? rest : rest.substring(0, slash)));
        }
        if (!c.variant().isEmpty()) {
            parts.add(c.variant());
        }
        if (c.bytes() > 0) {
            parts.add(String.format(Locale.ROOT, "%.2f GB", c.bytes() / 1e9));
        }
        if (c.fit() != null) {
            parts.add(messages.getString("models.fit." + c.fit().name()));
        }
        return String.join(" · ", parts);
    }

    private final class Cell extends io.kaiyuan.ui.common.WrappingCell<Row> {
        Cell() {
            setOnMouseClicked(e -> {
                if (!isEmpty()) {
                    pick(getItem());
                }
            });
        }

        @Override
        protected void updateItem(Row row, boolean empty) {
            super.updateItem(row, empty);
            setText(null);
            getStyleClass().removeAll("model-picker-heading", "model-picker-choice");
            if (empty || row == null) {
                setGraphic(null);
                return;
            }
            if (row instanceof Heading h) {
                getStyleClass().add("model-picker-heading");
                Label l = new Label(h.text());
                l.getStyleClass().add("conversation-heading-text");
                setGraphic(l);
                return;
            }
            ChatBackend.ModelChoice c = ((Choice) row).model();
            getStyleClass().add("model-picker-choice");
            Label name = new Label(displayName(c.id()));
            name.getStyleClass().add("model-picker-name");
            name.setWrapText(true);
            name.setMinHeight(Region.USE_PREF_SIZE);
            Label sub = new Label(details(c));
            sub.getStyleClass().add(ChatView.FOOTER_STYLE);
            sub.setWrapText(true);
            sub.setMinHeight(Region.USE_PREF_SIZE);
            sub.setVisible(!sub.getText().isEmpty());
            sub.setManaged(sub.isVisible());
            VBox text = new VBox(1, name, sub);
            text.setMinWidth(0);
            HBox.setHgrow(text, Priority.ALWAYS);
            Label badge = new Label();
            if (c.fit() != null) {
                badge.setText(messages.getString("models.fit." + c.fit().name()));
                badge.getStyleClass().addAll("fit-badge", "fit-badge-" + c.fit().name().toLowerCase(Locale.ROOT));
                badge.setMinWidth(Region.USE_PREF_SIZE);
            }
            HBox box = new HBox(8, new FontIcon(c.remote() ? Feather.CLOUD : Feather.CPU), text);
            if (c.fit() != null && c.fit() != MemoryFit.Fit.FITS) {
                box.getChildren().add(badge);
            }
            box.setAlignment(Pos.CENTER_LEFT);
            box.setMinWidth(0);
            setGraphic(box);
        }
    }
}
