package io.kaiyuan.engine.api;

import java.util.Locale;

/** Why a generation ended. */
public enum FinishReason {
    /** An end-of-sequence token or a stop string. */
    STOP,
    /** The max-new-tokens budget or the model's context limit. */
    LENGTH,
    /** The caller cancelled. */
    CANCELLED,
    /** The answer called tools (it ended after its calls). */
    TOOL_CALLS;

    /** The lower-case name used in JSON ({@code stop}, {@code length}, {@code cancelled}, {@code tool_calls}). */
    public String jsonName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
