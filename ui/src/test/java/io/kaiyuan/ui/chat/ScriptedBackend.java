package io.kaiyuan.ui.chat;

import io.kaiyuan.engine.api.CancellationToken;
import io.kaiyuan.engine.api.ChatMessage;
import io.kaiyuan.engine.api.FinishReason;
import io.kaiyuan.engine.api.GenerationMetrics;
import io.kaiyuan.engine.api.GenerationResult;
import io.kaiyuan.engine.api.SamplingOverrides;
import io.kaiyuan.engine.api.TokenListener;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A chat backend the test drives by hand: each request waits until the test streams text into it and
 * finishes it, so a test can act on the page while an answer is in flight. Everything runs on the
 * calling thread.
 */
public class ScriptedBackend implements ChatBackend {
    /** One request in flight. */
    static final class Turn {
        final String modelId;
        final List<ChatMessage> conversation;
        final SamplingOverrides sampling;
        final TokenListener listener;
        final CancellationToken cancel;
        final Completion completion;
        private final StringBuilder text = new StringBuilder();
        private boolean done;

        Turn(String modelId, List<ChatMessage> conversation, SamplingOverrides sampling, TokenListener listener,
                CancellationToken cancel, Completion completion) {
            this.modelId = modelId;
            this.conversation = conversation;
            this.sampling = sampling;
            this.listener = listener;
            this.cancel = cancel;
            this.completion = completion;
        }

        /** Streams {@code t} as answer text. */
        Turn text(String t) {
            text.append(t);
            listener.onText(t);
            return this;
        }

        /** Ends the turn: stopped when it was cancelled, else finished. */
        void finish() {
            if (done) {
                return;
            }
            done = true;
            int tokens = text.length();
            FinishReason reason = cancel.isCancelled() ? FinishReason.CANCELLED : FinishReason.STOP;
            completion.finished(new GenerationResult(List.of(1, 2, 3), List.of(), text.toString(), "", text.toString(),
                    false, reason, new GenerationMetrics(3, 0, tokens, 0, 10, 100, 50, 0)));
        }

        void fail(String message) {
            done = true;
            completion.failed(message);
        }

        String lastQuestion() {
            return conversation.get(conversation.size() - 1).content();
        }
    }

    final List<Turn> turns = new ArrayList<>();
    public final List<String> models = new ArrayList<>(List.of("a/model", "b/model"));

    @Override
    public List<String> installedModels() {
        return List.copyOf(models);
    }

    @Override
    public void answer(String modelId, List<ChatMessage> conversation, Map<String, Object> templateVariables,
            SamplingOverrides sampling, TokenListener listener, CancellationToken cancel, Completion completion) {
        turns.add(new Turn(modelId, List.copyOf(conversation), sampling, listener, cancel, completion));
    }

    Turn last() {
        return turns.get(turns.size() - 1);
    }

    /** A load the picker asked for, driven by the test. */
    record Preload(String modelId, LoadListener listener, CancellationToken cancel) {}

    final List<Preload> preloads = new ArrayList<>();
    /** Whether preloads wait for the test (else they report loaded at once, as a backend that loads on demand). */
    boolean scriptedPreloads;

    @Override
    public void preload(String modelId, LoadListener listener, CancellationToken cancel) {
        if (!scriptedPreloads) {
            listener.loaded();
            return;
        }
        preloads.add(new Preload(modelId, listener, cancel));
    }
}
