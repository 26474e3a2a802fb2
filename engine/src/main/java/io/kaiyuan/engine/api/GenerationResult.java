package io.kaiyuan.engine.api;

import java.util.List;

/**
 * The outcome of one generation.
 *
 * @param promptTokenIds the prompt as the model saw it
 * @param tokenIds every token sampled, including an end-of-sequence token that ended it
 * @param text the whole output text: special tokens and stop strings removed
 * @param reasoning the reasoning part ({@code <think>}...{@code </think>}, tags and surrounding newlines removed)
 * @param answer the answer part
 * @param reasoningUnclosed the model opened a reasoning block and never closed it: all text is reasoning
 * @param finishReason why it ended
 * @param metrics timings
 * @param logprobs each generated token's log probability when the request asked for them, else empty
 * @param toolCalls the tools the answer called, in order (their blocks are not in {@code answer})
 */
public record GenerationResult(
        List<Integer> promptTokenIds,
        List<Integer> tokenIds,
        String text,
        String reasoning,
        String answer,
        boolean reasoningUnclosed,
        FinishReason finishReason,
        GenerationMetrics metrics,
        List<TokenLogprob> logprobs,
        List<ToolCall> toolCalls) {

    public GenerationResult {
        promptTokenIds = List.copyOf(promptTokenIds);
        tokenIds = List.copyOf(tokenIds);
        logprobs = List.copyOf(logprobs);
        toolCalls = List.copyOf(toolCalls);
    }

    public GenerationResult(List<Integer> promptTokenIds, List<Integer> tokenIds, String text, String reasoning,
            String answer, boolean reasoningUnclosed, FinishReason finishReason, GenerationMetrics metrics,
            List<TokenLogprob> logprobs) {
        this(promptTokenIds, tokenIds, text, reasoning, answer, reasoningUnclosed, finishReason, metrics, logprobs, List.of());
    }

    public GenerationResult(List<Integer> promptTokenIds, List<Integer> tokenIds, String text, String reasoning,
            String answer, boolean reasoningUnclosed, FinishReason finishReason, GenerationMetrics metrics) {
        this(promptTokenIds, tokenIds, text, reasoning, answer, reasoningUnclosed, finishReason, metrics, List.of());
    }
}
