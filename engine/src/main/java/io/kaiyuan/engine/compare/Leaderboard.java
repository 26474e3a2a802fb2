package io.kaiyuan.engine.compare;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Elo ratings from blind votes, in the order they were given: every model starts at 1000, K = 32; a tie
 * and "both bad" count half a win each (as arena leaderboards count them).
 */
public final class Leaderboard {
    static final double START = 1000;
    static final double K = 32;

    /**
     * A model's rating and how many votes it took part in: a verdict on three or four columns is stored as
     * a vote per pair, at one instant, and counts once.
     */
    public record Entry(String model, double rating, int votes) {}

    private Leaderboard() {}

    /** The ratings, best first. */
    public static List<Entry> of(List<Vote> votes) {
        Map<String, Double> rating = new HashMap<>();
        Map<String, java.util.Set<java.time.Instant>> verdicts = new HashMap<>();
        List<Vote> ordered = new ArrayList<>(votes);
        ordered.sort(Comparator.comparing(Vote::at));
        for (Vote v : ordered) {
            double ra = rating.getOrDefault(v.modelA(), START);
            double rb = rating.getOrDefault(v.modelB(), START);
            double expectedA = 1 / (1 + Math.pow(10, (rb - ra) / 400));
            double scoreA = switch (v.outcome()) {
                case A_BETTER -> 1;
                case B_BETTER -> 0;
                case TIE, BOTH_BAD -> 0.5;
            };
            rating.put(v.modelA(), ra + K * (scoreA - expectedA));
            rating.put(v.modelB(), rb + K * ((1 - scoreA) - (1 - expectedA)));
            verdicts.computeIfAbsent(v.modelA(), m -> new java.util.HashSet<>()).add(v.at());
            verdicts.computeIfAbsent(v.modelB(), m -> new java.util.HashSet<>()).add(v.at());
        }
        List<Entry> out = new ArrayList<>();
        rating.forEach((m, r) -> out.add(new Entry(m, r, verdicts.get(m).size())));
        out.sort(Comparator.comparingDouble(Entry::rating).reversed().thenComparing(Entry::model));
        return out;
    }
}
