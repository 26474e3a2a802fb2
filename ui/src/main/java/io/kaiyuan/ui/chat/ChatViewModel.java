package io.kaiyuan.ui.chat;

import io.kaiyuan.engine.api.CancellationToken;
import io.kaiyuan.engine.api.ChatMessage;
import io.kaiyuan.engine.api.FinishReason;
import io.kaiyuan.engine.api.GenerationMetrics;
import io.kaiyuan.engine.api.GenerationResult;
import io.kaiyuan.engine.api.SamplingOverrides;
import io.kaiyuan.engine.api.TokenListener;
import io.kaiyuan.engine.chat.ChatExport;
import io.kaiyuan.engine.chat.ChatStore;
import io.kaiyuan.engine.chat.Conversation;
import io.kaiyuan.engine.chat.StoredMessage;
import io.kaiyuan.ui.common.TextPump;
import java.text.MessageFormat;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.ResourceBundle;
import java.util.concurrent.Executor;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.IntegerProperty;
import javafx.beans.property.SimpleIntegerProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

/**
 * The chat page's state and actions, with no controls: properties only, changed on the FX thread
 * (the {@code fxExecutor}); the engine runs on the backend's thread and the history is read and written
 * on {@code io}. Without a store, conversations live only in memory.
 */
public final class ChatViewModel {
    /** What the page is doing. */
    public enum State { IDLE, GENERATING }

    /** Titles are cut to this many characters of the first message. */
    static final int TITLE_LENGTH = 48;

    private final ChatBackend backend;
    private final Executor fxExecutor;
    private volatile ResourceBundle messages;
    private final ChatStore store;
    private final Executor io;
    private final ObservableList<String> models = FXCollections.observableArrayList();
    private final StringProperty selectedModel = new SimpleStringProperty();
    private final ObservableList<MessageItem> conversation = FXCollections.observableArrayList();
    private final ObservableList<Conversation> conversations = FXCollections.observableArrayList();
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
    private final ObjectProperty<SamplingOverrides> sampling = new SimpleObjectProperty<>(SamplingOverrides.NONE);
    private final ObjectProperty<io.kaiyuan.engine.api.SamplingParams> modelDefaults = new SimpleObjectProperty<>();
    private CancellationToken cancel;

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
        search.addListener((o, a, b) -> refreshConversations());
        selectedModel.addListener((o, a, b) -> inspectModel(b));
    }

    /** Finds out on {@code io} whether the model has Qwen3's thinking switch and how large its context is. */
    private void inspectModel(String modelId) {
        if (modelId == null) {
            thinkingSwitch.set(false);
            contextLimit.set(0);
            modelDefaults.set(null);
            return;
        }
        io.execute(() -> {
            boolean has = backend.hasThinkingSwitch(modelId);
            int limit = backend.contextWindow(modelId).orElse(0);
            var defaults = backend.samplingDefaults(modelId).orElse(null);
            fxExecutor.execute(() -> {
                if (modelId.equals(selectedModel.get())) {
                    thinkingSwitch.set(has);
                    contextLimit.set(limit);
                    modelDefaults.set(defaults);
                }
            });
        });
    }

    /** Replaces the model list (FX thread); keeps the selection when it is still installed. */
    public void setModels(List<String> ids) {
        String selected = selectedModel.get();
        models.setAll(ids);
        selectedModel.set(selected != null && ids.contains(selected) ? selected : ids.isEmpty() ? null : ids.get(0));
    }

    /** Loads the selected model in the background, showing that it loads (FX thread; the picker's choice). */
    public void preload() {
        String modelId = selectedModel.get();
        if (modelId == null || state.get() == State.GENERATING) {
            return;
        }
        loadingStatus.set(MessageFormat.format(messages.getString("chat.loading"), modelId));
        backend.preload(modelId, new ChatBackend.LoadListener() {
            @Override
            public void loaded() {
                fxExecutor.execute(() -> loadingStatus.set(""));
            }

            @Override
            public void failed(String message) {
                fxExecutor.execute(() -> {
                    loadingStatus.set("");
                    error.set(message);
                });
            }
        });
    }

    /** Reads the conversation list (matching the search) from the store. */
    public void refreshConversations() {
        if (store == null) {
            return;
        }
        String query = search.get() == null ? "" : search.get().strip();
        io.execute(() -> {
            try {
                List<Conversation> list = query.isEmpty() ? store.list() : store.search(query);
                fxExecutor.execute(() -> conversations.setAll(list));
            } catch (Exception e) {
                fxExecutor.execute(() -> error.set(e.getMessage()));
            }
        });
    }

    /** Shows a stored conversation (FX thread); stops an answer in progress first. */
    public void open(Conversation c) {
        stop();
        io.execute(() -> {
            try {
                List<StoredMessage> stored = store.messages(c.id());
                fxExecutor.execute(() -> {
                    current.set(c);
                    systemPrompt.set(c.systemPrompt());
                    sampling.set(c.sampling());
                    conversation.setAll(stored.stream().map(this::item).toList());
                    notice.set("");
                    contextUsed.set(stored.stream().flatMap(m -> m.metrics().stream())
                            .reduce((x, y) -> y).map(m -> m.promptTokens() + m.generatedTokens()).orElse(0));
                    c.modelId().filter(models::contains).ifPresent(selectedModel::set);
                    error.set("");
                });
            } catch (Exception e) {
                fxExecutor.execute(() -> error.set(e.getMessage()));
            }
        });
    }

    private MessageItem item(StoredMessage m) {
        MessageItem item = new MessageItem(m.role(), m.content());
        item.reasoningProperty().set(m.reasoning());
        if (m.metrics().isPresent() && m.finishReason().isPresent()) {
            item.footerProperty().set(footer(m.metrics().get(), m.finishReason().get()));
            item.reasoningMsProperty().set(m.metrics().get().reasoningMs());
        }
        return item;
    }

    /** Renames a stored conversation. */
    public void rename(Conversation c, String title) {
        String t = title.strip();
        if (store == null || t.isEmpty()) {
            return;
        }
        Conversation renamed = new Conversation(c.id(), t, c.modelId(), c.systemPrompt(), c.sampling(), c.createdAt(), c.updatedAt());
        io.execute(() -> {
            try {
                store.update(renamed);
                fxExecutor.execute(() -> {
                    if (current.get() != null && current.get().id() == c.id()) {
                        current.set(renamed);
                    }
                });
            } catch (Exception e) {
                fxExecutor.execute(() -> error.set(e.getMessage()));
            }
            refreshConversations();
        });
    }

    /** Deletes a stored conversation (the view asks first); an open one is closed. */
    public void delete(Conversation c) {
        if (store == null) {
            return;
        }
        if (current.get() != null && current.get().id() == c.id()) {
            newChat();
        }
        io.execute(() -> {
            try {
                store.delete(c.id());
            } catch (Exception e) {
                fxExecutor.execute(() -> error.set(e.getMessage()));
            }
            refreshConversations();
        });
    }

    /** Sends the input as the next user message and streams the answer (FX thread). */
    public void send() {
        String text = input.get().strip();
        if (text.isEmpty() || state.get() == State.GENERATING) {
            return;
        }
        if (!checkModel()) {
            return;
        }
        input.set("");
        ask(conversation.size(), text);
    }

    /** Answers the last question again, replacing the last answer (FX thread). */
    public void regenerate() {
        int last = conversation.size() - 1;
        if (state.get() == State.GENERATING || last < 1 || !conversation.get(last).role().equals("assistant") || !checkModel()) {
            return;
        }
        String question = conversation.get(last - 1).textProperty().get();
        ask(last - 1, question);
    }

    /** Replaces a user message with {@code text} and answers from there; later messages are dropped (FX thread). */
    public void edit(MessageItem message, String text) {
        int index = conversation.indexOf(message);
        String t = text.strip();
        if (state.get() == State.GENERATING || index < 0 || !message.role().equals("user") || t.isEmpty() || !checkModel()) {
            return;
        }
        ask(index, t);
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
     * Asks the question as the message at {@code position}, dropping what followed it, and streams the
     * answer; the turn is stored once it completes.
     */
    private void ask(int position, String text) {
        conversation.remove(position, conversation.size());
        List<ChatMessage> history = new ArrayList<>();
        String system = systemPrompt.get() == null ? "" : systemPrompt.get().strip();
        if (!system.isEmpty()) {
            history.add(ChatMessage.system(system));
        }
        SamplingOverrides turnSampling = sampling.get();
        for (MessageItem m : conversation) {
            history.add(new ChatMessage(m.role(), m.textProperty().get(), reasoningExtra(m)));
        }
        history.add(ChatMessage.user(text));
        MessageItem question = new MessageItem("user", text);
        conversation.add(question);
        MessageItem answer = new MessageItem("assistant", "");
        conversation.add(answer);
        state.set(State.GENERATING);
        notice.set("");
        cancel = new CancellationToken();
        String modelId = selectedModel.get();
        TextPump answerPump = new TextPump(fxExecutor, t -> answer.textProperty().set(answer.textProperty().get() + t));
        TextPump reasoningPump = new TextPump(fxExecutor,
                t -> answer.reasoningProperty().set(answer.reasoningProperty().get() + t));
        java.util.concurrent.atomic.AtomicBoolean started = new java.util.concurrent.atomic.AtomicBoolean();
        Runnable firstOutput = () -> {
            if (started.compareAndSet(false, true)) {
                fxExecutor.execute(() -> loadingStatus.set(""));
            }
        };
        TokenListener listener = new TokenListener() {
            @Override
            public void onText(String t) {
                firstOutput.run();
                answerPump.append(t);
            }

            @Override
            public void onReasoning(String t) {
                firstOutput.run();
                reasoningPump.append(t);
            }
        };
        Map<String, Object> variables = thinkingSwitch.get() ? Map.of("enable_thinking", thinking.get()) : Map.of();
        backend.answer(modelId, history, variables, turnSampling, listener, cancel, new ChatBackend.Completion() {
            @Override
            public void finished(GenerationResult result) {
                fxExecutor.execute(() -> {
                    loadingStatus.set("");
                    answerPump.drain();
                    reasoningPump.drain();
                    answer.footerProperty().set(footer(result.metrics(), result.finishReason()));
                    answer.reasoningMsProperty().set(result.metrics().reasoningMs());
                    contextUsed.set(result.metrics().promptTokens() + result.metrics().generatedTokens());
                    state.set(State.IDLE);
                    save(position, text, result, modelId, system, turnSampling);
                });
            }

            @Override
            public void loading() {
                fxExecutor.execute(() -> loadingStatus.set(MessageFormat.format(messages.getString("chat.loading"), modelId)));
            }

            @Override
            public void trimmed(int droppedMessages) {
                fxExecutor.execute(() -> notice.set(MessageFormat.format(messages.getString("chat.trimmed"), droppedMessages)));
            }

            @Override
            public void failed(String message) {
                fxExecutor.execute(() -> {
                    loadingStatus.set("");
                    answerPump.drain();
                    if (answer.textProperty().get().isEmpty()) {
                        conversation.remove(answer);
                    }
                    error.set(message);
                    state.set(State.IDLE);
                });
            }
        });
    }

    /** Templates that read earlier reasoning get it back as OpenAI's reasoning_content. */
    private static Map<String, Object> reasoningExtra(MessageItem m) {
        String r = m.reasoningProperty().get();
        return r == null || r.isEmpty() ? Map.of() : Map.of("reasoning_content", r);
    }

    /** Stores the completed turn (FX thread; the writing happens on {@code io}). */
    private void save(int position, String question, GenerationResult result, String modelId, String system,
            SamplingOverrides turnSampling) {
        if (store == null) {
            return;
        }
        Conversation known = current.get();
        String title = question.length() > TITLE_LENGTH ? question.substring(0, TITLE_LENGTH) + "…" : question;
        io.execute(() -> {
            try {
                Conversation c = known != null ? known : store.create(title.replace('\n', ' '), Optional.ofNullable(modelId));
                if (!c.modelId().equals(Optional.ofNullable(modelId)) || !c.systemPrompt().equals(system)
                        || !c.sampling().equals(turnSampling)) {
                    c = new Conversation(c.id(), c.title(), Optional.ofNullable(modelId), system, turnSampling,
                            c.createdAt(), c.updatedAt());
                    store.update(c);
                }
                String variant = backend.variant(modelId).orElse(null);
                store.replaceFrom(c.id(), position, List.of(StoredMessage.user(question),
                        StoredMessage.answer(result.answer(), result.reasoning(), modelId, variant, turnSampling,
                                result.metrics(), result.finishReason())));
                Conversation saved = c;
                fxExecutor.execute(() -> {
                    // Only if the page still shows this conversation (a new chat may have started meanwhile).
                    if (current.get() == known) {
                        current.set(saved);
                    }
                });
            } catch (Exception e) {
                fxExecutor.execute(() -> error.set(e.getMessage()));
            }
            refreshConversations();
        });
    }

    /** The formats a conversation can be exported in. */
    public enum ExportFormat { MARKDOWN, JSON }

    /**
     * Writes the conversation shown to {@code file} (FX thread; the writing happens on {@code io}), as
     * stored when it is, else as shown; replaces the file only once the new one is complete.
     */
    public void export(java.nio.file.Path file, ExportFormat format) {
        Conversation c = current.get();
        List<StoredMessage> shownMessages = conversation.stream().map(m -> new StoredMessage(m.role(), m.textProperty().get(),
                m.reasoningProperty().get(), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.empty(), java.time.Instant.now())).toList();
        String firstQuestion = shownMessages.isEmpty() ? "" : shownMessages.get(0).content();
        io.execute(() -> {
            try {
                Conversation conv = c != null ? c : new Conversation(0, firstQuestion.isEmpty() ? "Kaiyuan" : firstQuestion,
                        Optional.ofNullable(selectedModel.get()), "", SamplingOverrides.NONE, java.time.Instant.now(),
                        java.time.Instant.now());
                List<StoredMessage> list = c != null && store != null ? store.messages(c.id()) : shownMessages;
                String text = format == ExportFormat.JSON ? ChatExport.json(conv, list)
                        : ChatExport.markdown(conv, list);
                java.nio.file.Path tmp = file.resolveSibling(file.getFileName() + ".part");
                java.nio.file.Files.writeString(tmp, text);
                java.nio.file.Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                fxExecutor.execute(() -> notice.set(MessageFormat.format(messages.getString("chat.exported"), file)));
            } catch (Exception e) {
                fxExecutor.execute(() -> error.set(MessageFormat.format(messages.getString("chat.export.failed"), e.getMessage())));
            }
        });
    }

    /** Starts a new conversation (FX thread); stops an answer in progress first. */
    public void newChat() {
        stop();
        current.set(null);
        conversation.clear();
        error.set("");
        notice.set("");
        contextUsed.set(0);
        systemPrompt.set("");
        sampling.set(SamplingOverrides.NONE);
        input.set("");
    }

    /** Stops the answer being generated (any thread). */
    public void stop() {
        CancellationToken c = cancel;
        if (c != null) {
            c.cancel();
        }
    }

    private String footer(GenerationMetrics m, FinishReason finish) {
        return new MessageFormat(messages.getString("chat.footer"), Locale.ROOT).format(new Object[] {
            m.generatedTokens(), String.format(Locale.ROOT, "%.0f", m.ttftMs()),
            String.format(Locale.ROOT, "%.1f", m.decodeTokensPerS()),
            messages.getString("finish." + finish.jsonName())});
    }

    /** The strings for texts made from now on (after a language switch). */
    public void setMessages(ResourceBundle messages) {
        this.messages = messages;
    }

    public ObservableList<String> models() {
        return models;
    }

    public StringProperty selectedModelProperty() {
        return selectedModel;
    }

    public ObservableList<MessageItem> conversation() {
        return conversation;
    }

    /** The stored conversations matching the search, the most recent first. */
    public ObservableList<Conversation> conversations() {
        return conversations;
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

    public ObjectProperty<State> stateProperty() {
        return state;
    }

    /** Whether the selected model has Qwen3's thinking switch (the page shows it then). */
    public BooleanProperty thinkingSwitchProperty() {
        return thinkingSwitch;
    }

    /** Saves the system prompt and sampling settings with the stored conversation shown, if any (FX thread). */
    public void saveSettings() {
        Conversation c = current.get();
        if (store == null || c == null) {
            return; // a new chat keeps them with its first turn
        }
        Conversation updated = new Conversation(c.id(), c.title(), c.modelId(), systemPrompt.get().strip(), sampling.get(),
                c.createdAt(), c.updatedAt());
        if (updated.systemPrompt().equals(c.systemPrompt()) && updated.sampling().equals(c.sampling())) {
            return;
        }
        current.set(updated);
        io.execute(() -> {
            try {
                store.update(updated);
            } catch (Exception e) {
                fxExecutor.execute(() -> error.set(e.getMessage()));
            }
        });
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
    public ObjectProperty<io.kaiyuan.engine.api.SamplingParams> modelDefaultsProperty() {
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
}
