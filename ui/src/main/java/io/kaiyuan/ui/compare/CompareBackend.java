package io.kaiyuan.ui.compare;

import io.kaiyuan.engine.api.CancellationToken;
import io.kaiyuan.engine.api.ChatMessage;
import io.kaiyuan.engine.api.ExecutionProvider;
import io.kaiyuan.engine.api.GenerationRequest;
import io.kaiyuan.engine.api.SamplingOverrides;
import io.kaiyuan.engine.chat.Conversation;
import io.kaiyuan.engine.compare.Comparison;
import io.kaiyuan.engine.compare.RunCard;
import io.kaiyuan.engine.compare.Vote;
import io.kaiyuan.engine.model.Variant;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/** What the comparison page needs from the engine and the app's database; implemented in the app's wiring. */
public interface CompareBackend {
    /** Ids of the installed models. May touch the disk: call off the FX thread. */
    List<String> installedModels();

    /** The variants installed for a model (q4, fp16, ...). Touches the disk: call off the FX thread. */
    List<Variant> variants(String modelId);

    /** The execution providers this machine's ONNX Runtime has, the CPU among them. */
    List<ExecutionProvider> providers();

    /** Hears the end of a comparison; called on the backend's thread. */
    interface Done {
        void finished(RunCard card);

        /** A message for the user: what happened and what to do. */
        void failed(String message);

        /** A failure as thrown, for the page to say in its own language; by default its message. */
        default void failed(Throwable error) {
            failed(io.kaiyuan.ui.common.Errors.detail(error));
        }
    }

    /**
     * A column to run: an installed model, its variant (empty: the best for the provider), the provider,
     * and its own sampling settings over the shared ones.
     */
    record Choice(String modelId, Optional<Variant> variant, ExecutionProvider provider, SamplingOverrides sampling) {
        public static Choice of(String modelId) {
            return new Choice(modelId, Optional.empty(), ExecutionProvider.AUTO, SamplingOverrides.NONE);
        }
    }

    /**
     * Runs {@code request} on the columns (2 to 4), streaming each to {@code listener}; returns at once
     * and reports the schedule chosen before the run starts.
     */
    void run(List<Choice> columns, GenerationRequest request, Comparison.Listener listener,
            Consumer<Comparison.Schedule> schedule, CancellationToken cancel, Done done);

    /** Stores blind votes. Touches the disk: call off the FX thread. */
    void vote(List<Vote> votes) throws Exception;

    /** Every stored vote. Touches the disk: call off the FX thread. */
    List<Vote> votes() throws Exception;

    /** The stored conversations, newest first. Touches the disk: call off the FX thread. */
    List<Conversation> conversations() throws Exception;

    /** A stored conversation as a model reads it (system prompt first). Touches the disk: call off the FX thread. */
    List<ChatMessage> conversation(long id) throws Exception;
}
