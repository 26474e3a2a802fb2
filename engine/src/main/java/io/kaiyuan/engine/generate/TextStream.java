package io.kaiyuan.engine.generate;

import io.kaiyuan.engine.api.GenerationMetrics;
import io.kaiyuan.engine.api.TokenListener;
import io.kaiyuan.engine.template.ReasoningParser;
import io.kaiyuan.engine.tokenize.StreamingDetokenizer;
import io.kaiyuan.engine.tokenize.Tokenizer;
import java.util.List;

/**
 * The text side of a generation, on top of the {@link Generator}: each chosen token detokenized, watched
 * for stop strings, split into reasoning and answer as it streams to the listener, and timed.
 */
final class TextStream {
    private final StreamingDetokenizer detokenizer;
    private final StopStrings stops;
    private final ReasoningParser reasoning;
    private final TokenListener listener;
    private final StringBuilder all = new StringBuilder();
    private final StringBuilder reasoningText = new StringBuilder();
    private final StringBuilder answerText = new StringBuilder();
    private final long startNanos;
    private int tokens;
    private long firstTokenNanos;
    private long lastTokenNanos;
    private long reasoningEndNanos;

    /**
     * @param startsInsideReasoning whether the prompt opened a reasoning block the answer goes on in
     * @param startNanos when the request arrived, for the time to first token
     */
    TextStream(Tokenizer tokenizer, List<String> stopStrings, boolean startsInsideReasoning, TokenListener listener,
            long startNanos) {
        this.detokenizer = new StreamingDetokenizer(tokenizer);
        this.stops = new StopStrings(stopStrings);
        this.reasoning = new ReasoningParser(startsInsideReasoning);
        this.listener = listener;
        this.startNanos = startNanos;
    }

    /**
     * Takes a chosen token: an end-of-sequence token is counted and timed but adds no text. Returns whether a
     * stop string has ended the text.
     */
    boolean add(int id, boolean endOfSequence) {
        lastTokenNanos = System.nanoTime();
        if (tokens++ == 0) {
            firstTokenNanos = lastTokenNanos;
        }
        if (endOfSequence) {
            return false;
        }
        emit(stops.add(detokenizer.add(id)));
        if (reasoningEndNanos == 0 && reasoning.reasoningEnded()) {
            reasoningEndNanos = lastTokenNanos;
        }
        return stops.stopped();
    }

    /** Sends what was held back (unless a stop string ended the text) and closes the reasoning. */
    void finish() {
        if (!stops.stopped()) {
            emit(stops.add(detokenizer.flush()));
            emit(stops.stopped() ? "" : stops.flush());
        }
        send(reasoning.finish());
        if (reasoningEndNanos == 0 && reasoning.unclosed()) {
            reasoningEndNanos = lastTokenNanos;
        }
    }

    private void emit(String delta) {
        if (!delta.isEmpty()) {
            all.append(delta);
            send(reasoning.add(delta));
        }
    }

    private void send(ReasoningParser.Delta d) {
        d.deliver(reasoningText, answerText, listener);
    }

    /** Whether a stop string ended the text. */
    boolean stopped() {
        return stops.stopped();
    }

    /** The timings: prefill as the generator measured it, the rest from the tokens' arrival. */
    GenerationMetrics metrics(int promptTokens, int reused, long loadMs, long prefillNanos) {
        double ttftMs = tokens == 0 ? 0 : (firstTokenNanos - startNanos) / 1e6;
        double prefillRate = prefillNanos == 0 ? 0 : (promptTokens - reused) / (prefillNanos / 1e9);
        double decodeRate = tokens > 1 ? (tokens - 1) / ((lastTokenNanos - firstTokenNanos) / 1e9) : 0;
        double reasoningMs = reasoningEndNanos == 0 || tokens == 0 ? 0 : (reasoningEndNanos - firstTokenNanos) / 1e6;
        return new GenerationMetrics(promptTokens, reused, tokens, loadMs, ttftMs, prefillRate, decodeRate, reasoningMs);
    }

    String text() {
        return all.toString();
    }

    String reasoning() {
        return reasoningText.toString();
    }

    String answer() {
        return answerText.toString();
    }

    /** Whether the text ended inside a reasoning block that never closed. */
    boolean reasoningUnclosed() {
        return reasoning.unclosed();
    }
}
