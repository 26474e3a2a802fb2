package io.kaiyuan.engine.api;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One request to generate text.
 *
 * @param prompt what to continue: chat messages rendered with the model's chat template, raw text, or token ids
 * @param sampling overrides over the model's defaults
 * @param maxNewTokens the most tokens to generate
 * @param stopStrings text that ends the generation; never part of the output
 * @param ignoreEos keep generating past end-of-sequence tokens (benchmarks)
 * @param adjustments OpenAI's frequency and presence penalties and logit bias, applied first
 * @param topLogprobs -1: no log probabilities; 0 to 20: each generated token's log probability (see
 *     {@link TokenLogprob}) with that many of the most likely tokens
 */
public record GenerationRequest(Prompt prompt, SamplingOverrides sampling, int maxNewTokens, List<String> stopStrings,
        boolean ignoreEos, LogitAdjustments adjustments, int topLogprobs, ResponseFormat format, ToolUse tools) {
    /** The most alternatives a step reports. */
    public static final int MAX_TOP_LOGPROBS = 20;

    public GenerationRequest {
        Objects.requireNonNull(prompt, "prompt");
        Objects.requireNonNull(sampling, "sampling");
        Objects.requireNonNull(adjustments, "adjustments");
        Objects.requireNonNull(format, "format");
        Objects.requireNonNull(tools, "tools");
        if (tools.active() && !format.isText()) {
            throw new IllegalArgumentException("an answer is either a structured document or may call tools, not both");
        }
        if (topLogprobs < -1 || topLogprobs > MAX_TOP_LOGPROBS) {
            throw new IllegalArgumentException("top_logprobs must be 0 to " + MAX_TOP_LOGPROBS + ", not " + topLogprobs);
        }
        stopStrings = List.copyOf(stopStrings);
        if (maxNewTokens < 1) {
            throw new IllegalArgumentException("max new tokens must be at least 1, got " + maxNewTokens);
        }
        if (stopStrings.stream().anyMatch(String::isEmpty)) {
            throw new IllegalArgumentException("a stop string must not be empty");
        }
    }

    public GenerationRequest(Prompt prompt, SamplingOverrides sampling, int maxNewTokens, List<String> stopStrings,
            boolean ignoreEos, LogitAdjustments adjustments, int topLogprobs) {
        this(prompt, sampling, maxNewTokens, stopStrings, ignoreEos, adjustments, topLogprobs, ResponseFormat.TEXT,
                ToolUse.NONE);
    }

    public GenerationRequest(Prompt prompt, SamplingOverrides sampling, int maxNewTokens, List<String> stopStrings,
            boolean ignoreEos) {
        this(prompt, sampling, maxNewTokens, stopStrings, ignoreEos, LogitAdjustments.NONE, -1);
    }

    public GenerationRequest(Prompt prompt, SamplingOverrides sampling, int maxNewTokens, List<String> stopStrings) {
        this(prompt, sampling, maxNewTokens, stopStrings, false);
    }

    /** This request with other sampling settings. */
    public GenerationRequest withSampling(SamplingOverrides other) {
        return new GenerationRequest(prompt, other, maxNewTokens, stopStrings, ignoreEos, adjustments, topLogprobs, format, tools);
    }

    /** This request with OpenAI's adjustments and log probabilities. */
    public GenerationRequest withAdjustments(LogitAdjustments a, int top) {
        return new GenerationRequest(prompt, sampling, maxNewTokens, stopStrings, ignoreEos, a, top, format, tools);
    }

    /** This request with its answer in {@code f}. */
    public GenerationRequest withFormat(ResponseFormat f) {
        return new GenerationRequest(prompt, sampling, maxNewTokens, stopStrings, ignoreEos, adjustments, topLogprobs, f, tools);
    }

    /** This request with another prompt and token budget (a conversation fitted to the context), all else kept. */
    public GenerationRequest withPrompt(Prompt p, int maxTokens) {
        return new GenerationRequest(p, sampling, maxTokens, stopStrings, ignoreEos, adjustments, topLogprobs, format, tools);
    }

    /** This request with these tools offered. */
    public GenerationRequest withTools(ToolUse t) {
        return new GenerationRequest(prompt, sampling, maxNewTokens, stopStrings, ignoreEos, adjustments, topLogprobs, format, t);
    }

    /** What the model continues. */
    public sealed interface Prompt {
        /**
         * Messages rendered with the model's chat template, ending with the generation prompt.
         *
         * @param variables extra template variables, such as {@code enable_thinking}
         */
        record Chat(List<ChatMessage> messages, Map<String, Object> variables) implements Prompt {
            public Chat {
                messages = List.copyOf(messages);
                variables = Map.copyOf(variables);
                if (messages.isEmpty()) {
                    throw new IllegalArgumentException("a chat prompt needs at least one message");
                }
            }

            public Chat(List<ChatMessage> messages) {
                this(messages, Map.of());
            }
        }

        /** Text tokenized as it is, without a template and without added special tokens. */
        record Raw(String text) implements Prompt {
            public Raw {
                Objects.requireNonNull(text, "text");
            }
        }

        /** Token ids given directly. */
        record Tokens(List<Integer> ids) implements Prompt {
            public Tokens {
                ids = List.copyOf(ids);
                if (ids.isEmpty()) {
                    throw new IllegalArgumentException("a token prompt needs at least one token");
                }
            }
        }
    }
}
