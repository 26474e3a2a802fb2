package io.kaiyuan.engine.sample;

/**
 * Hugging Face's TopKLogitsWarper: removes every token scoring below the k-th highest score (ties with it
 * stay).
 */
public record TopK(int k) implements LogitsProcessor {
    public TopK {
        if (k < 1) {
            throw new IllegalArgumentException("top-k must be at least 1");
        }
    }

    @Override
    public void process(float[] scores, int[] history, int length) {
        process(scores, history, length, null);
    }

    /** Returns the ids kept, in id order: those scoring at least the k-th highest score (ties included). */
    @Override
    public int[] process(float[] scores, int[] history, int length, int[] candidates) {
        int n = candidates == null ? scores.length : candidates.length;
        if (k >= n) {
            return Softmax.stillIn(scores, candidates);
        }
        // The k-th highest score, from a min-heap of the k highest seen: O(n log k), not a full sort.
        float[] heap = new float[k];
        int size = 0;
        for (int j = 0; j < n; j++) {
            float s = scores[candidates == null ? j : candidates[j]];
            if (size < k) {
                heap[size] = s;
                siftUp(heap, size++);
            } else if (s > heap[0]) {
                heap[0] = s;
                siftDown(heap, k);
            }
        }
        float threshold = heap[0];
        int[] survivors = new int[k + 8];
        int kept = 0;
        for (int j = 0; j < n; j++) {
            int id = candidates == null ? j : candidates[j];
            if (scores[id] < threshold) {
                scores[id] = Float.NEGATIVE_INFINITY;
            } else {
                if (kept == survivors.length) {
                    survivors = java.util.Arrays.copyOf(survivors, kept * 2);
                }
                survivors[kept++] = id;
            }
        }
        return java.util.Arrays.copyOf(survivors, kept);
    }

    private static void siftUp(float[] heap, int i) {
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            if (heap[parent] <= heap[i]) {
                return;
            }
            float t = heap[parent];
            heap[parent] = heap[i];
            heap[i] = t;
            i = parent;
        }
    }

    private static void siftDown(float[] heap, int size) {
        int i = 0;
        while (true) {
            int left = 2 * i + 1;
            if (left >= size) {
                return;
            }
            int smallest = left + 1 < size && heap[left + 1] < heap[left] ? left + 1 : left;
            if (heap[i] <= heap[smallest]) {
                return;
            }
            float t = heap[i];
            heap[i] = heap[smallest];
            heap[smallest] = t;
            i = smallest;
        }
    }
}
