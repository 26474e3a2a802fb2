package io.kaiyuan.engine.sample;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kaiyuan.engine.api.SamplingOverrides;
import io.kaiyuan.engine.api.SamplingParams;
import java.util.OptionalLong;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SamplingTest {
    private static final float NEG = Float.NEGATIVE_INFINITY;

    @Test
    void repetitionPenaltyDividesPositiveAndMultipliesNegativeScoresOncePerToken() {
        float[] scores = {2f, -2f, 3f, 1f};
        new RepetitionPenalty(2f).process(scores, new int[] {0, 1, 0, 0, 9}, 4);
        assertArrayEquals(new float[] {1f, -4f, 3f, 1f}, scores);
    }

    @Test
    void repetitionPenaltyCountsOnlyTheHistoryLength() {
        float[] scores = {2f, 2f};
        new RepetitionPenalty(2f).process(scores, new int[] {0, 1}, 1);
        assertArrayEquals(new float[] {1f, 2f}, scores);
    }

    @Test
    void temperatureDividesScores() {
        float[] scores = {1f, -2f, 4f};
        new Temperature(0.5f).process(scores, new int[0], 0);
        assertArrayEquals(new float[] {2f, -4f, 8f}, scores);
        assertThrows(IllegalArgumentException.class, () -> new Temperature(0f));
    }

    @Test
    void topKKeepsTiesWithTheKthScore() {
        float[] scores = {1f, 5f, 3f, 3f, 0f};
        new TopK(2).process(scores, new int[0], 0);
        assertArrayEquals(new float[] {NEG, 5f, 3f, 3f, NEG}, scores);
    }

    @Test
    void topKMatchesAFullSortOnALargeVocabulary() {
        SplittableRandom random = new SplittableRandom(5);
        float[] scores = new float[151936];
        for (int i = 0; i < scores.length; i++) {
            scores[i] = (float) random.nextGaussian();
        }
        float[] sorted = scores.clone();
        java.util.Arrays.sort(sorted);
        float kth = sorted[sorted.length - 50];
        new TopK(50).process(scores, new int[0], 0);
        assertEquals(50, countKept(scores));
        for (float s : scores) {
            assertTrue(s == NEG || s >= kth);
        }
    }

    @Test
    void topPKeepsTheSmallestSetReachingP() {
        // probabilities 0.5, 0.25, 0.125, 0.125
        float[] scores = {(float) Math.log(0.5), (float) Math.log(0.25), (float) Math.log(0.125), (float) Math.log(0.125)};
        float[] a = scores.clone();
        new TopP(0.7f).process(a, new int[0], 0);
        assertEquals(NEG, a[2]);
        assertEquals(NEG, a[3]);
        assertTrue(a[0] > NEG && a[1] > NEG);
        float[] b = scores.clone();
        new TopP(0.75f).process(b, new int[0], 0);
        assertTrue(b[0] > NEG && b[1] > NEG, "0.5 + 0.25 reaches 0.75 exactly");
        float[] c = scores.clone();
        new TopP(0.01f).process(c, new int[0], 0);
        assertEquals(1, countKept(c), "at least one token always stays");
    }

    @Test
    void minPDropsTokensBelowPTimesTheTopProbability() {
        float[] scores = {(float) Math.log(0.6), (float) Math.log(0.3), (float) Math.log(0.08), (float) Math.log(0.02)};
        new MinP(0.1f).process(scores, new int[0], 0);
        assertTrue(scores[0] > NEG && scores[1] > NEG && scores[2] > NEG);
        assertEquals(NEG, scores[3]);
    }

    private static int countKept(float[] scores) {
        int n = 0;
        for (float s : scores) {
            if (s != NEG) {
                n++;
            }
        }
        return n;
    }

    @Test
    void argmaxTakesTheFirstOfEqualScores() {
        assertEquals(1, Sampler.ARGMAX.sample(new float[] {0f, 3f, 3f}));
    }

    @Test
    void multinomialFollowsTheSoftmaxDistribution() {
        float[] scores = {0f, (float) Math.log(2), (float) Math.log(3), NEG};
        Sampler sampler = Sampler.multinomial(new SplittableRandom(42));
        int[] counts = new int[4];
        int n = 60_000;
        for (int i = 0; i < n; i++) {
            counts[sampler.sample(scores)]++;
        }
        assertEquals(0, counts[3], "a removed token is never drawn");
        double[] expected = {1 / 6.0, 2 / 6.0, 3 / 6.0};
        for (int i = 0; i < 3; i++) {
            assertEquals(expected[i], counts[i] / (double) n, 0.01, "token " + i);
        }
    }

    @Test
    void seedMakesDrawsReproducible() {
        SamplingParams p = new SamplingParams(true, 1.0, 0, 1.0, 0.0, 1.0, OptionalLong.of(7));
        float[] scores = new float[50];
        for (int i = 0; i < scores.length; i++) {
            scores[i] = (float) Math.sin(i);
        }
        int[] a = draws(Sampler.of(p), scores);
        assertArrayEquals(a, draws(Sampler.of(p), scores));
        SamplingParams other = new SamplingParams(true, 1.0, 0, 1.0, 0.0, 1.0, OptionalLong.of(8));
        assertNotEquals(java.util.Arrays.toString(a), java.util.Arrays.toString(draws(Sampler.of(other), scores)));
    }

    private static int[] draws(TokenChooser chooser, float[] scores) {
        int[] out = new int[40];
        for (int i = 0; i < out.length; i++) {
            out[i] = chooser.choose(scores.clone(), new int[0], 0);
        }
        return out;
    }

    @Test
    void narrowingToCandidatesGivesTheSameScoresAndDrawsAsFullPasses() {
        SplittableRandom random = new SplittableRandom(21);
        int[] history = new int[300];
        for (int i = 0; i < history.length; i++) {
            history[i] = random.nextInt(5000);
        }
        SamplingParams[] settings = {
            new SamplingParams(true, 0.7, 20, 0.8, 0.0, 1.05, OptionalLong.of(3)),
            new SamplingParams(true, 1.3, 0, 0.9, 0.05, 1.0, OptionalLong.of(4)),
            new SamplingParams(true, 0.6, 50, 1.0, 0.1, 1.2, OptionalLong.of(5)),
        };
        for (SamplingParams p : settings) {
            TokenChooser narrowed = Sampler.of(p);
            TokenChooser reference = Sampler.of(p);
            for (int step = 0; step < 30; step++) {
                float[] scores = new float[5000];
                for (int i = 0; i < scores.length; i++) {
                    scores[i] = (float) (random.nextGaussian() * 2);
                }
                float[] a = scores.clone();
                int chosen = narrowed.choose(a, history, history.length);
                float[] b = scores.clone();
                for (LogitsProcessor processor : reference.processors()) {
                    processor.process(b, history, history.length);
                }
                assertArrayEquals(b, a, "scores after the processors, " + p);
                assertEquals(reference.sampler().sample(b), chosen, "drawn token, " + p);
            }
        }
    }

    @Test
    void pipelineRunsInHuggingFaceOrder() {
        SamplingParams p = new SamplingParams(true, 0.7, 40, 0.9, 0.05, 1.1, OptionalLong.of(1));
        TokenChooser chooser = Sampler.of(p);
        assertEquals(java.util.List.of(RepetitionPenalty.class, Temperature.class, TopK.class, TopP.class, MinP.class),
                chooser.processors().stream().map(Object::getClass).toList());
    }

    @Test
    void greedyWhenDoSampleIsOffTemperatureIsZeroOrTopKIsOne() {
        SamplingParams defaults = new SamplingParams(true, 0.7, 20, 0.8, 0.0, 1.0, OptionalLong.empty());
        assertTrue(Sampler.of(SamplingOverrides.NONE.over(defaults)).sampler() != Sampler.ARGMAX);
        assertEquals(Sampler.ARGMAX, Sampler.of(new SamplingOverrides(0.0, null, null, null, null, null).over(defaults)).sampler());
        assertEquals(Sampler.ARGMAX, Sampler.of(new SamplingOverrides(null, 1, null, null, null, null).over(defaults)).sampler());
        SamplingParams off = new SamplingParams(false, 0.7, 20, 0.8, 0.0, 1.0, OptionalLong.empty());
        assertEquals(Sampler.ARGMAX, Sampler.of(SamplingOverrides.NONE.over(off)).sampler());
        assertTrue(Sampler.of(new SamplingOverrides(0.9, null, null, null, null, null).over(off)).sampler() != Sampler.ARGMAX,
                "an explicit temperature turns sampling on");
    }

    @Test
    void invalidSettingsAreRejectedWithTheirName() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new SamplingParams(true, 1.0, 0, 1.5, 0.0, 1.0, OptionalLong.empty()));
        assertTrue(e.getMessage().contains("top-p"));
    }
}
