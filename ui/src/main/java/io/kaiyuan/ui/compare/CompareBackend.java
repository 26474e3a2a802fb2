package io.kaiyuan.ui.compare;

import io.kaiyuan.engine.api.CancellationToken;
import io.kaiyuan.engine.api.GenerationRequest;
import io.kaiyuan.engine.compare.Comparison;
import io.kaiyuan.engine.compare.RunCard;
import io.kaiyuan.engine.compare.Vote;
import java.util.List;

/** What the comparison page needs from the engine and the app's database; implemented in the app's wiring. */
public interface CompareBackend {
    /** Ids of the installed models. May touch the disk: call off the FX thread. */
    List<String> installedModels();

    /** Hears the end of a comparison; called on the backend's thread. */
    interface Done {
        void finished(RunCard card);

        /** A message for the user: what happened and what to do. */
        void failed(String message);
    }

    /** A column to run: an installed model and, when asked for, its variant (else the best for the provider). */
    record Choice(String modelId, java.util.Optional<io.kaiyuan.engine.model.Variant> variant) {
        public static Choice of(String modelId) {
            return new Choice(modelId, java.util.Optional.empty());
        }
    }

    /**
     * Runs {@code request} on the columns (2 to 4), streaming each to {@code listener}; returns at once
     * and reports the schedule chosen before the run starts.
     */
    void run(List<Choice> columns, GenerationRequest request, Comparison.Listener listener,
            java.util.function.Consumer<Comparison.Schedule> schedule, CancellationToken cancel, Done done);

    /** Stores a blind vote. Touches the disk: call off the FX thread. */
    void vote(Vote vote) throws Exception;

    /** Every stored vote. Touches the disk: call off the FX thread. */
    List<Vote> votes() throws Exception;
}
