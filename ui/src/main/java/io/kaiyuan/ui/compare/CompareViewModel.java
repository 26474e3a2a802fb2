package io.kaiyuan.ui.compare;

import io.kaiyuan.engine.api.CancellationToken;
import io.kaiyuan.engine.api.ChatMessage;
import io.kaiyuan.engine.api.ExecutionProvider;
import io.kaiyuan.engine.api.GenerationRequest;
import io.kaiyuan.engine.api.SamplingOverrides;
import io.kaiyuan.engine.api.TokenListener;
import io.kaiyuan.engine.chat.Conversation;
import io.kaiyuan.engine.compare.Comparison;
import io.kaiyuan.engine.compare.Leaderboard;
import io.kaiyuan.engine.compare.RunCard;
import io.kaiyuan.engine.compare.Vote;
import io.kaiyuan.ui.common.Background;
import io.kaiyuan.ui.common.Errors;
import io.kaiyuan.ui.common.AnswerPump;
import java.nio.file.Path;
import java.text.MessageFormat;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
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

    private final CompareBackend backend;
    private final Executor fx;
    /** The disk and the engine's answers off the FX thread, their outcome back on it. */
    private final Background background;
    private volatile ResourceBundle messages;
    private final Random shuffle;
    private final ObservableList<String> models = FXCollections.observableArrayList();
    private final ObservableList<String> providers = FXCollections.observableArrayList(ExecutionProvider.AUTO.cliName());
    private final ObservableList<Conversation> conversations = FXCollections.observableArrayList();
    private final ObjectProperty<Conversation> conversation = new SimpleObjectProperty<>();
    private final ObservableList<CompareColumn> columns = FXCollections.observableArrayList();
    private final StringProperty prompt = new SimpleStringProperty("");
    private final BlindVote blind = new BlindVote();
    /** Whether the names are shown (the blind vote's). */
    private final BooleanProperty revealed = blind.revealedProperty();
    private final StringProperty schedule = new SimpleStringProperty("");
    private final StringProperty error = new SimpleStringProperty("");
    private final ObjectProperty<State> state = new SimpleObjectProperty<>(State.IDLE);
    private final ObjectProperty<RunCard> card = new SimpleObjectProperty<>();
    private final ObservableList<Leaderboard.Entry> leaderboard = FXCollections.observableArrayList();
    private final StringProperty reproduced = new SimpleStringProperty("");
    private final SamplingFields shared = new SamplingFields();
    private final StringProperty maxTokens = new SimpleStringProperty("256");
    private final BooleanProperty scrollTogether = new SimpleBooleanProperty(false);
    private CancellationToken cancel;
    /** The streams of the run going on, drained when it ends. */
    private final List<AnswerPump> pumps = new ArrayList<>();
    /** How the last run was scheduled; null before it is known. */
    private Comparison.Schedule lastSchedule;

    /** @param shuffle orders the models among the columns in blind mode */
    public CompareViewModel(CompareBackend backend, Executor fx, Executor io, ResourceBundle messages, Random shuffle) {
        this.backend = backend;
        this.fx = fx;
        this.background = new Background(io, fx);
        this.messages = messages;
        this.shuffle = shuffle;
        shared.temperatureProperty().set("0");
        shared.seedProperty().set("42");
        for (int i = 0; i < MIN_COLUMNS; i++) {
            columns.add(newColumn());
        }
        revealed.addListener((o, a, now) -> {
            if (now) {
                identify();
            }
        });
    }

    /**
     * Once the names are shown after a blind run: each column's pickers show what it really ran (they were
     * hidden, as the models were shuffled among the columns), and the schedule says what it ran on.
     */
    private void identify() {
        for (CompareColumn c : columns) {
            if (c.ran != null && !c.ran.equals(c.choice0())) {
                c.apply(c.ran);
            }
        }
        showSchedule();
    }

    /**
     * The schedule as a sentence in the page's language; in a blind run, until the names are shown,
     * without the number of local models (which would tell a remote column from the others).
     */
    private void showSchedule() {
        Comparison.Schedule s = lastSchedule;
        if (s == null) {
            schedule.set("");
        } else if (!revealed.get()) {
            schedule.set(messages.getString(s.parallel() ? "compare.schedule.blind.parallel" : "compare.schedule.blind.serial"));
        } else if (s.localModels() < 0) {
            schedule.set(s.reason()); // a run card from before the figures were kept
        } else {
            schedule.set(new MessageFormat(messages.getString(s.parallel() ? "compare.schedule.parallel"
                    : "compare.schedule.serial"), Locale.ENGLISH).format(new Object[] {s.localModels(),
                String.format(Locale.ROOT, "%.2f", s.neededBytes() / 1e9),
                String.format(Locale.ROOT, "%.2f", s.availableBytes() / 1e9)}));
        }
    }

    /** A column whose variant list follows the model picked for it. */
    private CompareColumn newColumn() {
        CompareColumn c = new CompareColumn();
        c.modelProperty().addListener((o, before, now) -> readVariants(c, now));
        return c;
    }

    private void readVariants(CompareColumn c, String modelId) {
        if (modelId == null) {
            c.variants().setAll(CompareColumn.AUTO);
            return;
        }
        background.task(() -> {
            List<String> names = new ArrayList<>(List.of(CompareColumn.AUTO));
            backend.variants(modelId).forEach(v -> names.add(v.cliName()));
            return names;
        }).onSuccess(names -> {
            if (modelId.equals(c.modelProperty().get())) {
                String chosen = c.variantProperty().get();
                c.variants().setAll(names);
                c.variantProperty().set(names.contains(chosen) ? chosen : CompareColumn.AUTO);
            }
        }).onFailure(e -> error.set(Errors.describe(e, messages))).start();
    }

    /** The strings for texts made from now on (after a language switch). */
    public void setMessages(ResourceBundle messages) {
        this.messages = messages;
        if (card.get() != null) {
            show(card.get()); // the figures and marks in the new language
        }
        showSchedule();
    }

    /** Reads the installed models, the providers, the stored conversations and the leaderboard (on {@code io}). */
    public void refresh() {
        record Found(List<String> ids, List<String> providers, List<Leaderboard.Entry> board, List<Conversation> stored) {}
        background.task(() -> {
            List<String> found = new ArrayList<>(List.of(ExecutionProvider.AUTO.cliName()));
            backend.providers().forEach(p -> found.add(p.cliName()));
            return new Found(backend.installedModels(), found, Leaderboard.of(backend.votes()), backend.conversations());
        }).onSuccess(f -> {
            List<String> ids = f.ids();
            List<String> found = f.providers();
            List<Leaderboard.Entry> board = f.board();
            List<Conversation> stored = f.stored();
            models.setAll(ids);
            if (!providers.equals(found)) {
                List<String> chosen = columns.stream().map(c -> c.providerProperty().get()).toList();
                providers.setAll(found); // a picker may clear its value when its items are replaced
                for (int i = 0; i < columns.size(); i++) {
                    columns.get(i).providerProperty().set(found.contains(chosen.get(i)) ? chosen.get(i)
                            : ExecutionProvider.AUTO.cliName());
                }
            }
            for (int i = 0; i < columns.size(); i++) {
                CompareColumn c = columns.get(i);
                if (c.modelProperty().get() == null && !ids.isEmpty()) {
                    c.modelProperty().set(ids.get(Math.min(i, ids.size() - 1)));
                }
            }
            leaderboard.setAll(board);
            Conversation chosen = conversation.get();
            conversations.setAll(stored);
            conversation.set(chosen == null ? null
                    : stored.stream().filter(c -> c.id() == chosen.id()).findFirst().orElse(null));
        }).onFailure(e -> error.set(Errors.describe(e, messages))).start();
    }

    /** Adds a column (up to four). */
    public void addColumn() {
        if (columns.size() < MAX_COLUMNS && state.get() == State.IDLE) {
            CompareColumn c = newColumn();
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

    /** The sampling settings and token budget every column shares (greedy with seed 42 by default). */
    public void setSampling(SamplingOverrides sampling, int maxNewTokens) {
        shared.set(sampling);
        maxTokens.set(String.valueOf(maxNewTokens));
    }

    /** The sampling settings every column gets unless it sets its own; empty fields take each model's default. */
    public SamplingFields shared() {
        return shared;
    }

    /** The most tokens each column generates. */
    public StringProperty maxTokensProperty() {
        return maxTokens;
    }

    /**
     * Sends the prompt to every column (FX thread). With a stored conversation chosen, the columns answer
     * that conversation followed by the prompt, or, with no prompt, its last question again.
     */
    public void run() {
        String text = prompt.get() == null ? "" : prompt.get().strip();
        Conversation stored = conversation.get();
        if (text.isEmpty() && stored == null || state.get() == State.RUNNING) {
            return;
        }
        List<CompareBackend.Choice> picked = new ArrayList<>();
        for (CompareColumn c : columns) {
            if (c.modelProperty().get() == null) {
                error.set(messages.getString("compare.pickModels"));
                return;
            }
        }
        SamplingOverrides sampling;
        int maxNewTokens;
        try {
            sampling = shared.overrides().checked();
            for (CompareColumn c : columns) {
                CompareBackend.Choice choice = c.choice();
                choice.sampling().orElse(sampling).checked();
                picked.add(choice);
            }
            maxNewTokens = Integer.parseInt(maxTokens.get().strip());
            if (maxNewTokens < 1) {
                throw new NumberFormatException();
            }
        } catch (IllegalArgumentException | NullPointerException e) { // NumberFormatException among them
            error.set(messages.getString("compare.badSettings"));
            return;
        }
        if (stored == null) {
            launch(picked, List.of(ChatMessage.user(text)), sampling, maxNewTokens);
            return;
        }
        state.set(State.RUNNING); // while the conversation is read
        error.set("");
        background.task(() -> backend.conversation(stored.id())).onSuccess(history -> {
            state.set(State.IDLE);
            List<ChatMessage> asked = ask(history, text);
            if (asked.isEmpty()) {
                error.set(messages.getString("compare.noQuestion"));
            } else {
                launch(picked, asked, sampling, maxNewTokens);
            }
        }).onFailure(e -> {
            state.set(State.IDLE);
            error.set(Errors.describe(e, messages));
        }).start();
    }

    /**
     * The messages the columns answer: the conversation and then {@code text}, or without text the
     * conversation up to its last question (the answer to it left out); empty when it has no question.
     */
    static List<ChatMessage> ask(List<ChatMessage> history, String text) {
        List<ChatMessage> out = new ArrayList<>(history);
        if (!text.isEmpty()) {
            out.add(ChatMessage.user(text));
            return out;
        }
        while (!out.isEmpty() && !"user".equals(out.get(out.size() - 1).role())) {
            out.remove(out.size() - 1);
        }
        return out;
    }

    private void launch(List<CompareBackend.Choice> picked, List<ChatMessage> messagesToAsk, SamplingOverrides sampling,
            int maxNewTokens) {
        List<CompareBackend.Choice> order = new ArrayList<>(picked);
        if (blind.blindProperty().get()) {
            Collections.shuffle(order, shuffle);
        }
        error.set("");
        schedule.set("");
        card.set(null);
        blind.runStarts();
        for (int i = 0; i < columns.size(); i++) {
            columns.get(i).ran = order.get(i);
            columns.get(i).runModelProperty().set(CompareColumn.label(order.get(i)));
        }
        GenerationRequest request = new GenerationRequest(new GenerationRequest.Prompt.Chat(messagesToAsk, Map.of()),
                sampling, maxNewTokens, List.of());
        start(order, request, null);
    }

    /** A column's streamed answer and thinking, handed to the FX thread in batches. */
    private TokenListener listener(CompareColumn c) {
        c.clear();
        AnswerPump pump = new AnswerPump(fx, t -> c.textProperty().set(c.textProperty().get() + t),
                t -> c.reasoningProperty().set(c.reasoningProperty().get() + t));
        pumps.add(pump);
        return new TokenListener() {
            @Override
            public void onText(String t) {
                pump.text(t);
            }

            @Override
            public void onReasoning(String t) {
                pump.reasoning(t);
            }
        };
    }

    /** Runs the columns (FX thread); with {@code previous}, says afterwards whether each reproduced it. */
    private void start(List<CompareBackend.Choice> choices, GenerationRequest request, RunCard previous) {
        state.set(State.RUNNING);
        reproduced.set("");
        lastSchedule = null;
        cancel = new CancellationToken();
        List<CancellationToken> stops = new ArrayList<>();
        List<TokenListener> listeners = new ArrayList<>();
        pumps.clear();
        for (CompareColumn c : columns) {
            stops.add(c.newStop());
            listeners.add(listener(c));
        }
        backend.run(choices, request, new Comparison.Listener() {
            @Override
            public TokenListener tokens(int column) {
                return listeners.get(column);
            }

            @Override
            public CancellationToken cancel(int column) {
                return stops.get(column);
            }
        }, s -> fx.execute(() -> {
            lastSchedule = s;
            showSchedule();
        }), cancel, new CompareBackend.Done() {
            @Override
            public void finished(RunCard result) {
                fx.execute(() -> {
                    pumps.forEach(AnswerPump::drain);
                    pumps.clear();
                    show(result);
                    if (previous != null) {
                        reproduced.set(RunCards.reproduced(previous, result, messages));
                    }
                    state.set(State.IDLE);
                });
            }

            @Override
            public void failed(String message) {
                fx.execute(() -> {
                    pumps.forEach(AnswerPump::drain);
                    pumps.clear();
                    error.set(message);
                    state.set(State.IDLE);
                });
            }

            @Override
            public void failed(Throwable e) {
                // Stop while a model was loading: nothing ran, nothing is wrong
                failed(e instanceof java.util.concurrent.CancellationException ? messages.getString("compare.stoppedLoading")
                        : Errors.describe(e, messages));
            }
        });
    }

    private void show(RunCard result) {
        card.set(result);
        int fastest = result.fastest();
        int shortest = result.shortest();
        String peakNote = result.schedule().parallel() ? messages.getString("compare.peakTogether") : "";
        for (int i = 0; i < columns.size() && i < result.columns().size(); i++) {
            columns.get(i).show(result.columns().get(i), messages, i == fastest, i == shortest, peakNote);
        }
    }

    /** Stops every column (any thread). */
    public void stop() {
        CancellationToken c = cancel;
        if (c != null) {
            c.cancel();
        }
    }

    /** Whether the last run can be voted on: a blind run that ended, before the names are shown. */
    public boolean canVote() {
        return blind.canVote(card.get() != null);
    }

    /**
     * Records the verdict on a blind run, then shows the names (FX thread). With two columns A_BETTER and
     * B_BETTER name the better one; with any number TIE and BOTH_BAD (all bad) rate every pair alike.
     */
    public void vote(Vote.Outcome outcome) {
        switch (outcome) {
            case A_BETTER -> voteBest(0);
            case B_BETTER -> voteBest(1);
            default -> record(outcome, -1);
        }
    }

    /** Records that column {@code best} is better than each of the others, then shows the names (FX thread). */
    public void voteBest(int best) {
        record(Vote.Outcome.A_BETTER, best);
    }

    private void record(Vote.Outcome outcome, int best) {
        if (!canVote() || best >= columns.size()) {
            return;
        }
        List<Vote> votes = blind.decide(columns.stream().map(c -> c.runModelProperty().get()).toList(), outcome, best,
                Instant.now());
        if (votes.isEmpty()) {
            return;
        }
        background.task(() -> {
            backend.vote(votes);
            return Leaderboard.of(backend.votes());
        }).onSuccess(leaderboard::setAll).onFailure(e -> error.set(Errors.describe(e, messages))).start();
    }

    /** Shows the models' names without voting. */
    public void reveal() {
        blind.reveal();
    }

    /** Writes the last run card as JSON, or Markdown when the file name ends in .md (FX thread; writes on {@code io}). */
    public void exportCard(Path file) {
        RunCard c = card.get();
        if (c == null) {
            return;
        }
        background.run(() -> RunCards.write(c, file)).onSuccess(done -> error.set("")).onFailure(e -> error.set(Errors.describe(e, messages))).start();
    }

    /**
     * Reads a run card and runs it again with its models, variants, providers, prompt and settings; the page
     * then says per column whether the tokens are the same (FX thread; reads on {@code io}).
     */
    public void rerunCard(Path file) {
        if (state.get() == State.RUNNING) {
            return;
        }
        background.task(() -> RunCards.read(file)).onFailure(e -> error.set(Errors.describe(e, messages)))
                .onSuccess(previous -> {
                if (previous.columns().size() > MAX_COLUMNS) {
                    error.set(messages.getString("compare.pickModels"));
                    return;
                }
                GenerationRequest request = previous.request();
                // Every column's choice first: a card that cannot run leaves the page as it was, with a message.
                List<CompareBackend.Choice> choices;
                try {
                    choices = RunCards.choices(previous);
                } catch (IllegalArgumentException e) {
                    error.set(MessageFormat.format(messages.getString("compare.rerun.bad"), Errors.detail(e)));
                    return;
                }
                setSampling(request.sampling(), request.maxNewTokens());
                columns.clear();
                for (int i = 0; i < choices.size(); i++) {
                    CompareColumn c = newColumn();
                    c.take(previous.columns().get(i), request.sampling());
                    columns.add(c);
                    c.ran = choices.get(i);
                    c.runModelProperty().set(CompareColumn.label(c.choice()));
                }
                conversation.set(null);
                if (request.prompt() instanceof GenerationRequest.Prompt.Chat chat && !chat.messages().isEmpty()) {
                    prompt.set(chat.messages().get(chat.messages().size() - 1).content());
                }
                error.set("");
                blind.rerunStarts();
                card.set(null);
                start(choices, request, previous);
            }).start();
    }

    /** After a re-run: per column whether the tokens are the same as the card's; empty otherwise. */
    public StringProperty reproducedProperty() {
        return reproduced;
    }

    /** How a column is titled: its letter in blind mode until revealed, else what it ran. */
    public String title(int index) {
        CompareColumn c = columns.get(index);
        String letter = String.valueOf((char) ('A' + index));
        return revealed.get() && c.runModelProperty().get() != null ? letter + ": " + c.runModelProperty().get() : letter;
    }

    public ObservableList<String> models() {
        return models;
    }

    /** "auto" and the execution providers this machine has. */
    public ObservableList<String> providers() {
        return providers;
    }

    /** The stored conversations, newest first. */
    public ObservableList<Conversation> conversations() {
        return conversations;
    }

    /** The stored conversation every column answers; null for the prompt alone. */
    public ObjectProperty<Conversation> conversationProperty() {
        return conversation;
    }

    public ObservableList<CompareColumn> columns() {
        return columns;
    }

    public StringProperty promptProperty() {
        return prompt;
    }

    /** Blind mode: columns shuffled and named A, B, ... until the vote. */
    public BooleanProperty blindProperty() {
        return blind.blindProperty();
    }

    /** Whether the columns scroll together: scrolling one moves the others to the same place. */
    public BooleanProperty scrollTogetherProperty() {
        return scrollTogether;
    }

    /** Whether the models' names are shown. */
    public BooleanProperty revealedProperty() {
        return revealed;
    }

    /** Whether this run was voted on. */
    public BooleanProperty votedProperty() {
        return blind.votedProperty();
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
