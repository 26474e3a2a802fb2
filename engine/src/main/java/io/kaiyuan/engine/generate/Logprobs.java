package io.kaiyuan.engine.generate;

import io.kaiyuan.engine.api.TokenLogprob;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;

/** Log probabilities of one step from the model's raw scores: log-softmax, the chosen id and the top ones. */
final class Logprobs {
    private Logprobs() {}

    /**
     * @param scores the model's scores for every id at this step (not changed)
     * @param chosen the id generated
     * @param top how many of the most likely ids to report (0 to 20)
     * @param text an id's text
     */
    static TokenLogprob of(float[] scores, int chosen, int top, IntFunction<String> text) {
        float max = Float.NEGATIVE_INFINITY;
        for (float s : scores) {
            if (s > max) {
                max = s;
            }
        }
        double sum = 0;
        for (float s : scores) {
            sum += Math.exp(s - max);
        }
        double logZ = max + Math.log(sum);
        // The top ids by score, most likely first (ties: the lower id first), in one pass.
        int[] best = new int[top];
        int found = 0;
        for (int id = 0; id < scores.length && top > 0; id++) {
            float s = scores[id];
            if (found == top && !(s > scores[best[found - 1]])) {
                continue;
            }
            int at = found == top ? found - 1 : found++;
            while (at > 0 && s > scores[best[at - 1]]) {
                best[at] = best[at - 1];
                at--;
            }
            best[at] = id;
        }
        List<TokenLogprob.Alternative> alternatives = new ArrayList<>(found);
        for (int i = 0; i < found; i++) {
            alternatives.add(new TokenLogprob.Alternative(best[i], text.apply(best[i]), scores[best[i]] - logZ));
        }
        return new TokenLogprob(chosen, text.apply(chosen), scores[chosen] - logZ, alternatives);
    }
}
