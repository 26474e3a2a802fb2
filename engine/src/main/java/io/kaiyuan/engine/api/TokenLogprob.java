package io.kaiyuan.engine.api;

import java.util.List;

/**
 * A generated token with its log probability under the model's own distribution (before penalties, bias,
 * temperature and truncation), and the most likely tokens at that step.
 *
 * @param id the token id
 * @param text the token decoded on its own (a token holding part of a character decodes to U+FFFD)
 * @param logprob its natural-log probability
 * @param top the most likely tokens at that step, most likely first (as many as asked for)
 */
public record TokenLogprob(int id, String text, double logprob, List<Alternative> top) {
    public TokenLogprob {
        top = List.copyOf(top);
    }

    /** One of the most likely tokens at a step. */
    public record Alternative(int id, String text, double logprob) {}
}
