package io.kaiyuan.ui.chat;

import io.kaiyuan.engine.api.CancellationToken;
import io.kaiyuan.engine.api.ChatMessage;
import io.kaiyuan.engine.api.GenerationResult;
import io.kaiyuan.engine.api.LoadProgress;
import io.kaiyuan.engine.api.TokenListener;
import java.util.List;
import java.util.Map;

/** What the chat page needs from the engine; implemented in the app's wiring on a generation thread. */
public interface ChatBackend {
    /** Ids of the installed models. May touch the disk: call off the FX thread. */
    List<String> installedModels();

    /**
     * A model the chat can use, as the picker shows it.
     *
     * @param remote it runs on a remote endpoint (remote/NAME/MODEL)
     * @param bytes its weights on disk; 0 when unknown (remote models)
     * @param variant q4, fp16, ...; empty when unknown
     * @param fit whether it fits this machine's memory; null when unknown
     */
    record ModelChoice(String id, boolean remote, long bytes, String variant, io.kaiyuan.engine.model.MemoryFit.Fit fit) {
        /** A model known by its id alone. */
        public static ModelChoice of(String id) {
            return new ModelChoice(id, io.kaiyuan.engine.remote.Endpoint.isRemote(id), 0, "", null);
        }
    }

    /** The installed and remote models with what the picker shows of them. May touch the disk: call off the FX thread. */
    default List<ModelChoice> modelChoices() {
        return installedModels().stream().map(ModelChoice::of).toList();
    }

    /**
     * How many tokens {@code text} is for the model's tokenizer; empty when it cannot be told here (a remote
     * model). May read the tokenizer from disk: call off the FX thread.
     */
    default java.util.OptionalInt countTokens(String modelId, String text) {
        return java.util.OptionalInt.empty();
    }

    /** The variant of an installed model (q4, fp16, ...), if known. May touch the disk: call off the FX thread. */
    default java.util.Optional<String> variant(String modelId) {
        return java.util.Optional.empty();
    }

    /**
     * Whether the model's chat template has Qwen3's thinking switch ({@code enable_thinking}). May touch the
     * disk: call off the FX thread.
     */
    default boolean hasThinkingSwitch(String modelId) {
        return false;
    }

    /** The model's context window in tokens, if known. May touch the disk: call off the FX thread. */
    default java.util.OptionalInt contextWindow(String modelId) {
        return java.util.OptionalInt.empty();
    }

    /** The execution provider the loaded model runs on (cpu, cuda, ...), once one is loaded. Any thread. */
    default java.util.Optional<String> activeProvider() {
        return java.util.Optional.empty();
    }

    /** Hears how loading a model ahead of the first question went; called on the backend's thread. */
    interface LoadListener {
        /** A step of the load begins (nothing is said when the model is loaded already). */
        default void loading(LoadProgress.Phase phase) {
        }

        void loaded();

        /** The load was cancelled between its steps; the model is not loaded. */
        default void cancelled() {
        }

        /** A message for the user: what happened and what to do. */
        void failed(String message);

        /** A failure as thrown, for the page to say in its own language; by default its message. */
        default void failed(Throwable error) {
            failed(io.kaiyuan.ui.common.Errors.detail(error));
        }
    }

    /**
     * Loads the model in the background (the picker's choice) so the first answer starts at once; returns
     * at once. {@code cancel} stops the load between its steps. Backends that load on demand may just report
     * it loaded.
     */
    default void preload(String modelId, LoadListener listener, CancellationToken cancel) {
        listener.loaded();
    }

    /** Called once a request ends, on the generation thread. */
    interface Completion {
        void finished(GenerationResult result);

        /**
         * The model has to be loaded before it answers: a step of its load begins. A cancel of the turn stops
         * the load between steps; the turn then finishes as cancelled.
         */
        default void loading(LoadProgress.Phase phase) {
        }

        /**
         * The conversation did not fit the model's context: its oldest {@code droppedMessages} were left out
         * of this turn. Called before the answer streams.
         */
        default void trimmed(int droppedMessages) {
        }

        /**
         * Before a tool the model called runs (an MCP server's, whose calls ask first): whether it may. Called
         * on the generation thread, which waits for the answer; by default no.
         */
        default boolean allowToolCall(String server, io.kaiyuan.engine.api.ToolCall call) {
            return false;
        }

        /**
         * A tool call ran, or was refused or failed ({@code error}); its result goes back to the model. The text
         * and thinking streamed since the previous round are the round's: what the model wrote before it called.
         *
         * @param round which of the turn's answers made the call, from 0; the calls of one answer share it
         */
        default void toolCalled(int round, String server, io.kaiyuan.engine.api.ToolCall call, String result, boolean error,
                long millis) {
        }

        /** An MCP server could not be started or reached: its tools are left out of this turn. */
        default void toolServerFailed(String server, String message) {
        }

        /** A message for the user: what happened and what to do. */
        void failed(String message);

        /** A failure as thrown, for the page to say in its own language; by default its message. */
        default void failed(Throwable error) {
            failed(io.kaiyuan.ui.common.Errors.detail(error));
        }
    }

    /**
     * Loads the model if needed and answers the conversation with {@code sampling} over the model's
     * defaults, streaming to {@code listener}; returns at once. Everything after this call happens on the backend's generation thread.
     */
    void answer(String modelId, List<ChatMessage> conversation, Map<String, Object> templateVariables,
            io.kaiyuan.engine.api.SamplingOverrides sampling, TokenListener listener, CancellationToken cancel,
            Completion completion);

    /**
     * As {@link #answer(String, List, Map, io.kaiyuan.engine.api.SamplingOverrides, TokenListener, CancellationToken,
     * Completion)}, the answer in {@code format} (a JSON object, or a document valid for a JSON schema). A backend
     * that cannot keep to a format other than text says so through {@code completion}.
     */
    default void answer(String modelId, List<ChatMessage> conversation, Map<String, Object> templateVariables,
            io.kaiyuan.engine.api.SamplingOverrides sampling, io.kaiyuan.engine.api.ResponseFormat format,
            TokenListener listener, CancellationToken cancel, Completion completion) {
        if (!format.isText()) {
            completion.failed(new UnsupportedOperationException("This model cannot answer in JSON here."));
            return;
        }
        answer(modelId, conversation, templateVariables, sampling, listener, cancel, completion);
    }

    /** The model's sampling defaults (its generation_config.json), if known. May touch the disk: call off the FX thread. */
    default java.util.Optional<io.kaiyuan.engine.api.SamplingParams> samplingDefaults(String modelId) {
        return java.util.Optional.empty();
    }
}
