package io.kaiyuan.ui.compare;

import io.kaiyuan.engine.compare.Leaderboard;
import io.kaiyuan.engine.compare.Vote;
import java.text.MessageFormat;
import java.util.Locale;
import java.util.ResourceBundle;
import javafx.beans.binding.Bindings;
import javafx.collections.ListChangeListener;
import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.scene.Parent;
import javafx.scene.control.Button;
import javafx.scene.control.CheckBox;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.ListCell;
import javafx.scene.control.ListView;
import javafx.scene.control.ScrollPane;
import javafx.scene.control.TextArea;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;
import javafx.stage.FileChooser;

/** The comparison page: the prompt, 2 to 4 columns side by side, blind voting, the leaderboard. FX thread only. */
public final class CompareView {
    public static final String COLUMN_STYLE = "compare-column";

    private final CompareViewModel model;
    private final ResourceBundle messages;
    private final BorderPane root = new BorderPane();
    private final HBox columnsBox = new HBox(8);

    public CompareView(CompareViewModel model, ResourceBundle messages) {
        this.model = model;
        this.messages = messages;
        TextArea prompt = new TextArea();
        prompt.setId("compare-prompt");
        prompt.setPromptText(messages.getString("compare.prompt"));
        prompt.setPrefRowCount(3);
        prompt.setWrapText(true);
        prompt.textProperty().bindBidirectional(model.promptProperty());
        HBox.setHgrow(prompt, Priority.ALWAYS);
        Button run = new Button();
        run.setId("compare-run");
        run.textProperty().bind(Bindings.when(model.stateProperty().isEqualTo(CompareViewModel.State.RUNNING))
                .then(messages.getString("compare.stop")).otherwise(messages.getString("compare.run")));
        run.setOnAction(e -> {
            if (model.stateProperty().get() == CompareViewModel.State.RUNNING) {
                model.stop();
            } else {
                model.run();
            }
        });
        Button add = new Button("+");
        add.setId("compare-add");
        add.setTooltip(new Tooltip(messages.getString("compare.add")));
        add.setOnAction(e -> model.addColumn());
        Button remove = new Button("−");
        remove.setId("compare-remove");
        remove.setTooltip(new Tooltip(messages.getString("compare.remove")));
        remove.setOnAction(e -> model.removeColumn());
        CheckBox blind = new CheckBox(messages.getString("compare.blind"));
        blind.setId("compare-blind");
        blind.setTooltip(new Tooltip(messages.getString("compare.blind.tooltip")));
        blind.selectedProperty().bindBidirectional(model.blindProperty());
        VBox buttons = new VBox(6, run, new HBox(4, add, remove), blind);
        javafx.scene.layout.GridPane settings = new javafx.scene.layout.GridPane();
        settings.setHgap(6);
        settings.setVgap(4);
        settings.addRow(0, new Label(messages.getString("chat.temperature")), field("compare-temperature", model.temperatureProperty()));
        settings.addRow(1, new Label(messages.getString("chat.seed")), field("compare-seed", model.seedProperty()));
        settings.addRow(2, new Label(messages.getString("compare.maxTokens")), field("compare-max-tokens", model.maxTokensProperty()));
        HBox top = new HBox(8, prompt, settings, buttons);
        top.setPadding(new Insets(8));
        Label schedule = new Label();
        schedule.setId("compare-schedule");
        schedule.textProperty().bind(model.scheduleProperty());
        Label error = new Label();
        error.setId("compare-error");
        error.getStyleClass().add("error-text");
        error.textProperty().bind(model.errorProperty());
        root.setTop(new VBox(top, new HBox(12, schedule, error)));

        model.columns().addListener((ListChangeListener<CompareViewModel.Column>) c -> buildColumns());
        buildColumns();
        columnsBox.setPadding(new Insets(0, 8, 8, 8));
        root.setCenter(columnsBox);
        root.setBottom(bottom());
    }

    private static javafx.scene.control.TextField field(String id, javafx.beans.property.StringProperty value) {
        javafx.scene.control.TextField f = new javafx.scene.control.TextField();
        f.setId(id);
        f.setPrefColumnCount(5);
        f.textProperty().bindBidirectional(value);
        return f;
    }

    private void buildColumns() {
        columnsBox.getChildren().clear();
        for (int i = 0; i < model.columns().size(); i++) {
            CompareViewModel.Column c = model.columns().get(i);
            ComboBox<String> picker = new ComboBox<>(model.models());
            picker.setId("compare-model-" + i);
            picker.valueProperty().bindBidirectional(c.modelProperty());
            picker.disableProperty().bind(model.stateProperty().isEqualTo(CompareViewModel.State.RUNNING));
            Label title = new Label();
            int index = i;
            title.textProperty().bind(Bindings.createStringBinding(() -> model.title(index), c.runModelProperty(),
                    model.revealedProperty()));
            title.setId("compare-title-" + i);
            title.setStyle("-fx-font-weight: bold;");
            Label marks = new Label();
            marks.textProperty().bind(c.marksProperty());
            marks.getStyleClass().addAll("fit-badge", "fit-badge-fits");
            marks.visibleProperty().bind(c.marksProperty().isNotEmpty());
            Label text = new Label();
            text.setId("compare-text-" + i);
            text.setWrapText(true);
            text.textProperty().bind(c.textProperty());
            text.setMaxWidth(Double.MAX_VALUE);
            ScrollPane scroll = new ScrollPane(text);
            scroll.setFitToWidth(true);
            VBox.setVgrow(scroll, Priority.ALWAYS);
            Label figures = new Label();
            figures.setId("compare-figures-" + i);
            figures.setWrapText(true);
            figures.getStyleClass().add("message-footer");
            figures.textProperty().bind(c.figuresProperty());
            Button stop = new Button(messages.getString("compare.stopColumn"));
            stop.setId("compare-stop-" + i);
            stop.setOnAction(e -> c.stop());
            stop.visibleProperty().bind(model.stateProperty().isEqualTo(CompareViewModel.State.RUNNING));
            stop.managedProperty().bind(stop.visibleProperty());
            VBox column = new VBox(6, picker, new HBox(8, title, marks, stop), scroll, figures);
            column.getStyleClass().add(COLUMN_STYLE);
            column.setMinWidth(0);
            HBox.setHgrow(column, Priority.ALWAYS);
            column.setPrefWidth(10);
            columnsBox.getChildren().add(column);
        }
    }

    private Parent bottom() {
        Button aBetter = voteButton("compare-vote-a", "compare.vote.a", Vote.Outcome.A_BETTER);
        Button bBetter = voteButton("compare-vote-b", "compare.vote.b", Vote.Outcome.B_BETTER);
        Button tie = voteButton("compare-vote-tie", "compare.vote.tie", Vote.Outcome.TIE);
        Button bad = voteButton("compare-vote-bad", "compare.vote.bad", Vote.Outcome.BOTH_BAD);
        Button reveal = new Button(messages.getString("compare.reveal"));
        reveal.setId("compare-reveal");
        reveal.setOnAction(e -> model.reveal());
        reveal.disableProperty().bind(model.revealedProperty());
        Button export = new Button(messages.getString("compare.export"));
        export.setId("compare-export");
        export.disableProperty().bind(model.cardProperty().isNull());
        export.setOnAction(e -> {
            FileChooser chooser = new FileChooser();
            chooser.getExtensionFilters().addAll(new FileChooser.ExtensionFilter("JSON", "*.json"),
                    new FileChooser.ExtensionFilter("Markdown", "*.md"));
            chooser.setInitialFileName("kaiyuan-run.json");
            java.io.File file = chooser.showSaveDialog(root.getScene().getWindow());
            if (file != null) {
                model.exportCard(file.toPath());
            }
        });
        Button rerun = new Button(messages.getString("compare.rerun"));
        rerun.setId("compare-rerun");
        rerun.setTooltip(new Tooltip(messages.getString("compare.rerun.tooltip")));
        rerun.disableProperty().bind(model.stateProperty().isEqualTo(CompareViewModel.State.RUNNING));
        rerun.setOnAction(e -> {
            FileChooser chooser = new FileChooser();
            chooser.getExtensionFilters().add(new FileChooser.ExtensionFilter("JSON", "*.json"));
            java.io.File file = chooser.showOpenDialog(root.getScene().getWindow());
            if (file != null) {
                model.rerunCard(file.toPath());
            }
        });
        Label reproduced = new Label();
        reproduced.setId("compare-reproduced");
        reproduced.textProperty().bind(model.reproducedProperty());
        Region spacer = new Region();
        HBox.setHgrow(spacer, Priority.ALWAYS);
        HBox votes = new HBox(6, new Label(messages.getString("compare.vote")), aBetter, bBetter, tie, bad, reveal, spacer,
                reproduced, export, rerun);
        votes.setAlignment(Pos.CENTER_LEFT);
        ListView<Leaderboard.Entry> board = new ListView<>(model.leaderboard());
        board.setId("compare-leaderboard");
        board.setPrefHeight(110);
        board.setPlaceholder(new Label(messages.getString("compare.leaderboard.empty")));
        board.setCellFactory(v -> new ListCell<>() {
            @Override
            protected void updateItem(Leaderboard.Entry e, boolean empty) {
                super.updateItem(e, empty);
                setText(empty || e == null ? null : MessageFormat.format(messages.getString("compare.leaderboard.row"),
                        getIndex() + 1, e.model(), String.format(Locale.ROOT, "%.0f", e.rating()), e.votes()));
            }
        });
        VBox box = new VBox(6, votes, new Label(messages.getString("compare.leaderboard")), board);
        box.setPadding(new Insets(8));
        return box;
    }

    private Button voteButton(String id, String key, Vote.Outcome outcome) {
        Button b = new Button(messages.getString(key));
        b.setId(id);
        b.setOnAction(e -> model.vote(outcome));
        b.disableProperty().bind(model.cardProperty().isNull().or(model.votedProperty()).or(model.revealedProperty())
                .or(Bindings.size(model.columns()).isNotEqualTo(2)));
        return b;
    }

    public Parent root() {
        return root;
    }
}
