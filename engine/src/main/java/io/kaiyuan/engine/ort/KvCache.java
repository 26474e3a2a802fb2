package io.kaiyuan.engine.ort;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A decoder's KV cache in native tensors, one per layer and kind (in the order of the graph's past inputs), and how
 * many positions it holds. Two kinds:
 * <ul>
 *   <li>handed over: each run's present outputs become the next run's past inputs without passing through the
 *       Java heap (the run's Result stays open until the next hand-over);</li>
 *   <li>shared ({@link io.kaiyuan.engine.model.DecoderIo#shareBuffer()}): one tensor of room for {@link #capacity()}
 *       positions per layer and kind, given as past input and pinned as present output, written in place by the
 *       graph; the room doubles (one copy) when a run needs more, up to the model's context.</li>
 * </ul>
 * Not thread-safe: the model's thread only.
 */
final class KvCache implements AutoCloseable {
    /** Room in positions a shared cache starts with. */
    static final int SHARED_START = DecoderSession.SHARED_START;

    private final OrtEnvironment env;
    private final int kvHeads;
    private final int headDim;
    private final OnnxJavaType type;
    private final boolean shared;
    private final int maxPositions;
    private final String[] pastNames;
    private final String[] presentNames;
    private final java.util.Set<String> presentSet;
    /** Zero-length tensors: the past of an empty cache. */
    private final OnnxTensor[] empty;
    /** The tensors that currently serve as the past inputs, in {@link #pastNames} order. */
    private final OnnxTensor[] past;
    /** Owner of {@link #past} when it came from a run; closed when replaced. */
    private OrtSession.Result owner;
    /** Tensors this cache made itself for {@link #past} (after a truncation, or a shared cache's room). */
    private final List<OnnxTensor> owned = new ArrayList<>();
    private int length;
    /** Positions a shared cache has room for; 0 before the first run. */
    private int capacity;

    KvCache(OrtEnvironment env, String[] pastNames, String[] presentNames, int kvHeads, int headDim, OnnxJavaType type,
            boolean shared, int maxPositions) throws OrtException {
        this.env = env;
        this.pastNames = pastNames;
        this.presentNames = presentNames;
        this.presentSet = new java.util.LinkedHashSet<>(java.util.Arrays.asList(presentNames));
        this.kvHeads = kvHeads;
        this.headDim = headDim;
        this.type = type;
        this.shared = shared;
        this.maxPositions = maxPositions;
        this.empty = new OnnxTensor[pastNames.length];
        try {
            for (int i = 0; i < empty.length; i++) {
                empty[i] = OnnxTensor.createTensor(env, ByteBuffer.allocateDirect(0), new long[] {1, kvHeads, 0, headDim}, type);
            }
        } catch (OrtException | RuntimeException | Error e) {
            for (OnnxTensor t : empty) {
                if (t != null) {
                    t.close();
                }
            }
            throw e;
        }
        this.past = empty.clone();
    }

    /** Positions held. */
    int length() {
        return length;
    }

    boolean shared() {
        return shared;
    }

    /** Positions a shared cache has room for now (0 before the first run, or without a shared cache). */
    int capacity() {
        return capacity;
    }

    /**
     * Before a run that brings the cache to {@code total} positions: puts the past tensors into {@code inputs} and,
     * for a shared cache (given room first), the same tensors as pinned presents into {@code pinned}.
     */
    void feed(int total, Map<String, OnnxTensor> inputs, Map<String, OnnxValue> pinned) throws OrtException {
        if (shared && total > capacity) {
            int room = (int) Math.min(Math.max(maxPositions, total), Math.max((long) total, Math.max(2L * capacity, SHARED_START)));
            replace(capacity, length, room);
            capacity = room;
        }
        for (int i = 0; i < pastNames.length; i++) {
            inputs.put(pastNames[i], past[i]);
        }
        if (shared) {
            // the same tensors as past and present: the graph writes the new positions in place
            for (int i = 0; i < presentNames.length; i++) {
                pinned.put(presentNames[i], past[i]);
            }
        }
    }

    /** The present outputs a run must return: none for a shared cache (they are pinned). */
    java.util.Set<String> requested() {
        return shared ? java.util.Set.of() : presentSet;
    }

    /**
     * After a run that succeeded: its presents become the past (the cache takes {@code result} over), or for a
     * shared cache the result is closed; the cache now holds {@code total} positions.
     */
    void advance(OrtSession.Result result, int total) {
        if (shared) {
            result.close();
        } else {
            OnnxTensor[] next = new OnnxTensor[pastNames.length];
            for (int i = 0; i < presentNames.length; i++) {
                next[i] = (OnnxTensor) result.get(presentNames[i]).orElseThrow();
            }
            release();
            System.arraycopy(next, 0, past, 0, next.length);
            owner = result;
        }
        length = total;
    }

    /** Empties the cache (a shared cache keeps its room, to be written over). */
    void reset() {
        if (!shared) {
            release();
        }
        length = 0;
    }

    /** Keeps only the first {@code keep} positions (copying them once into new tensors when handed over). */
    void truncate(int keep) throws OrtException {
        if (keep < 0 || keep > length) {
            throw new IllegalArgumentException("cannot truncate a cache of " + length + " to " + keep);
        }
        if (keep == length) {
            return;
        }
        if (keep == 0) {
            reset();
        } else if (!shared) {
            replace(length, keep, keep);
        }
        // a shared cache is read only as far as the attention mask says: the rest is written over
        length = keep;
    }

    /** The memory of a shared cache tensor ({@link #pastNames} order), as the graph wrote it. */
    ByteBuffer buffer(int index) {
        return ((ByteBuffer) past[index].getBufferRef().orElseThrow()).duplicate().order(ByteOrder.nativeOrder());
    }

    /**
     * Replaces the cache tensors by new ones of {@code room} positions holding the first {@code keep} positions of
     * each head of the current ones (whose position dimension is {@code currentRoom}).
     */
    private void replace(int currentRoom, int keep, int room) throws OrtException {
        int elementBytes = type == OnnxJavaType.FLOAT ? 4 : 2;
        long rowBytes = (long) headDim * elementBytes;
        long tensorBytes = kvHeads * room * rowBytes;
        if (tensorBytes > Integer.MAX_VALUE) {
            throw new IllegalStateException("a KV cache of " + room + " positions does not fit one buffer");
        }
        OnnxTensor[] next = new OnnxTensor[past.length];
        List<OnnxTensor> created = new ArrayList<>(past.length);
        try {
            for (int i = 0; i < past.length; i++) {
                ByteBuffer dst = ByteBuffer.allocateDirect((int) tensorBytes).order(ByteOrder.nativeOrder());
                if (keep > 0) {
                    OnnxTensor old = past[i];
                    // a tensor of this cache's own wraps its buffer; one from a run is copied out once
                    ByteBuffer src = (owned.contains(old) ? ((ByteBuffer) old.getBufferRef().orElseThrow()).duplicate()
                            : old.getByteBuffer()).order(ByteOrder.nativeOrder());
                    for (int h = 0; h < kvHeads; h++) {
                        int from = (int) (h * currentRoom * rowBytes);
                        dst.position((int) (h * room * rowBytes));
                        dst.put(src.duplicate().position(from).limit(from + (int) (keep * rowBytes)));
                    }
                    dst.rewind();
                }
                next[i] = OnnxTensor.createTensor(env, dst, new long[] {1, kvHeads, room, headDim}, type);
                created.add(next[i]);
            }
        } catch (OrtException | RuntimeException e) {
            created.forEach(OnnxTensor::close);
            throw e;
        }
        release();
        System.arraycopy(next, 0, past, 0, past.length);
        owned.addAll(created);
    }

    private void release() {
        if (owner != null) {
            owner.close();
            owner = null;
        }
        owned.forEach(OnnxTensor::close);
        owned.clear();
        System.arraycopy(empty, 0, past, 0, past.length);
    }

    @Override
    public void close() {
        release();
        capacity = 0;
        length = 0;
        for (OnnxTensor t : empty) {
            t.close();
        }
    }
}
