package io.kaiyuan.engine.api;

/**
 * Receives streamed text. Called on the generation thread; implementations must return quickly and hand
 * work to other threads themselves (the UI batches text per pulse).
 */
@FunctionalInterface
public interface TokenListener {
    /** A listener that ignores everything. */
    TokenListener NONE = text -> {};

    /**
     * New answer text; never half a UTF-8 character and never part of a stop string. Reasoning
     * ({@code <think>}...) goes to {@link #onReasoning} instead.
     */
    void onText(String text);

    /** New reasoning text (inside {@code <think>}...{@code </think>}), without the tags. */
    default void onReasoning(String text) {}

    /** A tool call the answer made, whole (its block is not part of the answer text); index from 0. */
    default void onToolCall(int index, ToolCall call) {}

    /**
     * The prompt has been rendered, tokenized and found to fit: from here on the request fails only if the
     * model itself does. Called once, before the model reads the prompt.
     */
    default void onPromptAccepted() {}
}
