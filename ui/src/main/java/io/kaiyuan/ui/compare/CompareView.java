package io.kaiyuan.ui.compare;

import io.kaiyuan.engine.api.ExecutionProvider;
import io.kaiyuan.engine.chat.Conversation;
import io.kaiyuan.engine.compare.Leaderboard;
import io.kaiyuan.engine.compare.Vote;
import io.kaiyuan.ui.common.FileDialogs;
import java.text.MessageFormat;
import java.util.ArrayList;
import java.util.List;
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
import javafx.scene.control.TextField;
import javafx.scene.control.ToggleButton;
import javafx.scene.control.Tooltip;
import javafx.beans.property.StringProperty;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;
import javafx.util.StringConverter;

/** The comparison page: the prompt, 2 to 4 columns side by side, blind voting, the leaderboard. FX thread only. */
public final class CompareView {
    public static final String COLUMN_STYLE = "compare-column";

    private final CompareViewModel model;
    private final ResourceBundle messages;
    private final BorderPane root = new BorderPane();
    private final HBox columnsBox = new HBox(8);
    private final HBox voteButtons = new HBox(6);
    private final List<io.kaiyuan.ui.chat.AnswerView> answers = new ArrayList<>();
    private final List<ScrollPane> scrolls = new ArrayList<>();
    private final io.kaiyuan.ui.chat.Markdown markdown;
    private boolean syncing;
    private final FileDialogs dialogs;

    public CompareView(CompareViewModel model, ResourceBundle messages) {
        this(model, messages, FileDialogs.SYSTEM);
    }

    /** @param dialogs where Export asks for the file to write and Re-run for the card to read */
    public CompareView(CompareViewModel model, ResourceBundle messages, FileDialogs dialogs) {
        this.model = model;
        this.messages = messages;
        this.dialogs = dialogs;
        this.markdown = new io.kaiyuan.ui.chat.Markdown(messages.getString("chat.copy"), url -> { });
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
        blind.setMinWidth(Region.USE_PREF_SIZE);
        CheckBox together = new CheckBox(messages.getString("compare.scrollTogether"));
        together.setId("compare-scroll-together");
        together.setTooltip(new Tooltip(messages.getString("compare.scrollTogether.tooltip")));
        together.selectedProperty().bindBidirectional(model.scrollTogetherProperty());
        together.setMinWidth(Region.USE_PREF_SIZE);
        run.setMinWidth(Region.USE_PREF_SIZE);
        VBox buttons = new VBox(6, run, new HBox(4, add, remove), blind, together);
        ComboBox<Conversation> conversation = new ComboBox<>();
        conversation.setId("compare-conversation");
        conversation.setTooltip(new Tooltip(messages.getString("compare.conversation.tooltip")));
        conversation.setMaxWidth(Double.MAX_VALUE);
        Runnable fillConversations = () -> {
            List<Conversation> items = new ArrayList<>();
            items.add(null);
            items.addAll(model.conversations());
            Conversation chosen = model.conversationProperty().get();
            conversation.getItems().setAll(items);
            conversation.setValue(chosen);
        };
        model.conversations().addListener((ListChangeListener<Conversation>) c -> fillConversations.run());
        fillConversations.run();
        conversation.valueProperty().addListener((o, before, now) -> model.conversationProperty().set(now));
        model.conversationProperty().addListener((o, before, now) -> conversation.setValue(now));
        conversation.setConverter(new StringConverter<>() {
            @Override
            public String toString(Conversation c) {
                return c == null ? messages.getString("compare.conversation.none") : c.title();
            }

            @Override
            public Conversation fromString(String text) {
                return null;
            }
        });
        conversation.setButtonCell(new ListCell<>() {
            @Override
            protected void updateItem(Conversation c, boolean empty) {
                super.updateItem(c, empty);
                setText(conversation.getConverter().toString(empty ? null : c));
            }
        });
        conversation.disableProperty().bind(model.stateProperty().isEqualTo(CompareViewModel.State.RUNNING));
        VBox promptBox = new VBox(4, new HBox(6, new Label(messages.getString("compare.conversation")), conversation), prompt);
        ((HBox) promptBox.getChildren().get(0)).setAlignment(Pos.CENTER_LEFT);
        HBox.setHgrow(conversation, Priority.ALWAYS);
        HBox.setHgrow(promptBox, Priority.ALWAYS);
        promptBox.setMinWidth(160);
        promptBox.setPrefWidth(200);
        prompt.setPrefColumnCount(20);
        conversation.setMinWidth(80);
        conversation.setPrefWidth(160);
        GridPane settings = new GridPane();
        settings.setHgap(6);
        settings.setVgap(4);
        settings.add(new Label(messages.getString("compare.shared")), 0, 0, 4, 1);
        settings.addRow(1, new Label(messages.getString("chat.temperature")), field("compare-temperature", model.shared().temperatureProperty(), ""),
                new Label(messages.getString("chat.topP")), field("compare-top-p", model.shared().topPProperty(), ""));
        settings.addRow(2, new Label(messages.getString("chat.topK")), field("compare-top-k", model.shared().topKProperty(), ""),
                new Label(messages.getString("chat.minP")), field("compare-min-p", model.shared().minPProperty(), ""));
        settings.addRow(3, new Label(messages.getString("chat.seed")), field("compare-seed", model.shared().seedProperty(), ""),
                new Label(messages.getString("compare.maxTokens")), field("compare-max-tokens", model.maxTokensProperty(), ""));
        settings.disableProperty().bind(model.stateProperty().isEqualTo(CompareViewModel.State.RUNNING));
        HBox top = new HBox(8, promptBox, settings, buttons);
        top.setPadding(new Insets(8));
        Label schedule = new Label();
        schedule.setId("compare-schedule");
        schedule.textProperty().bind(model.scheduleProperty());
        schedule.setWrapText(true);
        schedule.setMinHeight(Region.USE_PREF_SIZE);
        schedule.getStyleClass().add("message-footer");
        schedule.visibleProperty().bind(model.scheduleProperty().isNotEmpty());
        schedule.managedProperty().bind(schedule.visibleProperty());
        Label error = new Label();
        error.setId("compare-error");
        error.getStyleClass().add("error-text");
        error.textProperty().bind(model.errorProperty());
        error.setWrapText(true);
        error.setMinHeight(Region.USE_PREF_SIZE);
        error.visibleProperty().bind(model.errorProperty().isNotEmpty());
        error.managedProperty().bind(error.visibleProperty());
        VBox status = new VBox(4, schedule, error);
        status.setPadding(new Insets(0, 8, 6, 8));
        root.setTop(new VBox(top, status));

        model.columns().addListener((ListChangeListener<CompareColumn>) c -> buildColumns());
        buildColumns();
        columnsBox.setPadding(new Insets(0, 8, 8, 8));
        root.setCenter(columnsBox);
        root.setBottom(bottom());
    }

    private static TextField field(String id, StringProperty value, String hint) {
        TextField f = new TextField();
        f.setId(id);
        f.setPrefColumnCount(4);
        f.setPromptText(hint);
        f.textProperty().bindBidirectional(value);
        return f;
    }

    private void buildColumns() {
        answers.forEach(io.kaiyuan.ui.chat.AnswerView::dispose);
        answers.clear();
        scrolls.clear();
        columnsBox.getChildren().clear();
        // Until the names are shown after a blind run, nothing tells the columns apart but their letter.
        javafx.beans.property.BooleanProperty named = model.revealedProperty();
        for (int i = 0; i < model.columns().size(); i++) {
            CompareColumn c = model.columns().get(i);
            ComboBox<String> picker = new ComboBox<>(model.models());
            picker.setId("compare-model-" + i);
            picker.valueProperty().bindBidirectional(c.modelProperty());
            picker.disableProperty().bind(model.stateProperty().isEqualTo(CompareViewModel.State.RUNNING));
            ToggleButton more = new ToggleButton(messages.getString("compare.columnSettings"));
            more.setId("compare-settings-" + i);
            more.setTooltip(new Tooltip(messages.getString("compare.columnSettings.tooltip")));
            more.setMinWidth(Region.USE_PREF_SIZE);
            Label summary = new Label();
            summary.setId("compare-summary-" + i);
            summary.getStyleClass().add("message-footer");
            summary.setWrapText(true);
            summary.textProperty().bind(Bindings.createStringBinding(c::settingsSummary, c.settings()));
            summary.visibleProperty().bind(summary.textProperty().isNotEmpty().and(named));
            summary.managedProperty().bind(summary.visibleProperty());
            GridPane own = columnSettings(c, i);
            own.visibleProperty().bind(more.selectedProperty().and(named));
            own.managedProperty().bind(own.visibleProperty());
            own.disableProperty().bind(model.stateProperty().isEqualTo(CompareViewModel.State.RUNNING));
            HBox.setHgrow(picker, Priority.ALWAYS);
            picker.setMaxWidth(Double.MAX_VALUE);
            picker.setMinWidth(80);
            HBox pickRow = new HBox(6, picker, more);
            pickRow.visibleProperty().bind(named);
            pickRow.managedProperty().bind(pickRow.visibleProperty());
            Label title = new Label();
            int index = i;
            title.textProperty().bind(Bindings.createStringBinding(() -> model.title(index), c.runModelProperty(),
                    model.revealedProperty()));
            title.setId("compare-title-" + i);
            title.setStyle("-fx-font-weight: bold;");
            title.setWrapText(true);
            title.setMinHeight(Region.USE_PREF_SIZE);
            Label marks = new Label();
            marks.textProperty().bind(c.marksProperty());
            marks.getStyleClass().addAll("fit-badge", "fit-badge-fits");
            marks.visibleProperty().bind(c.marksProperty().isNotEmpty());
            marks.setMinWidth(Region.USE_PREF_SIZE);
            io.kaiyuan.ui.chat.AnswerView answer = new io.kaiyuan.ui.chat.AnswerView(c.textProperty(), c.reasoningProperty(),
                    c.reasoningMsProperty(), markdown, messages);
            answer.setId("compare-text-" + i);
            answer.setPadding(new Insets(8));
            answers.add(answer);
            ScrollPane scroll = new ScrollPane(answer);
            scroll.setId("compare-scroll-" + i);
            scroll.setFitToWidth(true);
            scroll.setHbarPolicy(ScrollPane.ScrollBarPolicy.NEVER);
            scroll.getStyleClass().add("compare-answer");
            answer.makeSelectable(messages, scroll);
            VBox.setVgrow(scroll, Priority.ALWAYS);
            scrolls.add(scroll);
            scroll.vvalueProperty().addListener((o, a, b) -> scrolledTogether(scroll));
            Label figures = new Label();
            figures.setId("compare-figures-" + i);
            figures.setWrapText(true);
            figures.setMinHeight(Region.USE_PREF_SIZE);
            figures.getStyleClass().add("message-footer");
            figures.textProperty().bind(Bindings.when(named).then(c.figuresProperty()).otherwise(c.blindFiguresProperty()));
            Button stop = new Button(messages.getString("compare.stopColumn"));
            stop.setId("compare-stop-" + i);
            stop.setOnAction(e -> c.stop());
            stop.setMinWidth(Region.USE_PREF_SIZE);
            stop.visibleProperty().bind(model.stateProperty().isEqualTo(CompareViewModel.State.RUNNING));
            stop.managedProperty().bind(stop.visibleProperty());
            HBox head = new HBox(8, title, marks, stop);
            head.setAlignment(Pos.CENTER_LEFT);
            HBox.setHgrow(title, Priority.ALWAYS);
            VBox column = new VBox(6, pickRow, summary, own, head, scroll, figures);
            column.getStyleClass().add(COLUMN_STYLE);
            column.setMinWidth(0);
            HBox.setHgrow(column, Priority.ALWAYS);
            column.setPrefWidth(10);
            columnsBox.getChildren().add(column);
        }
        buildVoteButtons();
    }

    /** With "Scroll together" on, the other columns follow the one scrolled, to the same place in their answers. */
    private void scrolledTogether(ScrollPane source) {
        if (!model.scrollTogetherProperty().get() || syncing) {
            return;
        }
        syncing = true;
        try {
            for (ScrollPane other : scrolls) {
                if (other != source) {
                    other.setVvalue(source.getVvalue());
                }
            }
        } finally {
            syncing = false;
        }
    }

    /** A column's own variant, provider and sampling settings; an empty field takes the shared value. */
    private GridPane columnSettings(CompareColumn c, int index) {
        ComboBox<String> variant = new ComboBox<>(c.variants());
        variant.setId("compare-variant-" + index);
        variant.valueProperty().bindBidirectional(c.variantProperty());
        variant.setConverter(named(CompareColumn.AUTO, messages.getString("compare.variant.auto")));
        ComboBox<String> provider = new ComboBox<>(model.providers());
        provider.setId("compare-provider-" + index);
        provider.valueProperty().bindBidirectional(c.providerProperty());
        provider.setConverter(named(ExecutionProvider.AUTO.cliName(), messages.getString("compare.provider.auto")));
        // A remote model's variant and provider are the endpoint's business.
        javafx.beans.binding.BooleanBinding remote = Bindings.createBooleanBinding(
                () -> io.kaiyuan.engine.remote.Endpoint.isRemote(c.modelProperty().get()), c.modelProperty());
        variant.disableProperty().bind(remote);
        provider.disableProperty().bind(remote);
        String shared = messages.getString("compare.sharedValue");
        GridPane grid = new GridPane();
        grid.setHgap(6);
        grid.setVgap(4);
        grid.addRow(0, new Label(messages.getString("compare.variant")), variant);
        grid.addRow(1, new Label(messages.getString("compare.provider")), provider);
        GridPane numbers = new GridPane();
        numbers.setHgap(6);
        numbers.setVgap(4);
        numbers.addRow(0, new Label(messages.getString("chat.temperature")),
                field("compare-temperature-" + index, c.sampling().temperatureProperty(), shared),
                new Label(messages.getString("chat.topP")), field("compare-top-p-" + index, c.sampling().topPProperty(), shared));
        numbers.addRow(1, new Label(messages.getString("chat.topK")), field("compare-top-k-" + index, c.sampling().topKProperty(), shared),
                new Label(messages.getString("chat.minP")), field("compare-min-p-" + index, c.sampling().minPProperty(), shared));
        numbers.addRow(2, new Label(messages.getString("chat.seed")), field("compare-seed-" + index, c.sampling().seedProperty(), shared));
        grid.add(numbers, 0, 2, 2, 1);
        return grid;
    }

    private static StringConverter<String> named(String value, String shown) {
        return new StringConverter<>() {
            @Override
            public String toString(String v) {
                return value.equals(v) ? shown : v;
            }

            @Override
            public String fromString(String text) {
                return shown.equals(text) ? value : text;
            }
        };
    }

    /** Two columns: A is better, B is better; three or four: one "is best" per column; then tie and both/all bad. */
    private void buildVoteButtons() {
        voteButtons.getChildren().clear();
        int n = model.columns().size();
        if (n == 2) {
            voteButtons.getChildren().addAll(voteButton("compare-vote-a", messages.getString("compare.vote.a"), () -> model.voteBest(0)),
                    voteButton("compare-vote-b", messages.getString("compare.vote.b"), () -> model.voteBest(1)));
        } else {
            for (int i = 0; i < n; i++) {
                int index = i;
                String letter = String.valueOf((char) ('A' + i));
                voteButtons.getChildren().add(voteButton("compare-vote-" + letter.toLowerCase(Locale.ROOT),
                        MessageFormat.format(messages.getString("compare.vote.best"), letter), () -> model.voteBest(index)));
            }
        }
        voteButtons.getChildren().addAll(
                voteButton("compare-vote-tie", messages.getString("compare.vote.tie"), () -> model.vote(Vote.Outcome.TIE)),
                voteButton("compare-vote-bad", messages.getString(n == 2 ? "compare.vote.bad" : "compare.vote.allBad"),
                        () -> model.vote(Vote.Outcome.BOTH_BAD)));
    }

    private Parent bottom() {
        Button reveal = new Button(messages.getString("compare.reveal"));
        reveal.setId("compare-reveal");
        reveal.setOnAction(e -> model.reveal());
        reveal.disableProperty().bind(model.revealedProperty());
        Button export = new Button(messages.getString("compare.export"));
        export.setId("compare-export");
        export.disableProperty().bind(model.cardProperty().isNull());
        export.setOnAction(e -> dialogs.save(root.getScene().getWindow(), "kaiyuan-run.json", List.of(
                new FileDialogs.Filter("JSON", "*.json"), new FileDialogs.Filter("Markdown", "*.md")))
                .ifPresent(model::exportCard));
        Button rerun = new Button(messages.getString("compare.rerun"));
        rerun.setId("compare-rerun");
        rerun.setTooltip(new Tooltip(messages.getString("compare.rerun.tooltip")));
        rerun.disableProperty().bind(model.stateProperty().isEqualTo(CompareViewModel.State.RUNNING));
        rerun.setOnAction(e -> dialogs.open(root.getScene().getWindow(), List.of(new FileDialogs.Filter("JSON", "*.json")))
                .ifPresent(model::rerunCard));
        Label reproduced = new Label();
        reproduced.setId("compare-reproduced");
        reproduced.textProperty().bind(model.reproducedProperty());
        Region spacer = new Region();
        HBox.setHgrow(spacer, Priority.ALWAYS);
        Label question = new Label(messages.getString("compare.vote"));
        for (Region r : new Region[] {question, reveal, export, rerun}) {
            r.setMinWidth(Region.USE_PREF_SIZE);
        }
        // The vote's buttons wrap to a second line rather than shrink to "A is b…" on narrow windows.
        javafx.scene.layout.FlowPane vote = new javafx.scene.layout.FlowPane(6, 6, question, voteButtons, reveal);
        vote.setAlignment(Pos.CENTER_LEFT);
        voteButtons.setAlignment(Pos.CENTER_LEFT);
        reproduced.setWrapText(true);
        reproduced.setMinWidth(0);
        HBox cards = new HBox(6, reproduced, spacer, export, rerun);
        cards.setAlignment(Pos.CENTER_LEFT);
        VBox votes = new VBox(6, vote, cards);
        ListView<Leaderboard.Entry> board = new ListView<>(model.leaderboard());
        board.setId("compare-leaderboard");
        board.setPrefHeight(110);
        board.setPlaceholder(new Label(messages.getString("compare.leaderboard.empty")));
        board.setCellFactory(v -> new ListCell<>() {
            @Override
            protected void updateItem(Leaderboard.Entry e, boolean empty) {
                super.updateItem(e, empty);
                setText(empty || e == null ? null : new MessageFormat(messages.getString("compare.leaderboard.row"), Locale.ENGLISH)
                        .format(new Object[] {getIndex() + 1, e.model(), String.format(Locale.ROOT, "%.0f", e.rating()), e.votes()}));
            }
        });
        Label boardTitle = new Label(messages.getString("compare.leaderboard"));
        // The leaderboard names models: hidden in a blind run until the names are shown.
        for (javafx.scene.Node n : new javafx.scene.Node[] {boardTitle, board}) {
            n.visibleProperty().bind(model.revealedProperty());
            n.managedProperty().bind(n.visibleProperty());
        }
        VBox box = new VBox(6, votes, boardTitle, board);
        box.setPadding(new Insets(8));
        return box;
    }

    private Button voteButton(String id, String text, Runnable vote) {
        Button b = new Button(text);
        b.setMinWidth(Region.USE_PREF_SIZE);
        b.setId(id);
        b.setOnAction(e -> vote.run());
        b.disableProperty().bind(model.cardProperty().isNull().or(model.votedProperty()).or(model.revealedProperty()));
        return b;
    }

    public Parent root() {
        return root;
    }
}
