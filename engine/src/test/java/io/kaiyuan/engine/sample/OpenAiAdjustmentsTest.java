package io.kaiyuan.engine.sample;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kaiyuan.engine.api.LogitAdjustments;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** OpenAI's penalty arithmetic: only generated tokens count; frequency per repeat, presence once; bias added. */
class OpenAiAdjustmentsTest {
    @Test
    void penaltiesCountOnlyGeneratedTokensAndBiasIsAdded() {
        // history: prompt [1, 1, 2], generated [2, 2, 3]
        int[] history = {1, 1, 2, 2, 2, 3};
        float[] scores = {0f, 5f, 5f, 5f, Float.NEGATIVE_INFINITY};
        new OpenAiAdjustments(new LogitAdjustments(0.5, 1.0, Map.of(0, 3.0, 4, 100.0)), 3, 5)
                .process(scores, history, history.length);
        assertArrayEquals(new float[] {3f, 5f, 5f - (2 * 0.5f + 1f), 5f - (0.5f + 1f), Float.NEGATIVE_INFINITY}, scores,
                "token 1 only in the prompt; 2 twice, 3 once; a removed token stays removed");
    }

    @Test
    void outOfRangeValuesAndIdsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new LogitAdjustments(2.5, 0, Map.of()));
        assertThrows(IllegalArgumentException.class, () -> new LogitAdjustments(0, Double.NaN, Map.of()));
        assertThrows(IllegalArgumentException.class, () -> new LogitAdjustments(0, 0, Map.of(1, 101.0)));
        assertThrows(IllegalArgumentException.class, () -> new LogitAdjustments(0, 0, Map.of(-1, 1.0)));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new OpenAiAdjustments(new LogitAdjustments(0, 0, Map.of(10, 1.0)), 0, 10));
        assertTrue(e.getMessage().contains("ids end at 9"), e.getMessage());
    }
}
