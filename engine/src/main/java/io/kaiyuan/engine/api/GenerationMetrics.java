package io.kaiyuan.engine.api;

/**
 * Timings of one generation.
 *
 * @param promptTokens tokens in the prompt
 * @param cachedPromptTokens prompt tokens whose KV cache was reused from the previous turn (not prefilled again)
 * @param generatedTokens tokens sampled
 * @param loadMs time the model took to load (session and tokenizer)
 * @param ttftMs from the request to the first sampled token (tokenizing, prefill, sampling)
 * @param prefillTokensPerS prefilled tokens per second (the prompt tokens that were not cached)
 * @param decodeTokensPerS tokens per second after the first one
 * @param reasoningMs from the first generated token to the end of the reasoning block (0 without one)
 */
public record GenerationMetrics(
        int promptTokens,
        int cachedPromptTokens,
        int generatedTokens,
        long loadMs,
        double ttftMs,
        double prefillTokensPerS,
        double decodeTokensPerS,
        double reasoningMs) {}
