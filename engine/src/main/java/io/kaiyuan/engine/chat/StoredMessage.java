package io.kaiyuan.engine.chat;

import io.kaiyuan.engine.api.FinishReason;
import io.kaiyuan.engine.api.GenerationMetrics;
import io.kaiyuan.engine.api.SamplingOverrides;
import java.time.Instant;
import java.util.Optional;

/**
 * One message of a stored conversation. An answer also keeps how it was made: the model and variant,
 * the sampling settings (with the seed), its metrics and why it ended.
 *
 * @param role user, assistant or system
 * @param reasoning the thinking before an answer; empty for none
 */
public record StoredMessage(String role, String content, String reasoning, Optional<String> modelId,
        Optional<String> variant, Optional<SamplingOverrides> sampling, Optional<GenerationMetrics> metrics,
        Optional<FinishReason> finishReason, Instant createdAt) {

    /** A user's message. */
    public static StoredMessage user(String content) {
        return new StoredMessage("user", content, "", Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.empty(), Optional.empty(), Instant.now());
    }

    /** A model's answer and how it was made. */
    public static StoredMessage answer(String content, String reasoning, String modelId, String variant,
            SamplingOverrides sampling, GenerationMetrics metrics, FinishReason finishReason) {
        return new StoredMessage("assistant", content, reasoning, Optional.of(modelId), Optional.ofNullable(variant),
                Optional.of(sampling), Optional.of(metrics), Optional.of(finishReason), Instant.now());
    }
}
