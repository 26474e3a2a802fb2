package io.kaiyuan.engine.chat;

import io.kaiyuan.engine.api.SamplingOverrides;
import java.time.Instant;
import java.util.Optional;

/**
 * A stored conversation's settings.
 *
 * @param modelId the model it talks to, when one was chosen
 * @param systemPrompt sent first with every turn; empty for none
 * @param sampling the conversation's sampling settings over the model's defaults
 */
public record Conversation(long id, String title, Optional<String> modelId, String systemPrompt, SamplingOverrides sampling,
        Instant createdAt, Instant updatedAt) {}
