package io.kaiyuan.engine.api;

/**
 * Receives streamed text. Called on the generation thread; implementations must return quickly and hand
 * work to other threads themselves (the UI batches text per pulse).
 */
@FunctionalInterface
public interface TokenListener {
    /** A listener that ignores everything. */
    TokenListener NONE = text -> {};

    /** New answer text; never half a UTF-8 character and never part of a stop string. */
    void onText(String text);
}
