package io.kaiyuan.engine.api;

/**
 * What a model's load is doing, for a progress line: called on the loading thread as each step begins. A
 * load can be cancelled between steps (through its {@link CancellationToken}); a step that has begun runs
 * to its end (ONNX Runtime cannot stop a session being made).
 */
@FunctionalInterface
public interface LoadProgress {
    /** The steps of a load, in order. */
    enum Phase {
        /** The folder's configuration and the tokenizer are read. */
        READING,
        /** The graph is made ready for this processor: rebuilt and checked on the first load, read back after. */
        PREPARING,
        /** ONNX Runtime reads the weights and plans the graph: the longest step for a large model. */
        OPENING
    }

    void phase(Phase phase);

    /** Hears nothing. */
    LoadProgress NONE = phase -> { };
}
