package io.kaiyuan.engine.chat;

import io.kaiyuan.engine.api.ChatMessage;
import io.kaiyuan.engine.api.FinishReason;
import io.kaiyuan.engine.api.GenerationMetrics;
import io.kaiyuan.engine.api.SamplingOverrides;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One message of a stored conversation. An answer also keeps how it was made: the model and variant,
 * the sampling settings (with the seed), its metrics and why it ended, and the tool calls it made before
 * its text.
 *
 * @param role user, assistant or system
 * @param content the text; for an answer that called tools, the text after its last round of calls
 * @param reasoning the thinking before an answer; empty for none
 * @param toolRounds the rounds of tool calls an answer made before {@code content}, in order; empty for none
 */
public record StoredMessage(String role, String content, String reasoning, Optional<String> modelId,
        Optional<String> variant, Optional<SamplingOverrides> sampling, Optional<GenerationMetrics> metrics,
        Optional<FinishReason> finishReason, Instant createdAt, List<ToolRound> toolRounds) {

    public StoredMessage {
        toolRounds = toolRounds == null ? List.of() : List.copyOf(toolRounds);
    }

    /** A message without tool calls. */
    public StoredMessage(String role, String content, String reasoning, Optional<String> modelId, Optional<String> variant,
            Optional<SamplingOverrides> sampling, Optional<GenerationMetrics> metrics, Optional<FinishReason> finishReason,
            Instant createdAt) {
        this(role, content, reasoning, modelId, variant, sampling, metrics, finishReason, createdAt, List.of());
    }

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

    /** The message with {@code rounds} of tool calls before its text. */
    public StoredMessage withToolRounds(List<ToolRound> rounds) {
        return new StoredMessage(role, content, reasoning, modelId, variant, sampling, metrics, finishReason, createdAt, rounds);
    }

    /** The message with {@code variant}. */
    public StoredMessage withVariant(String v) {
        return new StoredMessage(role, content, reasoning, modelId, Optional.ofNullable(v), sampling, metrics, finishReason,
                createdAt, toolRounds);
    }

    /**
     * The message as a model reads it: each round of tool calls (the assistant's calls, then their results)
     * and then the message itself.
     *
     * @param withReasoning whether the thinking goes along as {@code reasoning_content} (templates that keep
     *     the thinking of the turn in progress read it)
     */
    public List<ChatMessage> chatMessages(boolean withReasoning) {
        List<ChatMessage> out = new ArrayList<>();
        for (ToolRound r : toolRounds) {
            out.addAll((withReasoning ? r : new ToolRound(r.content(), "", r.calls())).chatMessages());
        }
        out.add(new ChatMessage(role, content, withReasoning && !reasoning.isEmpty()
                ? Map.of("reasoning_content", reasoning) : Map.of()));
        return out;
    }
}
