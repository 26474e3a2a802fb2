package io.kaiyuan.ui.compare;

import io.kaiyuan.engine.api.CancellationToken;
import io.kaiyuan.engine.api.ChatMessage;
import io.kaiyuan.engine.api.GenerationMetrics;
import io.kaiyuan.engine.api.GenerationRequest;
import io.kaiyuan.engine.api.SamplingOverrides;
import io.kaiyuan.engine.api.TokenListener;
import io.kaiyuan.engine.compare.Comparison;
import io.kaiyuan.engine.compare.Leaderboard;
import io.kaiyuan.engine.compare.RunCard;
import io.kaiyuan.engine.compare.Vote;
import io.kaiyuan.engine.model.Variant;
import io.kaiyuan.ui.common.TextPump;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.MessageFormat;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.ResourceBundle;
import java.util.concurrent.Executor;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

/**
 * The comparison page's state and actions: 2 to 4 columns, one prompt, the same sampling settings and
 * seed for all, live text and figures per column, blind mode (columns shuffled and named A, B, ... until
 * the vote), the local leaderboard and the run card. Properties change on the FX thread.
 */
public final class CompareViewModel {
    /** What the page is doing. */
    public enum State { IDLE, RUNNING }

    public static final int MIN_COLUMNS = 2;
    public static final int MAX_COLUMNS = 4;

    /** One column: the model picked, and what it produced. */
    public static final class Column {
        private final StringProperty model = new SimpleStringProperty();
        private final StringProperty runModel = new SimpleStringProperty();
        private final StringProperty text = new SimpleStringProperty("");
        private final StringProperty figures = new SimpleStringProperty("");
        private final StringProperty marks = new SimpleStringProperty("");
        private volatile CancellationToken stop = new CancellationToken();

        /** The model picked for this column. */
        public StringProperty modelProperty() {
            return model;
        }

        /** The model this column ran (another column's pick in blind mode, where the order is shuffled). */
        public StringProperty runModelProperty() {
            return runModel;
        }

        public StringProperty textProperty() {
            return text;
        }

        /** Time to first token, tokens/s, tokens, finish reason, load time, peak memory, tokens per 1,000 characters. */
        public StringProperty figuresProperty() {
            return figures;
        }

        /** Stops this column alone while the run goes on (any thread). */
        public void stop() {
            stop.cancel();
        }

        /** "fastest", "shortest" or both. */
        public StringProperty marksProperty() {
            return marks;
        }
    }

    private final CompareBackend backend;
    private final Executor fx;
    private final Executor io;
    private volatile ResourceBundle messages;
    private final Random shuffle;
    private final ObservableList<String> models = FXCollections.observableArrayList();
    private final ObservableList<Column> columns = FXCollections.observableArrayList();
    private final StringProperty prompt = new SimpleStringProperty("");
    private final BooleanProperty blind = new SimpleBooleanProperty(false);
    private final BooleanProperty revealed = new SimpleBooleanProperty(true);
    private final StringProperty schedule = new SimpleStringProperty("");
    private final StringProperty error = new SimpleStringProperty("");
    private final ObjectProperty<State> state = new SimpleObjectProperty<>(State.IDLE);
    private final ObjectProperty<RunCard> card = new SimpleObjectProperty<>();
    private final ObservableList<Leaderboard.Entry> leaderboard = FXCollections.observableArrayList();
    private final BooleanProperty voted = new SimpleBooleanProperty(false);
    private final StringProperty reproduced = new SimpleStringProperty("");
    private final StringProperty temperature = new SimpleStringProperty("0");
    private final StringProperty seed = new SimpleStringProperty("42");
    private final StringProperty maxTokens = new SimpleStringProperty("256");
    private CancellationToken cancel;

    /** @param shuffle orders the models among the columns in blind mode */
    public CompareViewModel(CompareBackend backend, Executor fx, Executor io, ResourceBundle messages, Random shuffle) {
        this.backend = backend;
        this.fx = fx;
        this.io = io;
        this.messages = messages;
        this.shuffle = shuffle;
        for (int i = 0; i < MIN_COLUMNS; i++) {
            columns.add(new Column());
        }
    }

    /** The strings for texts made from now on (after a language switch). */
    public void setMessages(ResourceBundle messages) {
        this.messages = messages;
    }

    /** Reads the installed models and the leaderboard (on {@code io}). */
    public void refresh() {
        io.execute(() -> {
            try {
                List<String> ids = backend.installedModels();
                List<Leaderboard.Entry> board = Leaderboard.of(backend.votes());
                fx.execute(() -> {
                    models.setAll(ids);
                    for (int i = 0; i < columns.size(); i++) {
                        Column c = columns.get(i);
                        if (c.modelProperty().get() == null && !ids.isEmpty()) {
                            c.modelProperty().set(ids.get(Math.min(i, ids.size() - 1)));
                        }
                    }
                    leaderboard.setAll(board);
                });
            } catch (Exception e) {
                fx.execute(() -> error.set(e.getMessage()));
            }
        });
    }

    /** Adds a column (up to four). */
    public void addColumn() {
        if (columns.size() < MAX_COLUMNS && state.get() == State.IDLE) {
            Column c = new Column();
            c.modelProperty().set(models.isEmpty() ? null : models.get(0));
            columns.add(c);
        }
    }

    /** Removes the last column (down to two). */
    public void removeColumn() {
        if (columns.size() > MIN_COLUMNS && state.get() == State.IDLE) {
            columns.remove(columns.size() - 1);
        }
    }

    /** The sampling settings and token budget every column gets (greedy with seed 42 by default). */
    public void setSampling(SamplingOverrides sampling, int maxNewTokens) {
        temperature.set(sampling.temperature() == null ? "" : String.valueOf(sampling.temperature()));
        seed.set(sampling.seed() == null ? "" : String.valueOf(sampling.seed()));
        maxTokens.set(String.valueOf(maxNewTokens));
    }

    /** Temperature for every column; empty for each model's default, 0 for greedy. */
    public StringProperty temperatureProperty() {
        return temperature;
    }

    /** The seed every column gets; empty for none. */
    public StringProperty seedProperty() {
        return seed;
    }

    /** The most tokens each column generates. */
    public StringProperty maxTokensProperty() {
        return maxTokens;
    }

    /** Sends the prompt to every column (FX thread). */
    public void run() {
        String text = prompt.get() == null ? "" : prompt.get().strip();
        if (text.isEmpty() || state.get() == State.RUNNING) {
            return;
        }
        List<String> picked = new ArrayList<>();
        for (Column c : columns) {
            if (c.modelProperty().get() == null) {
                error.set(messages.getString("compare.pickModels"));
                return;
            }
            picked.add(c.modelProperty().get());
        }
        SamplingOverrides sampling;
        int maxNewTokens;
        try {
            String t = temperature.get() == null ? "" : temperature.get().strip();
            String s = seed.get() == null ? "" : seed.get().strip();
            sampling = new SamplingOverrides(t.isEmpty() ? null : Double.valueOf(t), null, null, null, null,
                    s.isEmpty() ? null : Long.valueOf(s));
            maxNewTokens = Integer.parseInt(maxTokens.get().strip());
            if (maxNewTokens < 1 || sampling.temperature() != null && sampling.temperature() < 0) {
                throw new NumberFormatException();
            }
        } catch (NumberFormatException | NullPointerException e) {
            error.set(messages.getString("compare.badSettings"));
            return;
        }
        if (blind.get()) {
            Collections.shuffle(picked, shuffle);
        }
        error.set("");
        schedule.set("");
        card.set(null);
        voted.set(false);
        revealed.set(!blind.get());
        List<TextPump> pumps = new ArrayList<>();
        for (int i = 0; i < columns.size(); i++) {
            Column c = columns.get(i);
            c.runModelProperty().set(picked.get(i));
            c.textProperty().set("");
            c.figuresProperty().set("");
            c.marksProperty().set("");
            pumps.add(new TextPump(fx, t -> c.textProperty().set(c.textProperty().get() + t)));
        }
        GenerationRequest request = new GenerationRequest(new GenerationRequest.Prompt.Chat(List.of(ChatMessage.user(text)),
                Map.of()), sampling, maxNewTokens, List.of());
        start(picked.stream().map(CompareBackend.Choice::of).toList(), request, pumps, null);
    }

    /** Runs the columns (FX thread); with {@code previous}, says afterwards whether each reproduced it. */
    private void start(List<CompareBackend.Choice> choices, GenerationRequest request, List<TextPump> pumps, RunCard previous) {
        state.set(State.RUNNING);
        reproduced.set("");
        cancel = new CancellationToken();
        List<CancellationToken> stops = new ArrayList<>();
        for (Column c : columns) {
            c.stop = new CancellationToken();
            stops.add(c.stop);
        }
        backend.run(choices, request, new Comparison.Listener() {
            @Override
            public TokenListener tokens(int column) {
                return pumps.get(column)::append;
            }

            @Override
            public CancellationToken cancel(int column) {
                return stops.get(column);
            }
        }, s -> fx.execute(() -> schedule.set(s.reason())), cancel, new CompareBackend.Done() {
            @Override
            public void finished(RunCard result) {
                fx.execute(() -> {
                    pumps.forEach(TextPump::drain);
                    show(result);
                    if (previous != null) {
                        List<Boolean> same = previous.sameTokens(result);
                        List<String> parts = new ArrayList<>();
                        for (int i = 0; i < same.size(); i++) {
                            parts.add((char) ('A' + i) + " " + messages.getString(same.get(i) ? "compare.same" : "compare.different"));
                        }
                        reproduced.set(MessageFormat.format(messages.getString("compare.reproduced"), String.join(", ", parts)));
                    }
                    state.set(State.IDLE);
                });
            }

            @Override
            public void failed(String message) {
                fx.execute(() -> {
                    pumps.forEach(TextPump::drain);
                    error.set(message);
                    state.set(State.IDLE);
                });
            }
        });
    }

    private void show(RunCard result) {
        card.set(result);
        int fastest = result.fastest();
        int shortest = result.shortest();
        for (int i = 0; i < columns.size() && i < result.columns().size(); i++) {
            RunCard.ColumnRun run = result.columns().get(i);
            GenerationMetrics m = run.result().metrics();
            Column c = columns.get(i);
            c.textProperty().set(run.result().text());
            c.figuresProperty().set(new MessageFormat(messages.getString("compare.figures"), Locale.ROOT).format(new Object[] {
                String.format(Locale.ROOT, "%.0f", m.ttftMs()), String.format(Locale.ROOT, "%.1f", m.decodeTokensPerS()),
                run.result().tokenIds().size(), messages.getString("finish." + run.result().finishReason().jsonName()),
                run.loadMs(), String.format(Locale.ROOT, "%.0f", run.peakResidentBytes() / 1e6),
                String.format(Locale.ROOT, "%.0f", run.tokensPer1000Chars())}));
            List<String> marks = new ArrayList<>();
            if (i == fastest) {
                marks.add(messages.getString("compare.fastest"));
            }
            if (i == shortest) {
                marks.add(messages.getString("compare.shortest"));
            }
            c.marksProperty().set(String.join(" · ", marks));
        }
    }

    /** Stops every column (any thread). */
    public void stop() {
        CancellationToken c = cancel;
        if (c != null) {
            c.cancel();
        }
    }

    /** Records the vote on a blind run of two columns, then shows the names (FX thread). */
    public void vote(Vote.Outcome outcome) {
        if (card.get() == null || columns.size() != 2 || voted.get() || revealed.get()) {
            return; // only a blind run, before the names are shown, is voted on
        }
        String a = columns.get(0).runModelProperty().get();
        String b = columns.get(1).runModelProperty().get();
        voted.set(true);
        revealed.set(true);
        if (a.equals(b)) {
            return; // the same model twice has nothing to rate
        }
        Vote v = new Vote(a, b, outcome, Instant.now());
        io.execute(() -> {
            try {
                backend.vote(v);
                List<Leaderboard.Entry> board = Leaderboard.of(backend.votes());
                fx.execute(() -> leaderboard.setAll(board));
            } catch (Exception e) {
                fx.execute(() -> error.set(e.getMessage()));
            }
        });
    }

    /** Shows the models' names without voting. */
    public void reveal() {
        revealed.set(true);
    }

    /** Writes the last run card as JSON, or Markdown when the file name ends in .md (FX thread; writes on {@code io}). */
    public void exportCard(Path file) {
        RunCard c = card.get();
        if (c == null) {
            return;
        }
        io.execute(() -> {
            try {
                Files.writeString(file, file.getFileName().toString().endsWith(".md") ? c.toMarkdown() : c.toJson());
                fx.execute(() -> error.set(""));
            } catch (Exception e) {
                fx.execute(() -> error.set(e.getMessage()));
            }
        });
    }

    /**
     * Reads a run card and runs it again with its models, variants, prompt and settings; the page then says
     * per column whether the tokens are the same (FX thread; reads on {@code io}).
     */
    public void rerunCard(Path file) {
        if (state.get() == State.RUNNING) {
            return;
        }
        io.execute(() -> {
            RunCard previous;
            try {
                previous = RunCard.fromJson(Files.readString(file));
            } catch (Exception e) {
                fx.execute(() -> error.set(e.getMessage()));
                return;
            }
            fx.execute(() -> {
                if (previous.columns().size() > MAX_COLUMNS) {
                    error.set(messages.getString("compare.pickModels"));
                    return;
                }
                columns.clear();
                List<CompareBackend.Choice> choices = new ArrayList<>();
                List<TextPump> pumps = new ArrayList<>();
                for (RunCard.ColumnRun run : previous.columns()) {
                    Column c = new Column();
                    c.modelProperty().set(run.model());
                    c.runModelProperty().set(run.model());
                    columns.add(c);
                    choices.add(new CompareBackend.Choice(run.model(), Optional.of(Variant.parse(run.variant()))));
                    pumps.add(new TextPump(fx, t -> c.textProperty().set(c.textProperty().get() + t)));
                }
                if (previous.request().prompt() instanceof GenerationRequest.Prompt.Chat chat && !chat.messages().isEmpty()) {
                    prompt.set(chat.messages().get(chat.messages().size() - 1).content());
                }
                error.set("");
                blind.set(false);
                revealed.set(true);
                voted.set(false);
                card.set(null);
                start(choices, previous.request(), pumps, previous);
            });
        });
    }

    /** After a re-run: per column whether the tokens are the same as the card's; empty otherwise. */
    public StringProperty reproducedProperty() {
        return reproduced;
    }

    /** How a column is titled: its letter in blind mode until revealed, else its model. */
    public String title(int index) {
        Column c = columns.get(index);
        String letter = String.valueOf((char) ('A' + index));
        return revealed.get() && c.runModelProperty().get() != null ? letter + ": " + c.runModelProperty().get() : letter;
    }

    public ObservableList<String> models() {
        return models;
    }

    public ObservableList<Column> columns() {
        return columns;
    }

    public StringProperty promptProperty() {
        return prompt;
    }

    /** Blind mode: columns shuffled and named A, B, ... until the vote. */
    public BooleanProperty blindProperty() {
        return blind;
    }

    /** Whether the models' names are shown. */
    public BooleanProperty revealedProperty() {
        return revealed;
    }

    /** Whether this run was voted on. */
    public BooleanProperty votedProperty() {
        return voted;
    }

    /** How the columns ran (all at once or one after another) and why. */
    public StringProperty scheduleProperty() {
        return schedule;
    }

    public StringProperty errorProperty() {
        return error;
    }

    public ObjectProperty<State> stateProperty() {
        return state;
    }

    /** The last run's card; null before the first run ends. */
    public ObjectProperty<RunCard> cardProperty() {
        return card;
    }

    /** Elo ratings from the stored votes, best first. */
    public ObservableList<Leaderboard.Entry> leaderboard() {
        return leaderboard;
    }
}
