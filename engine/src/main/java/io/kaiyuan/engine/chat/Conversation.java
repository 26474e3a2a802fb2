package io.kaiyuan.engine.chat;

import io.kaiyuan.engine.api.ResponseFormat;
import io.kaiyuan.engine.api.SamplingOverrides;
import java.time.Instant;
import java.util.Optional;

/**
 * A stored conversation's settings.
 *
 * @param modelId the model it talks to, when one was chosen
 * @param systemPrompt sent first with every turn; empty for none
 * @param sampling the conversation's sampling settings over the model's defaults
 * @param format what shape its answers take (text, a JSON object, a document valid for a JSON schema)
 */
public record Conversation(long id, String title, Optional<String> modelId, String systemPrompt, SamplingOverrides sampling,
        Instant createdAt, Instant updatedAt, ResponseFormat format) {
    public Conversation {
        java.util.Objects.requireNonNull(format, "format");
    }

    /** A conversation whose answers are text. */
    public Conversation(long id, String title, Optional<String> modelId, String systemPrompt, SamplingOverrides sampling,
            Instant createdAt, Instant updatedAt) {
        this(id, title, modelId, systemPrompt, sampling, createdAt, updatedAt, ResponseFormat.TEXT);
    }
}
