package io.kaiyuan.engine.api;

import java.util.List;

/**
 * The outcome of one generation.
 *
 * @param promptTokenIds the prompt as the model saw it
 * @param tokenIds every token sampled, including an end-of-sequence token that ended it
 * @param text the answer text: special tokens and stop strings removed
 * @param finishReason why it ended
 * @param metrics timings
 */
public record GenerationResult(
        List<Integer> promptTokenIds,
        List<Integer> tokenIds,
        String text,
        FinishReason finishReason,
        GenerationMetrics metrics) {

    public GenerationResult {
        promptTokenIds = List.copyOf(promptTokenIds);
        tokenIds = List.copyOf(tokenIds);
    }
}
