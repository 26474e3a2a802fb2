package io.kaiyuan.ui.chat;

import io.kaiyuan.engine.api.ResponseFormat;
import io.kaiyuan.engine.api.SamplingOverrides;
import io.kaiyuan.engine.api.SamplingParams;
import java.text.MessageFormat;
import java.util.Locale;
import java.util.ResourceBundle;
import java.util.function.Function;
import javafx.geometry.Insets;
import javafx.scene.Parent;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.TextArea;
import javafx.scene.control.TextField;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;

/**
 * A conversation's settings beside the chat: the system prompt, the sampling settings (temperature,
 * top-p, top-k, min-p, repetition penalty, seed) and the answer format (text, JSON, a JSON schema). An empty field means the model's default, which the
 * field shows greyed; Reset returns to all defaults. FX thread only.
 */
final class ConversationSettingsView {
    static final String INVALID_STYLE = "invalid";

    private final ChatViewModel model;
    private final ResourceBundle messages;
    private final VBox root = new VBox(8);
    private final TextField temperature = field("chat-temperature");
    private final TextField topP = field("chat-top-p");
    private final TextField topK = field("chat-top-k");
    private final TextField minP = field("chat-min-p");
    private final TextField penalty = field("chat-repetition-penalty");
    private final TextField seed = field("chat-seed");
    private boolean updating;

    ConversationSettingsView(ChatViewModel model, ResourceBundle messages) {
        this.model = model;
        this.messages = messages;
        root.setPadding(new Insets(12));
        root.setPrefWidth(280);
        root.getStyleClass().add("conversation-settings");
        javafx.scene.control.ComboBox<AssistantChoice> assistant = new javafx.scene.control.ComboBox<>(model.assistants());
        assistant.setId("chat-assistant");
        assistant.setMaxWidth(Double.MAX_VALUE);
        assistant.setPromptText(messages.getString("chat.assistant.custom"));
        Runnable showAssistant = () -> {
            AssistantChoice a = model.assistant().orElse(null);
            if (assistant.getValue() != a) {
                assistant.setValue(a);
            }
        };
        model.systemPromptProperty().addListener((o, a, b) -> showAssistant.run());
        model.assistants().addListener((javafx.collections.ListChangeListener<AssistantChoice>) c -> showAssistant.run());
        assistant.setOnAction(e -> {
            AssistantChoice a = assistant.getValue();
            if (a != null && !a.equals(model.assistant().orElse(null))) {
                model.useAssistant(a);
            }
        });
        showAssistant.run();
        Button saveAssistant = new Button(messages.getString("chat.assistant.save"));
        saveAssistant.setId("chat-assistant-save");
        saveAssistant.setWrapText(true);
        saveAssistant.setMinHeight(Region.USE_PREF_SIZE);
        saveAssistant.disableProperty().bind(model.systemPromptProperty().isEmpty()
                .or(javafx.beans.binding.Bindings.createBooleanBinding(() -> model.assistant().isPresent(),
                        model.systemPromptProperty(), model.assistants())));
        saveAssistant.setOnAction(e -> {
            io.kaiyuan.ui.common.Dialogs.askText(root, messages, messages.getString("chat.assistant.save.title"), "")
                    .ifPresent(model::saveAssistant);
        });
        Button deleteAssistant = new Button(null, new org.kordamp.ikonli.javafx.FontIcon(org.kordamp.ikonli.feather.Feather.TRASH_2));
        deleteAssistant.setId("chat-assistant-delete");
        deleteAssistant.getStyleClass().add("button-icon");
        deleteAssistant.setTooltip(new javafx.scene.control.Tooltip(messages.getString("chat.assistant.delete")));
        deleteAssistant.setMinWidth(Region.USE_PREF_SIZE);
        deleteAssistant.disableProperty().bind(javafx.beans.binding.Bindings.createBooleanBinding(
                () -> assistant.getValue() == null || assistant.getValue().builtIn(), assistant.valueProperty()));
        deleteAssistant.setOnAction(e -> {
            if (assistant.getValue() != null) {
                model.deleteAssistant(assistant.getValue());
            }
        });
        javafx.scene.layout.HBox assistantRow = new javafx.scene.layout.HBox(6, assistant, deleteAssistant);
        javafx.scene.layout.HBox.setHgrow(assistant, javafx.scene.layout.Priority.ALWAYS);
        TextArea system = new TextArea();
        system.setId("chat-system-prompt");
        system.setWrapText(true);
        system.setPrefRowCount(5);
        system.setPromptText(messages.getString("chat.system.placeholder"));
        system.textProperty().bindBidirectional(model.systemPromptProperty());
        system.focusedProperty().addListener((o, a, focused) -> {
            if (!focused) {
                model.saveSettings();
            }
        });
        GridPane grid = new GridPane();
        grid.setHgap(8);
        grid.setVgap(6);
        String[] labels = {"chat.temperature", "chat.topP", "chat.topK", "chat.minP", "chat.repetitionPenalty", "chat.seed"};
        TextField[] fields = {temperature, topP, topK, minP, penalty, seed};
        for (int i = 0; i < fields.length; i++) {
            Label label = new Label(messages.getString(labels[i]));
            label.setWrapText(true);
            label.setMinWidth(Region.USE_PREF_SIZE);
            grid.addRow(i, label, fields[i]);
            TextField f = fields[i];
            f.setOnAction(e -> commit());
            f.focusedProperty().addListener((o, a, focused) -> {
                if (!focused) {
                    commit();
                }
            });
        }
        Button reset = new Button(messages.getString("chat.sampling.reset"));
        reset.setId("chat-sampling-reset");
        reset.setOnAction(e -> {
            model.samplingProperty().set(SamplingOverrides.NONE);
            model.saveSettings();
        });
        Label hint = new Label(messages.getString("chat.sampling.hint"));
        hint.setWrapText(true);
        hint.getStyleClass().add(ChatView.FOOTER_STYLE);
        reset.setWrapText(true);
        reset.setMinHeight(Region.USE_PREF_SIZE);
        Label assistantLabel = heading("chat.assistant.label");
        root.getChildren().addAll(assistantLabel, assistantRow, heading("chat.system"), system, saveAssistant,
                heading("chat.sampling"), grid, hint, reset, heading("chat.format"), formatBox());
        model.samplingProperty().addListener((o, a, b) -> show());
        model.modelDefaultsProperty().addListener((o, a, b) -> show());
        show();
    }

    /** The answer format: text, any JSON object, or a JSON schema pasted here (checked before it is used). */
    private VBox formatBox() {
        javafx.scene.control.ComboBox<ResponseFormat.Kind> kind = new javafx.scene.control.ComboBox<>(
                javafx.collections.FXCollections.observableArrayList(ResponseFormat.Kind.values()));
        kind.setId("chat-format");
        kind.setMaxWidth(Double.MAX_VALUE);
        kind.setConverter(new javafx.util.StringConverter<>() {
            @Override
            public String toString(ResponseFormat.Kind k) {
                return k == null ? "" : messages.getString(switch (k) {
                    case TEXT -> "chat.format.text";
                    case JSON_OBJECT -> "chat.format.jsonObject";
                    case JSON_SCHEMA -> "chat.format.jsonSchema";
                });
            }

            @Override
            public ResponseFormat.Kind fromString(String s) {
                return null;
            }
        });
        TextArea schema = new TextArea();
        schema.setId("chat-format-schema");
        schema.setWrapText(false); // a schema keeps its lines, as code does
        schema.setPrefRowCount(6);
        schema.setPromptText(messages.getString("chat.format.schema.placeholder"));
        schema.getStyleClass().add("code-input");
        Button apply = new Button(messages.getString("chat.format.schema.apply"));
        apply.setId("chat-format-apply");
        apply.setWrapText(true);
        apply.setMinHeight(Region.USE_PREF_SIZE);
        Label problem = new Label();
        problem.setId("chat-format-problem");
        problem.setWrapText(true);
        problem.getStyleClass().add("error-text");
        problem.managedProperty().bind(problem.textProperty().isNotEmpty());
        problem.visibleProperty().bind(problem.managedProperty());
        Label hint = new Label();
        hint.setWrapText(true);
        hint.getStyleClass().add(ChatView.FOOTER_STYLE);
        hint.textProperty().bind(javafx.beans.binding.Bindings.when(kind.valueProperty().isEqualTo(ResponseFormat.Kind.TEXT))
                .then(messages.getString("chat.format.hint.text")).otherwise(messages.getString("chat.format.hint")));
        javafx.beans.binding.BooleanBinding schemaShown = kind.valueProperty().isEqualTo(ResponseFormat.Kind.JSON_SCHEMA);
        for (javafx.scene.Node n : new javafx.scene.Node[] {schema, apply}) {
            n.visibleProperty().bind(schemaShown);
            n.managedProperty().bind(schemaShown);
        }
        boolean[] showing = {false};
        Runnable show = () -> {
            showing[0] = true;
            ResponseFormat f = model.responseFormatProperty().get();
            kind.setValue(f.kind());
            schema.setText(f.kind() == ResponseFormat.Kind.JSON_SCHEMA ? pretty(f.schema()) : schema.getText());
            problem.setText("");
            showing[0] = false;
        };
        model.responseFormatProperty().addListener((o, a, b) -> show.run());
        kind.valueProperty().addListener((o, a, b) -> {
            if (showing[0] || b == null) {
                return;
            }
            problem.setText("");
            if (b != ResponseFormat.Kind.JSON_SCHEMA) {
                model.setResponseFormat(b, null);
            } else if (!schema.getText().isBlank()) {
                model.setResponseFormat(b, schema.getText()).ifPresent(problem::setText);
            }
        });
        apply.setOnAction(e -> problem.setText(model.setResponseFormat(ResponseFormat.Kind.JSON_SCHEMA, schema.getText())
                .orElse("")));
        show.run();
        return new VBox(6, kind, schema, apply, problem, hint);
    }

    /** A schema as people read it: indented. */
    private static String pretty(String json) {
        try {
            com.fasterxml.jackson.databind.ObjectMapper m = new com.fasterxml.jackson.databind.ObjectMapper();
            return m.writerWithDefaultPrettyPrinter().writeValueAsString(m.readTree(json));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            return json;
        }
    }

    private Label heading(String key) {
        Label l = new Label(messages.getString(key));
        l.getStyleClass().add("settings-heading");
        l.setWrapText(true);
        return l;
    }

    private static TextField field(String id) {
        TextField f = new TextField();
        f.setId(id);
        f.setPrefColumnCount(8);
        return f;
    }

    Parent root() {
        return root;
    }

    /** Shows the conversation's values, and the model's defaults as prompts in the empty fields. */
    private void show() {
        updating = true;
        SamplingOverrides s = model.samplingProperty().get();
        SamplingParams d = model.modelDefaultsProperty().get();
        set(temperature, s.temperature(), d == null ? null : d.doSample() ? d.temperature() : 0.0);
        set(topP, s.topP(), d == null ? null : d.topP());
        set(topK, s.topK(), d == null ? null : d.topK());
        set(minP, s.minP(), d == null ? null : d.minP());
        set(penalty, s.repetitionPenalty(), d == null ? null : d.repetitionPenalty());
        set(seed, s.seed(), d == null || d.seed().isEmpty() ? null : d.seed().getAsLong());
        updating = false;
    }

    private void set(TextField f, Object value, Object fallback) {
        f.setText(value == null ? "" : String.valueOf(value));
        f.setPromptText(fallback == null ? messages.getString("chat.sampling.default")
                : MessageFormat.format(messages.getString("chat.sampling.modelDefault"), String.valueOf(fallback)));
        f.getStyleClass().remove(INVALID_STYLE);
    }

    /** Reads the fields into the conversation's settings; a field that does not parse is marked and ignored. */
    private void commit() {
        if (updating) {
            return;
        }
        SamplingOverrides old = model.samplingProperty().get();
        SamplingOverrides next = new SamplingOverrides(
                parse(temperature, Double::valueOf, old.temperature(), 0, 100),
                parse(topK, Integer::valueOf, old.topK(), 0, Integer.MAX_VALUE),
                parse(topP, Double::valueOf, old.topP(), 0, 1),
                parse(minP, Double::valueOf, old.minP(), 0, 1),
                parse(penalty, Double::valueOf, old.repetitionPenalty(), 0, 100),
                parse(seed, Long::valueOf, old.seed(), Long.MIN_VALUE, Long.MAX_VALUE));
        if (!next.equals(old)) {
            model.samplingProperty().set(next);
            model.saveSettings();
        }
    }

    private static <T extends Number> T parse(TextField f, Function<String, T> parser, T old, double min, double max) {
        String text = f.getText() == null ? "" : f.getText().strip();
        f.getStyleClass().remove(INVALID_STYLE);
        if (text.isEmpty()) {
            return null;
        }
        try {
            T value = parser.apply(text.replace(',', '.').toLowerCase(Locale.ROOT));
            if (value.doubleValue() >= min && value.doubleValue() <= max) {
                return value;
            }
        } catch (NumberFormatException e) {
            // marked below
        }
        f.getStyleClass().add(INVALID_STYLE);
        return old;
    }
}
