package io.kaiyuan.ui.chat;

import io.kaiyuan.engine.api.CancellationToken;
import io.kaiyuan.engine.api.ChatMessage;
import io.kaiyuan.engine.api.GenerationMetrics;
import io.kaiyuan.engine.api.GenerationResult;
import io.kaiyuan.engine.api.TokenListener;
import java.text.MessageFormat;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.ResourceBundle;
import java.util.concurrent.Executor;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

/**
 * The chat page's state and actions, with no controls: properties only, changed on the FX thread
 * (the {@code fxExecutor}); the engine runs on the backend's thread.
 */
public final class ChatViewModel {
    /** What the page is doing. */
    public enum State { IDLE, GENERATING }

    private final ChatBackend backend;
    private final Executor fxExecutor;
    private final ResourceBundle messages;
    private final ObservableList<String> models = FXCollections.observableArrayList();
    private final StringProperty selectedModel = new SimpleStringProperty();
    private final ObservableList<MessageItem> conversation = FXCollections.observableArrayList();
    private final StringProperty input = new SimpleStringProperty("");
    private final StringProperty error = new SimpleStringProperty("");
    private final ObjectProperty<State> state = new SimpleObjectProperty<>(State.IDLE);
    private CancellationToken cancel;

    public ChatViewModel(ChatBackend backend, Executor fxExecutor, ResourceBundle messages) {
        this.backend = backend;
        this.fxExecutor = fxExecutor;
        this.messages = messages;
    }

    /** Replaces the model list (FX thread); keeps the selection when it is still installed. */
    public void setModels(List<String> ids) {
        String selected = selectedModel.get();
        models.setAll(ids);
        selectedModel.set(selected != null && ids.contains(selected) ? selected : ids.isEmpty() ? null : ids.get(0));
    }

    /** Sends the input as the next user message and streams the answer (FX thread). */
    public void send() {
        String text = input.get().strip();
        if (text.isEmpty() || state.get() == State.GENERATING) {
            return;
        }
        if (selectedModel.get() == null) {
            error.set(messages.getString("chat.noModel"));
            return;
        }
        error.set("");
        List<ChatMessage> history = new ArrayList<>();
        for (MessageItem m : conversation) {
            history.add(new ChatMessage(m.role(), m.textProperty().get()));
        }
        history.add(ChatMessage.user(text));
        conversation.add(new MessageItem("user", text));
        MessageItem answer = new MessageItem("assistant", "");
        conversation.add(answer);
        input.set("");
        state.set(State.GENERATING);
        cancel = new CancellationToken();
        TextPump answerPump = new TextPump(fxExecutor, t -> answer.textProperty().set(answer.textProperty().get() + t));
        TextPump reasoningPump = new TextPump(fxExecutor,
                t -> answer.reasoningProperty().set(answer.reasoningProperty().get() + t));
        TokenListener listener = new TokenListener() {
            @Override
            public void onText(String t) {
                answerPump.append(t);
            }

            @Override
            public void onReasoning(String t) {
                reasoningPump.append(t);
            }
        };
        backend.answer(selectedModel.get(), history, Map.of(), listener, cancel, new ChatBackend.Completion() {
            @Override
            public void finished(GenerationResult result) {
                fxExecutor.execute(() -> {
                    answerPump.drain();
                    reasoningPump.drain();
                    answer.footerProperty().set(footer(result));
                    state.set(State.IDLE);
                });
            }

            @Override
            public void failed(String message) {
                fxExecutor.execute(() -> {
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

    /** Starts a new conversation (FX thread); stops an answer in progress first. */
    public void newChat() {
        stop();
        conversation.clear();
        error.set("");
        input.set("");
    }

    /** Stops the answer being generated (any thread). */
    public void stop() {
        CancellationToken c = cancel;
        if (c != null) {
            c.cancel();
        }
    }

    private String footer(GenerationResult r) {
        GenerationMetrics m = r.metrics();
        return new MessageFormat(messages.getString("chat.footer"), Locale.ROOT).format(new Object[] {
            m.generatedTokens(), String.format(Locale.ROOT, "%.0f", m.ttftMs()),
            String.format(Locale.ROOT, "%.1f", m.decodeTokensPerS()),
            messages.getString("finish." + r.finishReason().jsonName())});
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
}
