package io.kaiyuan.engine.constrain;

import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.Map;

/**
 * The tokens' bytes as a trie laid out in preorder, so the search for the tokens a state allows walks
 * shared prefixes once and skips a whole subtree when its first byte cannot come.
 */
final class TokenTrie {
    /** The byte on the edge into each node. */
    private final byte[] edge;
    /** The index after each node's subtree (its next sibling, or its ancestor's). */
    private final int[] skip;
    /** The depth of each node (0 for the root's children). */
    private final int[] depth;
    /** The token whose bytes end at each node, or -1. */
    private final int[] token;
    /** More tokens with the same bytes (rare). */
    private final Map<Integer, int[]> more;
    private final int maxDepth;

    private TokenTrie(byte[] edge, int[] skip, int[] depth, int[] token, Map<Integer, int[]> more, int maxDepth) {
        this.edge = edge;
        this.skip = skip;
        this.depth = depth;
        this.token = token;
        this.more = more;
        this.maxDepth = maxDepth;
    }

    /** A trie of the tokens in {@code ids} (their bytes in {@code bytes}; empty and null ones left out). */
    static TokenTrie of(byte[][] bytes, int[] ids) {
        Integer[] order = Arrays.stream(ids).filter(i -> bytes[i] != null && bytes[i].length > 0).boxed().toArray(Integer[]::new);
        Arrays.sort(order, (a, b) -> Arrays.compareUnsigned(bytes[a], bytes[b]));
        int capacity = 0;
        for (int id : order) {
            capacity += bytes[id].length;
        }
        byte[] edge = new byte[capacity];
        int[] skip = new int[capacity];
        int[] depth = new int[capacity];
        int[] token = new int[capacity];
        Map<Integer, int[]> more = new HashMap<>();
        int maxDepth = 0;
        int[] path = new int[4096];
        byte[] prev = new byte[0];
        int n = 0;
        for (int id : order) {
            byte[] t = bytes[id];
            if (t.length > path.length) {
                continue; // a token this long is no text
            }
            int lcp = Arrays.mismatch(prev, t);
            if (lcp < 0) { // the same bytes as the one before
                int node = path[t.length - 1];
                int[] m = more.getOrDefault(node, new int[0]);
                int[] grown = Arrays.copyOf(m, m.length + 1);
                grown[m.length] = id;
                more.put(node, grown);
                continue;
            }
            for (int k = prev.length - 1; k >= lcp; k--) {
                skip[path[k]] = n;
            }
            for (int k = lcp; k < t.length; k++) {
                edge[n] = t[k];
                depth[n] = k;
                token[n] = -1;
                path[k] = n++;
            }
            token[path[t.length - 1]] = id;
            maxDepth = Math.max(maxDepth, t.length);
            prev = t;
        }
        for (int k = prev.length - 1; k >= 0; k--) {
            skip[path[k]] = n;
        }
        return new TokenTrie(Arrays.copyOf(edge, n), Arrays.copyOf(skip, n), Arrays.copyOf(depth, n), Arrays.copyOf(token, n),
                more, maxDepth);
    }

    /** Nodes in the trie. */
    int size() {
        return edge.length;
    }

    /** Marks in {@code allowed} every token whose bytes {@code start} can read. */
    void allowed(JsonMatcher.State start, BitSet allowed) {
        JsonMatcher.State[] states = new JsonMatcher.State[maxDepth + 1];
        states[0] = start;
        int i = 0;
        int n = edge.length;
        while (i < n) {
            JsonMatcher.State s = states[depth[i]].advance(edge[i] & 0xFF);
            if (s == null) {
                i = skip[i];
                continue;
            }
            if (token[i] >= 0) {
                allowed.set(token[i]);
                int[] m = more.get(i);
                if (m != null) {
                    for (int id : m) {
                        allowed.set(id);
                    }
                }
            }
            states[depth[i] + 1] = s;
            i++;
        }
    }
}
