package io.kaiyuan.ui.chat;

import io.kaiyuan.engine.api.CancellationToken;
import io.kaiyuan.engine.api.ChatMessage;
import io.kaiyuan.engine.api.FinishReason;
import io.kaiyuan.engine.api.GenerationMetrics;
import io.kaiyuan.engine.api.GenerationResult;
import io.kaiyuan.engine.api.LoadProgress;
import io.kaiyuan.engine.api.ResponseFormat;
import io.kaiyuan.engine.constrain.Schema;
import io.kaiyuan.engine.constrain.SchemaException;
import io.kaiyuan.engine.api.SamplingOverrides;
import io.kaiyuan.engine.api.SamplingParams;
import io.kaiyuan.engine.api.TokenListener;
import io.kaiyuan.engine.chat.ChatExport;
import io.kaiyuan.engine.chat.ChatStore;
import io.kaiyuan.engine.chat.Conversation;
import io.kaiyuan.engine.chat.StoredMessage;
import io.kaiyuan.engine.chat.ToolRound;
import io.kaiyuan.engine.chat.VersionedMessage;
import io.kaiyuan.engine.remote.Endpoint;
import io.kaiyuan.ui.common.AnswerPump;
import io.kaiyuan.ui.common.Background;
import io.kaiyuan.ui.common.Errors;
import io.kaiyuan.ui.common.SerialExecutor;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.MessageFormat;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.ResourceBundle;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import javafx.beans.binding.Bindings;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.IntegerProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.SimpleIntegerProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import javafx.collections.ObservableSet;

/**
 * The chat page's state and actions, with no controls: properties only, changed on the FX thread (the
 * {@code fxExecutor}); the engine runs on the backend's thread and the history is read and written on
 * {@code io}, one task at a time and in the order asked, so that writes never overtake each other.
 *
 * <p>Each conversation is a {@link ChatSession}; the page shows one. A turn belongs to the session that
 * asked: switching, a new chat or a delete while it streams leave it streaming into its own conversation,
 * where it is saved. Without a store, conversations live only in memory.
 */
public final class ChatViewModel {
    /** What the conversation shown is doing. */
    public enum State { IDLE, GENERATING }

    /** The formats a conversation can be exported in. */
    public enum ExportFormat { MARKDOWN, JSON }

    /** Titles are cut to about this many characters of the first question. */
    static final int TITLE_LENGTH = 48;
    /** An attached file larger than this is refused: it could not fit any of the models' windows anyway. */
    static final long MAX_ATTACHMENT_BYTES = 1L << 20;
    /** Tokens kept free for the answer when deciding whether an attachment fits. */
    static final int ANSWER_ROOM = 512;
    /** Built-in assistants, by their keys in the resource bundle. */
    static final List<String> BUILT_IN_ASSISTANTS = List.of("general", "translator", "reviewer");

    private final ChatBackend backend;
    private final Executor fxExecutor;
    private volatile ResourceBundle messages;
    private final ChatStore store;
    private final Executor io;
    /**
     * Each stored conversation's writes (and the reads that must see them) in the order asked for, one
     * serial executor per conversation id: conversations are written in parallel, one conversation in order.
     */
    private final Map<Long, Executor> writers = new java.util.concurrent.ConcurrentHashMap<>();
    /** The saved assistants' writes and reads, in order. */
    private final Executor assistantTasks;
    /** The newest read of the conversation list (a search typed fast shows its last words only). */
    private final Background.Latest listing = new Background.Latest();
    /** Reads off the FX thread, their outcome back on it. */
    private final Background background;
    /** The latest look at the chosen model (its template's switch, window, defaults): an older one is not shown. */
    private final Background.Latest inspections = new Background.Latest();
    private final ObservableList<String> models = FXCollections.observableArrayList();
    private final ObservableList<ChatBackend.ModelChoice> modelChoices = FXCollections.observableArrayList();
    private final StringProperty selectedModel = new SimpleStringProperty();
    private final ObservableList<MessageItem> conversation = FXCollections.observableArrayList();
    private final ObservableList<Conversation> conversations = FXCollections.observableArrayList();
    private final ObservableSet<Long> answering = FXCollections.observableSet();
    private final ObjectProperty<Conversation> current = new SimpleObjectProperty<>();
    private final StringProperty search = new SimpleStringProperty("");
    private final StringProperty input = new SimpleStringProperty("");
    private final StringProperty error = new SimpleStringProperty("");
    private final ObjectProperty<State> state = new SimpleObjectProperty<>(State.IDLE);
    private final BooleanProperty thinkingSwitch = new SimpleBooleanProperty(false);
    private final BooleanProperty thinking = new SimpleBooleanProperty(true);
    private final IntegerProperty contextUsed = new SimpleIntegerProperty(0);
    private final IntegerProperty contextLimit = new SimpleIntegerProperty(0);
    private final StringProperty notice = new SimpleStringProperty("");
    private final StringProperty systemPrompt = new SimpleStringProperty("");
    private final StringProperty loadingStatus = new SimpleStringProperty("");
    /** Whether the model picked is loading ahead of a question, and how to stop that load. */
    private final javafx.beans.property.ReadOnlyBooleanWrapper loading = new javafx.beans.property.ReadOnlyBooleanWrapper();
    private CancellationToken preloading;
    private final ObjectProperty<SamplingOverrides> sampling = new SimpleObjectProperty<>(SamplingOverrides.NONE);
    private final ObjectProperty<ResponseFormat> responseFormat = new SimpleObjectProperty<>(ResponseFormat.TEXT);
    private final ObjectProperty<ToolApproval> toolApproval = new SimpleObjectProperty<>();
    private final ObjectProperty<SamplingParams> modelDefaults = new SimpleObjectProperty<>();
    private final ObservableList<Attachment> attachments = FXCollections.observableArrayList();
    private final ObservableList<AssistantChoice> assistants = FXCollections.observableArrayList();
    private final ObjectProperty<ModelOffer> offer = new SimpleObjectProperty<>();
    private final BooleanProperty modelsKnown = new SimpleBooleanProperty(false);
    /** Sessions answering in the background, by conversation id. */
    private final Map<Long, ChatSession> live = new HashMap<>();
    private ChatSession shown;
    /** Bumped by every open, so that a slow read of one conversation cannot show over a later choice. */
    private int opening;
    /** A model to select as soon as it is installed (a download from the empty chat, "Chat with this model"). */
    private String pendingModel;

    /** A chat page without a history on disk. */
    public ChatViewModel(ChatBackend backend, Executor fxExecutor, ResourceBundle messages) {
        this(backend, fxExecutor, messages, null, Runnable::run);
    }

    /** A chat page whose conversations are kept in {@code store}, read and written on {@code io}. */
    public ChatViewModel(ChatBackend backend, Executor fxExecutor, ResourceBundle messages, ChatStore store, Executor io) {
        this.backend = backend;
        this.fxExecutor = fxExecutor;
        this.messages = messages;
        this.store = store;
        this.io = io;
        this.assistantTasks = new SerialExecutor(io);
        this.background = new Background(io, fxExecutor);
        this.shown = newSession();
        Bindings.bindContent(conversation, shown.messages);
        search.addListener((o, a, b) -> refreshConversations());
        selectedModel.addListener((o, a, b) -> inspectModel(b));
        systemPrompt.addListener((o, a, b) -> shown.systemPrompt = b == null ? "" : b);
        sampling.addListener((o, a, b) -> shown.sampling = b == null ? SamplingOverrides.NONE : b);
        responseFormat.addListener((o, a, b) -> shown.format = b == null ? ResponseFormat.TEXT : b);
        loadAssistants();
    }

    // ---------------------------------------------------------------- models

    /** Finds out on {@code io} whether the model has Qwen3's thinking switch and how large its context is. */
    private void inspectModel(String modelId) {
        if (modelId == null) {
            thinkingSwitch.set(false);
            contextLimit.set(0);
            modelDefaults.set(null);
            return;
        }
        record Inspected(boolean thinking, int limit, SamplingParams defaults) {}
        background.task(() -> new Inspected(backend.hasThinkingSwitch(modelId), backend.contextWindow(modelId).orElse(0),
                backend.samplingDefaults(modelId).orElse(null))).in(inspections).onSuccess(found -> {
            if (modelId.equals(selectedModel.get())) {
                thinkingSwitch.set(found.thinking());
                contextLimit.set(found.limit());
                modelDefaults.set(found.defaults());
            }
        }).start();
    }

    /** Replaces the model list by ids alone (FX thread); keeps the selection when it is still there. */
    public void setModels(List<String> ids) {
        setModelChoices(ids.stream().map(ChatBackend.ModelChoice::of).toList());
    }

    /** Replaces the model list (FX thread); keeps the selection when it is still there. */
    public void setModelChoices(List<ChatBackend.ModelChoice> choices) {
        List<String> ids = choices.stream().map(ChatBackend.ModelChoice::id).toList();
        String selected = selectedModel.get();
        modelChoices.setAll(choices);
        models.setAll(ids);
        modelsKnown.set(true);
        if (pendingModel != null && ids.contains(pendingModel)) {
            selected = pendingModel;
            pendingModel = null;
        }
        selectedModel.set(selected != null && ids.contains(selected) ? selected : ids.isEmpty() ? null : ids.get(0));
        if (!ids.isEmpty() && messages.getString("chat.noModel").equals(error.get())) {
            error.set("");
        }
    }

    /** Reads the installed and remote models again (on {@code io}): after an install, a removal, a change on disk. */
    public void refreshModels() {
        background.task(backend::modelChoices).onSuccess(this::setModelChoices)
                .onFailure(e -> error.set(Errors.describe(e, messages))).start();
    }

    /** Loads the selected model in the background, showing that it loads (FX thread; the picker's choice). */
    public void preload() {
        String modelId = selectedModel.get();
        if (modelId == null || shown.generating()) {
            return;
        }
        cancelLoading(); // the model picked before is not wanted any more
        CancellationToken cancel = new CancellationToken();
        preloading = cancel;
        loading.set(true);
        loadingStatus.set(MessageFormat.format(messages.getString("chat.loading"), modelId));
        Runnable done = () -> {
            if (preloading == cancel) {
                preloading = null;
                loading.set(false);
                loadingStatus.set("");
            }
        };
        backend.preload(modelId, new ChatBackend.LoadListener() {
            @Override
            public void loading(LoadProgress.Phase phase) {
                fxExecutor.execute(() -> {
                    if (preloading == cancel) {
                        loadingStatus.set(loadingText(modelId, phase));
                    }
                });
            }

            @Override
            public void loaded() {
                fxExecutor.execute(done);
            }

            @Override
            public void cancelled() {
                fxExecutor.execute(done);
            }

            @Override
            public void failed(String message) {
                fxExecutor.execute(() -> {
                    if (preloading == cancel) {
                        done.run();
                        error.set(message);
                    }
                });
            }

            @Override
            public void failed(Throwable e) {
                failed(Errors.describe(e, messages));
            }
        }, cancel);
    }

    /**
     * Stops loading the model picked ahead of a question (between the load's steps: a step begun ends
     * first); the page stops saying it loads at once (FX thread).
     */
    public void cancelLoading() {
        CancellationToken c = preloading;
        if (c != null) {
            c.cancel();
            preloading = null;
            loading.set(false);
            loadingStatus.set("");
        }
    }

    /** Whether a model picked ahead of a question is loading (the page offers to cancel it). */
    public ReadOnlyBooleanProperty loadingProperty() {
        return loading.getReadOnlyProperty();
    }

    /** "Loading {model}: reading its weights…" in the page's language. */
    private String loadingText(String modelId, LoadProgress.Phase phase) {
        return MessageFormat.format(messages.getString("chat.loading.phase"), modelId,
                messages.getString("chat.loading." + phase.name().toLowerCase(Locale.ROOT)));
    }

    // ---------------------------------------------------------------- conversations

    /** Reads the conversation list (matching the search) from the store. */
    public void refreshConversations() {
        if (store == null) {
            return;
        }
        String query = search.get() == null ? "" : search.get().strip();
        background.task(() -> query.isEmpty() ? store.list() : store.search(query)).in(listing)
                .onSuccess(conversations::setAll).onFailure(this::storeFailed).start();
    }

    /** Shows a stored conversation (FX thread); an answer streaming in the one shown goes on there. */
    public void open(Conversation c) {
        if (shown.conversation != null && shown.conversation.id() == c.id()) {
            return;
        }
        leave();
        ChatSession answeringSession = live.get(c.id());
        c.modelId().filter(models::contains).ifPresent(selectedModel::set);
        if (answeringSession != null) {
            show(answeringSession);
            return;
        }
        ChatSession session = new ChatSession(c, writesOf(c.id()));
        show(session);
        if (store == null) {
            return;
        }
        int ticket = ++opening;
        // after the writes of this conversation asked for before (an answer of a turn just ended)
        background.task(() -> store.history(c.id())).on(session.writes).onSuccess(history -> {
            if (ticket != opening || shown != session) {
                return;
            }
            session.messages.setAll(history.stream().map(this::item).toList());
            session.contextUsed = history.stream().map(VersionedMessage::message)
                    .flatMap(m -> m.metrics().stream()).reduce((x, y) -> y)
                    .map(m -> m.promptTokens() + m.generatedTokens()).orElse(0);
            contextUsed.set(session.contextUsed);
        }).onFailure(this::storeFailed).start();
    }

    /** Starts a new conversation (FX thread); an answer streaming in the one shown goes on there. */
    public void newChat() {
        leave();
        show(newSession());
        input.set("");
        attachments.clear();
    }

    /** Starts a new conversation with {@code modelId}, selected as soon as it is in the list (FX thread). */
    public void newChatWith(String modelId) {
        newChat();
        if (models.contains(modelId)) {
            selectedModel.set(modelId);
        } else {
            pendingModel = modelId;
            refreshModels();
        }
    }

    /** Before another session is shown: keeps this one's settings, and keeps it alive while it answers. */
    private void leave() {
        saveSettings();
        if (shown.generating() && shown.conversation != null) {
            live.put(shown.conversation.id(), shown);
        }
    }

    private void show(ChatSession session) {
        Bindings.unbindContent(conversation, shown.messages);
        shown = session;
        conversation.setAll(session.messages);
        Bindings.bindContent(conversation, session.messages);
        current.set(session.conversation);
        systemPrompt.set(session.systemPrompt);
        sampling.set(session.sampling);
        responseFormat.set(session.format);
        contextUsed.set(session.contextUsed);
        notice.set(session.notice);
        state.set(session.generating() ? State.GENERATING : State.IDLE);
        loadingStatus.set("");
        error.set("");
        if (session.conversation != null && !session.generating()) {
            live.remove(session.conversation.id());
        }
    }

    private MessageItem item(VersionedMessage v) {
        StoredMessage first = v.versions().get(0);
        MessageItem item = new MessageItem(first.role(), first.content());
        for (int i = 0; i < v.versions().size(); i++) {
            StoredMessage m = v.versions().get(i);
            MessageItem.Version version = i == 0 ? item.versions().get(0) : item.addVersion();
            version.textProperty().set(m.content());
            version.reasoningProperty().set(m.reasoning());
            version.toolRounds().setAll(m.toolRounds());
            if (m.metrics().isPresent() && m.finishReason().isPresent()) {
                setFooter(version, m.metrics().get(), m.finishReason().get());
                version.reasoningMsProperty().set(m.metrics().get().reasoningMs());
            }
        }
        item.chosenProperty().set(v.chosen());
        return item;
    }

    /** Renames a stored conversation; its settings and messages stay as they are. */
    public void rename(Conversation c, String title) {
        String t = title == null ? "" : title.strip();
        if (store == null || t.isEmpty()) {
            return;
        }
        background.task(() -> {
            store.rename(c.id(), t);
            return store.find(c.id());
        }).on(writesOf(c.id())).onSuccess(renamed -> renamed.ifPresent(this::updated)).onFailure(this::storeFailed)
                .onFinally(this::refreshConversations).start();
    }

    /** A stored conversation changed: the session holding it takes the new record (FX thread). */
    private void updated(Conversation c) {
        ChatSession s = sessionOf(c.id());
        if (s != null) {
            s.conversation = c;
            if (s == shown) {
                current.set(c);
            }
        }
    }

    private ChatSession sessionOf(long id) {
        if (shown.conversation != null && shown.conversation.id() == id) {
            return shown;
        }
        return live.get(id);
    }

    /** Deletes a stored conversation (the view asks first); an answer streaming into it stops and is not saved. */
    public void delete(Conversation c) {
        if (store == null) {
            return;
        }
        ChatSession s = sessionOf(c.id());
        if (s != null) {
            s.deleted = true;
            if (s.turn != null) {
                s.turn.cancel.cancel();
            }
            live.remove(c.id());
            answering.remove(c.id());
            if (s == shown) {
                show(newSession());
            }
        }
        write(writesOf(c.id()), () -> store.delete(c.id()), true);
    }

    // ---------------------------------------------------------------- turns

    /** Sends the input and the attached files as the next user message and streams the answer (FX thread). */
    public void send() {
        String typed = input.get() == null ? "" : input.get().strip();
        if ((typed.isEmpty() && attachments.isEmpty()) || shown.generating() || !checkModel()) {
            return;
        }
        StringBuilder text = new StringBuilder(typed);
        for (Attachment a : attachments) {
            text.append(text.length() == 0 ? "" : "\n\n").append(a.block());
        }
        input.set("");
        attachments.clear();
        ChatSession s = shown;
        int position = s.messages.size();
        s.messages.add(new MessageItem("user", text.toString()));
        MessageItem answer = new MessageItem("assistant", "");
        s.messages.add(answer);
        start(s, position + 1, answer, answer.chosen(), false, text.toString());
    }

    /** Asks {@code text} as a starter prompt of an empty conversation (FX thread). */
    public void sendStarter(String text) {
        input.set(text);
        send();
    }

    /** Answers the last question again as a new version of the last answer; the earlier ones stay (FX thread). */
    public void regenerate() {
        ChatSession s = shown;
        int last = s.messages.size() - 1;
        if (s.generating() || last < 1 || s.messages.get(last).isUser() || !checkModel()) {
            return;
        }
        MessageItem answer = s.messages.get(last);
        start(s, last, answer, answer.addVersion(), true, null);
    }

    /**
     * Replaces a user message with {@code text} and answers from there; the messages after it are dropped
     * (FX thread).
     */
    public void edit(MessageItem message, String text) {
        ChatSession s = shown;
        int index = s.messages.indexOf(message);
        String t = text == null ? "" : text.strip();
        if (s.generating() || index < 0 || !message.isUser() || t.isEmpty() || !checkModel()) {
            return;
        }
        s.messages.remove(index, s.messages.size());
        s.messages.add(new MessageItem("user", t));
        MessageItem answer = new MessageItem("assistant", "");
        s.messages.add(answer);
        start(s, index + 1, answer, answer.chosen(), false, t);
    }

    /** How many messages an edit of {@code message} would replace (those after it). */
    public int laterMessages(MessageItem message) {
        int index = conversation.indexOf(message);
        return index < 0 ? 0 : conversation.size() - index - 1;
    }

    /** Shows another version of an answer; the next turn reads the one shown (FX thread). */
    public void choose(MessageItem message, int version) {
        ChatSession s = shown;
        int position = s.messages.indexOf(message);
        if (position < 0 || version < 0 || version >= message.versions().size() || s.generating()
                || version == message.chosenProperty().get()) {
            return;
        }
        message.chosenProperty().set(version);
        if (store == null) {
            return;
        }
        write(s.writes, () -> {
            if (s.deleted || s.storedId == 0) {
                return;
            }
            store.choose(s.storedId, position, version);
        }, false);
    }

    private boolean checkModel() {
        if (selectedModel.get() == null) {
            error.set(messages.getString("chat.noModel"));
            return false;
        }
        error.set("");
        return true;
    }

    /**
     * Streams the answer to the messages before {@code answerPosition} into {@code version} of {@code answer}.
     *
     * @param question the question asked at {@code answerPosition - 1}, to store first; null when it is
     *     stored already (a regeneration)
     */
    private void start(ChatSession s, int answerPosition, MessageItem answer, MessageItem.Version version,
            boolean regenerated, String question) {
        String modelId = selectedModel.get();
        String system = systemPrompt.get() == null ? "" : systemPrompt.get().strip();
        SamplingOverrides turnSampling = sampling.get();
        List<ChatMessage> history = new ArrayList<>();
        if (!system.isEmpty()) {
            history.add(ChatMessage.system(system));
        }
        for (MessageItem m : s.messages.subList(0, answerPosition)) {
            for (ToolRound r : m.chosen().toolRounds()) {
                history.addAll(r.chatMessages());
            }
            history.add(new ChatMessage(m.role(), m.textProperty().get(), reasoningExtra(m)));
        }
        boolean othersAnswering = live.values().stream().anyMatch(o -> o.turn != null && !Endpoint.isRemote(o.turn.modelId));
        ChatSession.Turn turn = new ChatSession.Turn(s, answerPosition, answer, version, regenerated, modelId, system,
                turnSampling);
        s.turn = turn;
        s.notice = "";
        state.set(State.GENERATING);
        notice.set("");
        // a load begun by the picker goes on for this turn, which says how it goes (and stops it with Stop)
        preloading = null;
        loading.set(false);
        loadingStatus.set(othersAnswering && !Endpoint.isRemote(modelId) ? messages.getString("chat.waiting") : "");
        if (s.conversation != null) {
            answering.add(s.conversation.id());
        }
        ResponseFormat turnFormat = s.format;
        if (question != null) {
            storeQuestion(s, answerPosition - 1, question, modelId, system, turnSampling, turnFormat);
        }
        AnswerPump pump = new AnswerPump(fxExecutor, t -> version.textProperty().set(version.textProperty().get() + t),
                t -> version.reasoningProperty().set(version.reasoningProperty().get() + t));
        AtomicBoolean started = new AtomicBoolean();
        Runnable firstOutput = () -> {
            if (started.compareAndSet(false, true)) {
                fxExecutor.execute(() -> {
                    if (shown == s) {
                        loadingStatus.set("");
                    }
                });
            }
        };
        TokenListener listener = new TokenListener() {
            @Override
            public void onText(String t) {
                firstOutput.run();
                pump.text(t);
            }

            @Override
            public void onReasoning(String t) {
                firstOutput.run();
                pump.reasoning(t);
            }
        };
        Map<String, Object> variables = thinkingSwitch.get() ? Map.of("enable_thinking", thinking.get()) : Map.of();
        backend.answer(modelId, history, variables, turnSampling, turnFormat, listener, turn.cancel, new ChatBackend.Completion() {
            @Override
            public void finished(GenerationResult result) {
                fxExecutor.execute(() -> {
                    pump.drain();
                    finish(turn, result);
                });
            }

            @Override
            public void loading(LoadProgress.Phase phase) {
                fxExecutor.execute(() -> {
                    if (shown == s && s.turn == turn) {
                        loadingStatus.set(loadingText(modelId, phase));
                    }
                });
            }

            @Override
            public boolean allowToolCall(String server, io.kaiyuan.engine.api.ToolCall call) {
                ToolApproval ask = new ToolApproval(server, call);
                fxExecutor.execute(() -> {
                    if (turn.cancel.isCancelled()) {
                        ask.answer(false);
                    } else {
                        toolApproval.set(ask);
                    }
                });
                boolean allowed = ask.await(turn.cancel);
                fxExecutor.execute(() -> {
                    if (toolApproval.get() == ask) {
                        toolApproval.set(null);
                    }
                });
                return allowed;
            }

            @Override
            public void toolCalled(int round, String server, io.kaiyuan.engine.api.ToolCall call, String result,
                    boolean error, long millis) {
                ToolRound.Call done = new ToolRound.Call(call.id(), call.name(), call.arguments(), server, result, error, millis);
                pump.then(() -> called(turn, round, done));
            }

            @Override
            public void toolServerFailed(String server, String message) {
                fxExecutor.execute(() -> {
                    s.notice = MessageFormat.format(messages.getString("chat.tools.serverFailed"), server, message);
                    if (shown == s) {
                        notice.set(s.notice);
                    }
                });
            }

            @Override
            public void trimmed(int droppedMessages) {
                fxExecutor.execute(() -> {
                    s.notice = MessageFormat.format(messages.getString("chat.trimmed"), droppedMessages);
                    if (shown == s) {
                        notice.set(s.notice);
                    }
                });
            }

            @Override
            public void failed(String message) {
                fxExecutor.execute(() -> {
                    pump.drain();
                    fail(turn, message);
                });
            }

            @Override
            public void failed(Throwable e) {
                failed(Errors.describe(e, messages));
            }
        });
    }

    /** The turn ended (FX thread): its figures go under its answer, and the answer into its own conversation. */
    private void finish(ChatSession.Turn turn, GenerationResult result) {
        ChatSession s = turn.session;
        MessageItem.Version v = turn.version;
        boolean empty = result.answer().isEmpty() && result.reasoning().isEmpty();
        if (turn.regenerated && empty && result.finishReason() == FinishReason.CANCELLED) {
            dropVersion(turn);
        } else {
            // a turn that called tools answered in rounds: the rounds are kept already, this is the last answer
            String answer = result.answer();
            v.textProperty().set(answer);
            v.reasoningProperty().set(result.reasoning());
            setFooter(v, result.metrics(), result.finishReason());
            v.reasoningMsProperty().set(result.metrics().reasoningMs());
            storeAnswer(turn, StoredMessage.answer(answer, result.reasoning(), turn.modelId,
                    null, turn.sampling, result.metrics(), result.finishReason()).withToolRounds(v.toolRounds()));
        }
        s.contextUsed = result.metrics().promptTokens() + result.metrics().generatedTokens();
        ended(turn);
    }

    /**
     * A tool call of the turn ran (FX thread, after the text streamed before it): the first call of a round
     * takes the text and thinking streamed so far as the round's, and the answer goes on after it.
     */
    private static void called(ChatSession.Turn turn, int round, ToolRound.Call call) {
        MessageItem.Version v = turn.version;
        List<ToolRound> rounds = v.toolRounds();
        if (round != turn.toolRound || rounds.isEmpty()) {
            turn.toolRound = round;
            rounds.add(new ToolRound(v.textProperty().get(), v.reasoningProperty().get(), List.of(call)));
            v.textProperty().set("");
            v.reasoningProperty().set("");
        } else {
            rounds.set(rounds.size() - 1, rounds.get(rounds.size() - 1).with(call));
        }
    }

    private void fail(ChatSession.Turn turn, String message) {
        if (turn.version.textProperty().get().isEmpty() && turn.version.toolRounds().isEmpty()) {
            if (turn.regenerated) {
                dropVersion(turn);
            } else {
                turn.session.messages.remove(turn.answer);
            }
        }
        ended(turn);
        if (shown == turn.session) {
            error.set(message);
        }
    }

    private static void dropVersion(ChatSession.Turn turn) {
        MessageItem answer = turn.answer;
        answer.chosenProperty().set(Math.max(0, answer.versions().size() - 2));
        answer.versions().remove(turn.version);
    }

    private void ended(ChatSession.Turn turn) {
        ChatSession s = turn.session;
        if (s.turn == turn) {
            s.turn = null;
        }
        if (s.conversation != null) {
            answering.remove(s.conversation.id());
            if (s != shown) {
                live.remove(s.conversation.id());
            }
        }
        if (s == shown) {
            state.set(State.IDLE);
            loadingStatus.set("");
            contextUsed.set(s.contextUsed);
        }
    }

    /**
     * Stores the question (creating the conversation on its first one) and the conversation's settings as
     * of this turn, on the store's thread.
     */
    private void storeQuestion(ChatSession s, int position, String question, String modelId, String system,
            SamplingOverrides turnSampling, ResponseFormat turnFormat) {
        if (store == null) {
            return;
        }
        String title = title(question);
        background.task(() -> {
            if (s.deleted) {
                return Optional.<Conversation>empty();
            }
            long id = s.storedId;
            if (id == 0) {
                id = store.create(title, Optional.ofNullable(modelId)).id();
                s.storedId = id;
                writers.putIfAbsent(id, s.writes); // what is asked of this conversation from now on follows these writes
            } else if (position == 0) {
                store.retitle(id, title);
            }
            store.replaceFrom(id, position, List.of(StoredMessage.user(question)));
            store.updateSettings(id, Optional.ofNullable(modelId), system, turnSampling);
            if (position == 0 && !turnFormat.isText()) {
                store.updateFormat(id, turnFormat); // a new conversation's format, chosen before its first question
            }
            return store.find(id);
        }).on(s.writes).onSuccess(saved -> saved.ifPresent(c -> {
            s.conversation = c;
            if (s.turn != null) {
                answering.add(c.id());
                if (s != shown) {
                    live.put(c.id(), s);
                }
            }
            if (s == shown) {
                current.set(c);
            }
        })).onFailure(this::storeFailed).onFinally(this::refreshConversations).start();
    }

    /** Stores a finished answer where its turn was asked, on the store's thread. */
    private void storeAnswer(ChatSession.Turn turn, StoredMessage answer) {
        if (store == null) {
            return;
        }
        ChatSession s = turn.session;
        write(s.writes, () -> {
            if (s.deleted || s.storedId == 0) {
                return;
            }
            String variant = backend.variant(turn.modelId).orElse(null);
            StoredMessage withVariant = answer.withVariant(variant);
            if (turn.regenerated) {
                store.addVersion(s.storedId, turn.position, withVariant);
            } else {
                store.replaceFrom(s.storedId, turn.position, List.of(withVariant));
            }
        }, true);
    }

    /** A new conversation's session, with writes of its own. */
    private ChatSession newSession() {
        return new ChatSession(new SerialExecutor(io));
    }

    /** The serial executor of conversation {@code id}'s writes. */
    private Executor writesOf(long id) {
        return writers.computeIfAbsent(id, k -> new SerialExecutor(io));
    }

    /**
     * Runs {@code work} on {@code writes} after what was asked there before; a failure shows as the page's
     * error; with {@code listChanged} the conversation list is read again after it.
     */
    private void write(Executor writes, Background.Action work, boolean listChanged) {
        background.run(work).on(writes).onFailure(this::storeFailed)
                .onFinally(listChanged ? this::refreshConversations : () -> { }).start();
    }

    private void storeFailed(Exception e) {
        error.set(Errors.describe(e, messages));
    }

    /** A title from the first question: its first words, cut at a word where it is long. */
    public static String title(String question) {
        String flat = question.strip().replaceAll("\\s+", " ");
        if (flat.length() <= TITLE_LENGTH) {
            return flat;
        }
        int cut = flat.lastIndexOf(' ', TITLE_LENGTH);
        return flat.substring(0, cut > TITLE_LENGTH / 2 ? cut : TITLE_LENGTH).strip() + "…";
    }

    /** Templates that read earlier reasoning get it back as OpenAI's reasoning_content. */
    private static Map<String, Object> reasoningExtra(MessageItem m) {
        String r = m.reasoningProperty().get();
        return r == null || r.isEmpty() ? Map.of() : Map.of("reasoning_content", r);
    }

    /** Stops the answer of the conversation shown (any thread for the token; FX thread to read it). */
    public void stop() {
        ChatSession.Turn t = shown.turn;
        if (t != null) {
            t.cancel.cancel();
        }
    }

    // ---------------------------------------------------------------- settings, export

    /** Saves the system prompt and sampling settings with the stored conversation shown, if any (FX thread). */
    public void saveSettings() {
        ChatSession s = shown;
        Conversation c = s.conversation;
        String system = systemPrompt.get() == null ? "" : systemPrompt.get().strip();
        SamplingOverrides chosen = sampling.get();
        if (store == null || c == null || system.equals(c.systemPrompt()) && chosen.equals(c.sampling())) {
            return; // a new chat keeps them with its first turn
        }
        s.conversation = new Conversation(c.id(), c.title(), c.modelId(), system, chosen, c.createdAt(), c.updatedAt(),
                c.format());
        current.set(s.conversation);
        Optional<String> model = c.modelId();
        write(s.writes, () -> {
            if (s.deleted) {
                return;
            }
            store.updateSettings(c.id(), model, system, chosen);
        }, false);
    }

    /**
     * Sets the shape of the conversation's answers from here on (FX thread): text, any JSON object, or a
     * document valid for {@code schema}. Returns why a schema cannot be used (then nothing changes), in
     * the page's language with the schema's problem as the engine says it.
     */
    public Optional<String> setResponseFormat(ResponseFormat.Kind kind, String schema) {
        ResponseFormat next;
        if (kind == ResponseFormat.Kind.JSON_SCHEMA) {
            String text = schema == null ? "" : schema.strip();
            if (text.isEmpty()) {
                return Optional.of(messages.getString("chat.format.schema.empty"));
            }
            try {
                com.fasterxml.jackson.databind.JsonNode node = new com.fasterxml.jackson.databind.ObjectMapper().readTree(text);
                Schema.compile(node);
                next = ResponseFormat.jsonSchema(node.toString());
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                return Optional.of(MessageFormat.format(messages.getString("chat.format.schema.invalid"), e.getOriginalMessage()));
            } catch (SchemaException e) {
                return Optional.of(MessageFormat.format(messages.getString("chat.format.schema.invalid"), e.getMessage()));
            }
        } else {
            next = kind == ResponseFormat.Kind.JSON_OBJECT ? ResponseFormat.JSON_OBJECT : ResponseFormat.TEXT;
        }
        if (next.equals(responseFormat.get())) {
            return Optional.empty();
        }
        responseFormat.set(next);
        ChatSession s = shown;
        Conversation c = s.conversation;
        if (store != null && c != null) {
            s.conversation = new Conversation(c.id(), c.title(), c.modelId(), c.systemPrompt(), c.sampling(), c.createdAt(),
                    c.updatedAt(), next);
            current.set(s.conversation);
            write(s.writes, () -> {
                if (!s.deleted) {
                    store.updateFormat(c.id(), next);
                }
            }, false);
        }
        return Optional.empty();
    }

    /** A tool call waiting for the user's yes or no, or null. */
    public ObjectProperty<ToolApproval> toolApprovalProperty() {
        return toolApproval;
    }

    /** The shape of the shown conversation's answers. */
    public ObjectProperty<ResponseFormat> responseFormatProperty() {
        return responseFormat;
    }

    /**
     * Writes the conversation shown to {@code file} (FX thread; the writing happens on {@code io}), as
     * stored when it is, else as shown; replaces the file only once the new one is complete.
     */
    public void export(Path file, ExportFormat format) {
        ChatSession s = shown;
        Conversation c = s.conversation;
        List<VersionedMessage> shownMessages = new ArrayList<>();
        for (int i = 0; i < s.messages.size(); i++) {
            MessageItem m = s.messages.get(i);
            List<StoredMessage> versions = m.versions().stream().map(v -> new StoredMessage(m.role(), v.textProperty().get(),
                    v.reasoningProperty().get(), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
                    Optional.empty(), Instant.now(), v.toolRounds())).toList();
            shownMessages.add(new VersionedMessage(i, versions, m.chosenProperty().get()));
        }
        Conversation unsaved = new Conversation(0, shownMessages.isEmpty() ? "Kaiyuan"
                : title(shownMessages.get(0).message().content()), Optional.ofNullable(selectedModel.get()), s.systemPrompt,
                s.sampling, Instant.now(), Instant.now(), s.format);
        boolean stored = c != null && store != null;
        background.run(() -> {
            Conversation conv = stored ? store.find(c.id()).orElse(c) : unsaved;
            List<VersionedMessage> list = stored ? store.history(c.id()) : shownMessages;
            String text = format == ExportFormat.JSON ? ChatExport.json(conv, list) : ChatExport.markdown(conv, list);
            // Into the folder the user chose, which must exist; the old file is replaced only once this is whole.
            Path tmp = file.resolveSibling(file.getFileName() + ".part");
            Files.writeString(tmp, text);
            Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }).on(stored ? s.writes : io) // a stored one after the writes of this conversation asked for before
                .onSuccess(done -> notice.set(MessageFormat.format(messages.getString("chat.exported"), file)))
                .onFailure(e -> error.set(MessageFormat.format(messages.getString("chat.export.failed"), Errors.detail(e))))
                .start();
    }

    // ---------------------------------------------------------------- attachments

    /**
     * Attaches text files to the next message (FX thread; read on {@code io}). A binary file, one too large
     * to read, or one whose tokens do not fit what is left of the model's window is refused with a message.
     */
    public void attach(List<Path> files) {
        String modelId = selectedModel.get();
        int limit = contextLimit.get();
        int used = contextUsed.get() + attachments.stream().mapToInt(a -> Math.max(0, a.tokens())).sum();
        for (Path file : files) {
            String name = file.getFileName() == null ? file.toString() : file.getFileName().toString();
            background.task(() -> {
                String text = readText(file, name);
                int tokens = modelId == null ? -1 : backend.countTokens(modelId, text).orElse(-1);
                return new Attachment(name, text, Attachment.languageOf(name), tokens);
            }).onSuccess(a -> {
                int taken = used + attachments.stream().mapToInt(x -> Math.max(0, x.tokens())).sum();
                if (a.tokens() >= 0 && limit > 0 && a.tokens() > limit - ANSWER_ROOM - taken) {
                    error.set(MessageFormat.format(messages.getString("chat.attach.tooLong"), name,
                            String.format(Locale.ROOT, "%,d", a.tokens()),
                            String.format(Locale.ROOT, "%,d", Math.max(0, limit - ANSWER_ROOM - taken)),
                            String.format(Locale.ROOT, "%,d", limit)));
                } else {
                    attachments.add(a);
                    error.set("");
                }
            }).onFailure(e -> error.set(e instanceof AttachmentException ? e.getMessage() : Errors.describe(e, messages)))
                    .start();
        }
    }

    /** Takes an attached file off the next message (FX thread). */
    public void removeAttachment(Attachment a) {
        attachments.remove(a);
    }

    private static final class AttachmentException extends Exception {
        AttachmentException(String message) {
            super(message);
        }
    }

    /** Reads a text file whole, refusing a binary one or one over {@link #MAX_ATTACHMENT_BYTES}. */
    private String readText(Path file, String name) throws AttachmentException {
        byte[] bytes;
        try {
            long size = Files.size(file);
            if (size > MAX_ATTACHMENT_BYTES) {
                throw new AttachmentException(MessageFormat.format(messages.getString("chat.attach.tooLarge"), name,
                        String.format(Locale.ROOT, "%.1f", size / 1048576.0)));
            }
            try (InputStream in = Files.newInputStream(file)) {
                bytes = in.readNBytes((int) MAX_ATTACHMENT_BYTES + 1);
            }
        } catch (IOException e) {
            throw new AttachmentException(MessageFormat.format(messages.getString("chat.attach.unreadable"), name,
                    Errors.detail(e)));
        }
        if (bytes.length > MAX_ATTACHMENT_BYTES) {
            throw new AttachmentException(MessageFormat.format(messages.getString("chat.attach.tooLarge"), name, "1+"));
        }
        for (int i = 0; i < Math.min(bytes.length, 8192); i++) {
            if (bytes[i] == 0) {
                throw new AttachmentException(MessageFormat.format(messages.getString("chat.attach.binary"), name));
            }
        }
        try {
            String text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
            return text.startsWith("\uFEFF") ? text.substring(1) : text;
        } catch (CharacterCodingException e) {
            throw new AttachmentException(MessageFormat.format(messages.getString("chat.attach.binary"), name));
        }
    }

    // ---------------------------------------------------------------- assistants

    /** Reads the built-in assistants in the page's language and the saved ones from the store. */
    private void loadAssistants() {
        // The general assistant has no system prompt: the model's own default applies.
        List<AssistantChoice> builtIn = BUILT_IN_ASSISTANTS.stream().map(k -> new AssistantChoice(
                messages.getString("assistant." + k + ".name"),
                messages.containsKey("assistant." + k + ".prompt") ? messages.getString("assistant." + k + ".prompt") : "", 0))
                .toList();
        assistants.setAll(builtIn);
        if (store == null) {
            return;
        }
        background.task(store::assistants).on(assistantTasks).onSuccess(saved -> {
            List<AssistantChoice> all = new ArrayList<>(builtIn);
            saved.forEach(a -> all.add(new AssistantChoice(a.name(), a.prompt(), a.id())));
            assistants.setAll(all);
        }).onFailure(this::storeFailed).start();
    }

    /** The assistant whose prompt is the conversation's system prompt; empty for a prompt of its own. */
    public Optional<AssistantChoice> assistant() {
        String prompt = systemPrompt.get() == null ? "" : systemPrompt.get().strip();
        return assistants.stream().filter(a -> a.prompt().strip().equals(prompt)).findFirst();
    }

    /** Uses an assistant's prompt as the conversation's system prompt (FX thread). */
    public void useAssistant(AssistantChoice a) {
        systemPrompt.set(a.prompt());
        saveSettings();
    }

    /** Saves the conversation's system prompt as an assistant named {@code name} (FX thread). */
    public void saveAssistant(String name) {
        String n = name == null ? "" : name.strip();
        String prompt = systemPrompt.get() == null ? "" : systemPrompt.get().strip();
        if (store == null || n.isEmpty() || prompt.isEmpty()) {
            return;
        }
        write(assistantTasks, () -> store.addAssistant(n, prompt), false);
        loadAssistants(); // read after the write, on the same executor
    }

    /** Forgets a saved assistant; built-in ones stay (FX thread). */
    public void deleteAssistant(AssistantChoice a) {
        if (store == null || a.builtIn()) {
            return;
        }
        write(assistantTasks, () -> store.deleteAssistant(a.storedId()), false);
        loadAssistants();
    }

    // ---------------------------------------------------------------- strings

    private void setFooter(MessageItem.Version v, GenerationMetrics m, FinishReason finish) {
        v.metrics = m;
        v.finish = finish;
        v.footerProperty().set(footer(m, finish));
    }

    private String footer(GenerationMetrics m, FinishReason finish) {
        // English digit grouping (1,234) in both languages, as the rest of the figures.
        return new MessageFormat(messages.getString("chat.footer"), Locale.ENGLISH).format(new Object[] {
            m.generatedTokens(), String.format(Locale.ROOT, "%.0f", m.ttftMs()),
            String.format(Locale.ROOT, "%.1f", m.decodeTokensPerS()),
            messages.getString("finish." + finish.jsonName())});
    }

    /** The strings for texts made from now on (after a language switch). */
    public void setMessages(ResourceBundle messages) {
        this.messages = messages;
        loadAssistants();
        // The figures under the answers of every conversation held, said again in the new language.
        java.util.Set<ChatSession> held = new java.util.LinkedHashSet<>(live.values());
        held.add(shown);
        for (ChatSession session : held) {
            for (MessageItem item : session.messages) {
                for (MessageItem.Version v : item.versions()) {
                    if (v.metrics != null && v.finish != null) {
                        v.footerProperty().set(footer(v.metrics, v.finish));
                    }
                }
            }
        }
    }

    /** The starter prompts offered on an empty conversation, in the page's language. */
    public List<String> starters() {
        List<String> out = new ArrayList<>();
        for (int i = 1; messages.containsKey("chat.starter." + i); i++) {
            out.add(messages.getString("chat.starter." + i));
        }
        return out;
    }

    // ---------------------------------------------------------------- properties

    public ObservableList<String> models() {
        return models;
    }

    /** The models with their size, variant and fit, for the picker. */
    public ObservableList<ChatBackend.ModelChoice> modelChoices() {
        return modelChoices;
    }

    /** False until the model list was read once: the page shows no empty state before. */
    public BooleanProperty modelsKnownProperty() {
        return modelsKnown;
    }

    public StringProperty selectedModelProperty() {
        return selectedModel;
    }

    /** The messages of the conversation shown. Read only: change them through the actions. */
    public ObservableList<MessageItem> conversation() {
        return conversation;
    }

    /** The stored conversations matching the search, the most recent first. */
    public ObservableList<Conversation> conversations() {
        return conversations;
    }

    /** Ids of the stored conversations with an answer streaming in. */
    public ObservableSet<Long> answering() {
        return answering;
    }

    /** The stored conversation shown; null for a new chat not yet saved. */
    public ObjectProperty<Conversation> currentProperty() {
        return current;
    }

    /** Filters the conversation list by title and content. */
    public StringProperty searchProperty() {
        return search;
    }

    public StringProperty inputProperty() {
        return input;
    }

    /** The last error, for the page to show; empty when there is none. */
    public StringProperty errorProperty() {
        return error;
    }

    /** Whether the conversation shown is being answered. */
    public ObjectProperty<State> stateProperty() {
        return state;
    }

    /** Whether the selected model has Qwen3's thinking switch (the page shows it then). */
    public BooleanProperty thinkingSwitchProperty() {
        return thinkingSwitch;
    }

    /** "Loading the model…" while a model loads; empty otherwise. */
    public StringProperty loadingStatusProperty() {
        return loadingStatus;
    }

    /** Sent first with every turn of this conversation; empty for none. */
    public StringProperty systemPromptProperty() {
        return systemPrompt;
    }

    /** This conversation's sampling settings over the model's defaults; {@link SamplingOverrides#NONE} for the defaults. */
    public ObjectProperty<SamplingOverrides> samplingProperty() {
        return sampling;
    }

    /** The selected model's own sampling defaults (generation_config.json); null while unknown. */
    public ObjectProperty<SamplingParams> modelDefaultsProperty() {
        return modelDefaults;
    }

    /** Tokens of the conversation so far as of the last answer (prompt and answer). */
    public IntegerProperty contextUsedProperty() {
        return contextUsed;
    }

    /** The selected model's context window in tokens; 0 while unknown. */
    public IntegerProperty contextLimitProperty() {
        return contextLimit;
    }

    /** What the page should say about the last turn, e.g. that old messages were left out; empty for nothing. */
    public StringProperty noticeProperty() {
        return notice;
    }

    /** Qwen3's enable_thinking for the next turns; on by default, as the model's card says. */
    public BooleanProperty thinkingProperty() {
        return thinking;
    }

    /** The files attached to the next message. */
    public ObservableList<Attachment> attachments() {
        return attachments;
    }

    /** The built-in assistants, then the saved ones. */
    public ObservableList<AssistantChoice> assistants() {
        return assistants;
    }

    /** The model offered for download on an empty chat when none is installed; null for none. */
    public ObjectProperty<ModelOffer> offerProperty() {
        return offer;
    }

    /** Downloads the offered model and selects it once installed (FX thread). */
    public void downloadOffer() {
        ModelOffer o = offer.get();
        if (o != null) {
            pendingModel = o.modelId();
            o.download();
        }
    }
}
