package io.kaiyuan.engine.ort;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.kaiyuan.engine.api.ExecutionProvider;
import io.kaiyuan.engine.api.ModelLoadException;
import io.kaiyuan.engine.model.DecoderIo;
import io.kaiyuan.engine.model.ModelConfig;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.LongBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One decoder graph (the Optimum/transformers.js layout or an ONNX Runtime GenAI graph, its inputs and
 * outputs named by {@link DecoderIo}) and its KV cache ({@link KvCache}), kept in native tensors.
 *
 * <p>Each {@link #forward} runs the new tokens on top of the cache: the present.* outputs of a step
 * become the past_key_values.* inputs of the next without passing through the Java heap (the Result that
 * owns them stays open until the next run has returned), and only the last position's logits are read,
 * through a pre-allocated output buffer.
 *
 * <p>With a shared past/present buffer ({@link DecoderIo#shareBuffer()}, GenAI's GroupQueryAttention
 * graphs), each layer's cache is one tensor of room for {@code capacity} positions, given both as past
 * input and as pinned present output: the graph writes the new positions into it in place, and nothing is
 * copied per step. The room doubles (one copy) when a run needs more, up to the model's context.
 *
 * <p>Not thread-safe: create, use and close it on the model's generation thread. Only
 * {@link ai.onnxruntime.OrtSession.RunOptions#setTerminate} may be called from elsewhere.
 */
public final class DecoderSession implements AutoCloseable {
    /** Prompt tokens per run: bounds attention scratch and, without num_logits_to_keep, the logits. */
    public static final int PREFILL_CHUNK = 512;
    /**
     * The last prompt tokens run together into a reusable logits buffer of this many rows: a run costs
     * about one pass over the weights whether it holds 1 or 16 tokens, so the tail adds little to the
     * time to first token, and the buffer stays small (16 x vocabulary).
     */
    static final int TAIL = 16;
    /** Room in positions a shared cache starts with. */
    static final int SHARED_START = 256;

    private final OrtEnvironment env;
    private final OrtSession session;
    private final ExecutionProvider provider;
    /** The graph's inputs and outputs. */
    private final GraphIo graph;
    private final DecoderIo io;
    private final int vocab;
    private final OnnxJavaType logitsType;
    private final String[] pastNames;
    private final String[] presentNames;
    private final OnnxTensor decodeLogits;
    /** Direct buffer for up to {@link #TAIL} rows of logits, made on the first multi-token run. */
    private ByteBuffer tailLogits;
    /** One-token input_ids and position_ids for decode steps: the tensors wrap these buffers. */
    private final LongBuffer stepId = directLongs(1);
    private final LongBuffer stepPosition = directLongs(1);
    private final OnnxTensor stepIdTensor;
    private final OnnxTensor stepPositionTensor;
    /** All ones; each step's attention_mask is a view of its first positions. Grows by doubling. */
    private LongBuffer ones = directLongs(0);
    private final OnnxTensor logitsToKeepOne;
    private final float[] lastLogits;

    /** The KV cache: past and present tensors, handed over or shared. */
    private final KvCache cache;
    /** The tokens whose keys and values are in the cache: the first {@code cache.length()} entries. */
    private int[] cached = new int[0];
    /** Session runs made so far. */
    private long runs;

    private DecoderSession(OrtEnvironment env, OrtSession session, ExecutionProvider provider, ModelConfig config,
            DecoderIo io, Path file) throws OrtException {
        this.env = env;
        this.session = session;
        this.provider = provider;
        this.io = io;
        this.graph = GraphIo.of(session.getInputInfo(), session.getOutputInfo(), config, io, file);
        this.vocab = graph.vocab();
        this.logitsType = graph.logitsType();
        this.pastNames = graph.pastNames();
        this.presentNames = graph.presentNames();

        // the tensors kept for the session's life: if one cannot be made, those made before are closed
        List<AutoCloseable> made = new ArrayList<>();
        try {
            this.cache = kept(made, new KvCache(env, pastNames, presentNames, graph.kvHeads(), graph.headDim(),
                    graph.kvType(), io.shareBuffer(), config.maxPositions()));
            this.decodeLogits = kept(made, logitsTensor());
            this.logitsToKeepOne = graph.hasLogitsToKeep() ? kept(made, OnnxTensor.createTensor(env, 1L)) : null;
            this.stepIdTensor = kept(made, OnnxTensor.createTensor(env, stepId, new long[] {1, 1}));
            this.stepPositionTensor = kept(made, OnnxTensor.createTensor(env, stepPosition, new long[] {1, 1}));
        } catch (OrtException | RuntimeException | Error e) {
            for (AutoCloseable c : made) {
                try {
                    c.close();
                } catch (Exception suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw e;
        }
        this.lastLogits = new float[vocab];
    }

    private static <T extends AutoCloseable> T kept(List<AutoCloseable> made, T t) {
        made.add(t);
        return t;
    }

    /**
     * Opens a transformers.js-layout graph on a provider and checks it against config.json. Throws
     * {@link ModelLoadException} naming what is missing or unsupported.
     */
    public static DecoderSession open(OrtRuntime runtime, Path graph, ModelConfig config, ExecutionProvider provider,
            int threads) {
        return open(runtime, graph, config, DecoderIo.TRANSFORMERS_JS, provider, threads);
    }

    /** Opens a graph whose inputs and outputs {@code io} names, and checks it against its configuration. */
    public static DecoderSession open(OrtRuntime runtime, Path graph, ModelConfig config, DecoderIo io,
            ExecutionProvider provider, int threads) {
        OrtRuntime.OpenedSession opened = runtime.open(graph, provider, threads);
        try {
            return new DecoderSession(runtime.environment(), opened.session(), opened.provider(), config, io, graph);
        } catch (OrtException | RuntimeException e) {
            try {
                opened.session().close();
            } catch (OrtException suppressed) {
                e.addSuppressed(suppressed);
            }
            if (e instanceof ModelLoadException m) {
                throw m;
            }
            throw new ModelLoadException("Cannot inspect " + graph + ": " + e.getMessage(), e);
        }
    }

    private OnnxTensor logitsTensor() throws OrtException {
        int bytes = logitsType == OnnxJavaType.FLOAT ? 4 : 2;
        ByteBuffer buffer = ByteBuffer.allocateDirect(vocab * bytes).order(ByteOrder.nativeOrder());
        return OnnxTensor.createTensor(env, buffer, new long[] {1, 1, vocab}, logitsType);
    }

    private static LongBuffer directLongs(int n) {
        return ByteBuffer.allocateDirect(n * 8).order(ByteOrder.nativeOrder()).asLongBuffer();
    }

    /** A tensor over a new direct buffer holding {@code tokens[from, to)} or positions from the cache on. */
    private OnnxTensor longs(int[] tokens, int from, int to, boolean positions) throws OrtException {
        LongBuffer buffer = directLongs(to - from);
        for (int i = from; i < to; i++) {
            buffer.put(positions ? cache.length() + (i - from) : tokens[i]);
        }
        buffer.rewind();
        return OnnxTensor.createTensor(env, buffer, new long[] {1, to - from});
    }

    /** attention_mask of {@code total} ones, a view of {@link #ones} (no copy). */
    private OnnxTensor mask(int total) throws OrtException {
        if (ones.capacity() < total) {
            ones = directLongs(Math.max(total, 2 * ones.capacity()));
            while (ones.hasRemaining()) {
                ones.put(1L);
            }
        }
        LongBuffer view = ones.duplicate().position(0).limit(total).slice();
        return OnnxTensor.createTensor(env, view, new long[] {1, total});
    }

    /**
     * Runs {@code tokens[from, to)} on top of the cache, appends them to the cache and returns the logits
     * of the last position. The returned array is reused by the next call.
     *
     * <p>A long prompt runs in chunks of {@link #PREFILL_CHUNK} tokens, which bounds what ONNX Runtime
     * allocates for attention and, in a graph without num_logits_to_keep, for logits of every position
     * (600 MB for 1,000 tokens of a 152k vocabulary): chunks run without asking for logits, and the last
     * {@link #TAIL} tokens run into a small reusable logits buffer of which only the last row is read.
     * When a run fails or is terminated through {@code options}, the cache keeps every chunk that
     * completed and {@link #cacheLength()} says how far.
     */
    public float[] forward(int[] tokens, int from, int to, OrtSession.RunOptions options) throws OrtException {
        if (to <= from) {
            throw new IllegalArgumentException("nothing to run");
        }
        if (from != cache.length()) {
            throw new IllegalArgumentException("tokens from " + from + " do not follow the cache of " + cache.length());
        }
        int tail = Math.max(from, to - (graph.hasLogitsToKeep() ? PREFILL_CHUNK : TAIL));
        for (int start = from; start < tail; start += PREFILL_CHUNK) {
            run(tokens, start, Math.min(tail, start + PREFILL_CHUNK), options, null);
        }
        int rows = graph.hasLogitsToKeep() ? 1 : to - tail;
        if (rows == 1) {
            return run(tokens, tail, to, options, decodeLogits);
        }
        int bytes = logitsType == OnnxJavaType.FLOAT ? 4 : 2;
        if (tailLogits == null) {
            tailLogits = ByteBuffer.allocateDirect(TAIL * vocab * bytes).order(ByteOrder.nativeOrder());
        }
        ByteBuffer slice = tailLogits.duplicate().position(0).limit(rows * vocab * bytes).slice().order(ByteOrder.nativeOrder());
        try (OnnxTensor logits = OnnxTensor.createTensor(env, slice, new long[] {1, rows, vocab}, logitsType)) {
            return run(tokens, tail, to, options, logits);
        }
    }

    /**
     * One session run. With {@code logits} (a pinned output of the rows the graph returns) the last row is
     * read and returned; with null, logits are not requested and null is returned.
     */
    private float[] run(int[] tokens, int from, int to, OrtSession.RunOptions options, OnnxTensor logits)
            throws OrtException {
        int s = to - from;
        int total = cache.length() + s;
        List<OnnxTensor> made = new ArrayList<>(3);
        OrtSession.Result result = null;
        try {
            Map<String, OnnxTensor> inputs = new HashMap<>(pastNames.length + 4);
            OnnxTensor mask = mask(total);
            made.add(mask);
            inputs.put(io.attentionMask(), mask);
            if (s == 1) {
                stepId.put(0, tokens[from]);
                stepPosition.put(0, cache.length());
                inputs.put(io.inputIds(), stepIdTensor);
                if (graph.hasPositionIds()) {
                    inputs.put(io.positionIds(), stepPositionTensor);
                }
            } else {
                OnnxTensor ids = longs(tokens, from, to, false);
                made.add(ids);
                inputs.put(io.inputIds(), ids);
                if (graph.hasPositionIds()) {
                    OnnxTensor positions = longs(tokens, from, to, true);
                    made.add(positions);
                    inputs.put(io.positionIds(), positions);
                }
            }
            if (logitsToKeepOne != null) {
                inputs.put(GraphIo.LOGITS_TO_KEEP, logitsToKeepOne);
            }
            Map<String, OnnxValue> pinned = new HashMap<>(cache.shared() ? presentNames.length + 1 : 1);
            if (logits != null) {
                pinned.put(io.logits(), logits);
            }
            cache.feed(total, inputs, pinned);
            runs++;
            result = session.run(inputs, cache.requested(), pinned, options);
            if (logits != null) {
                readLastRow(logits, graph.hasLogitsToKeep() ? 1 : s);
            }
            OrtSession.Result done = result;
            result = null;
            int before = cache.length();
            cache.advance(done, total);
            remember(tokens, from, before, s);
            return logits != null ? lastLogits : null;
        } finally {
            for (OnnxTensor m : made) {
                m.close();
            }
            if (result != null) {
                result.close();
            }
        }
    }

    /** Notes {@code count} tokens run from {@code tokens[from]} as cache positions from {@code at} on. */
    private void remember(int[] tokens, int from, int at, int count) {
        if (cached.length < at + count) {
            cached = Arrays.copyOf(cached, Math.max(at + count, 2 * cached.length));
        }
        System.arraycopy(tokens, from, cached, at, count);
    }

    private void readLastRow(OnnxTensor logits, int rows) {
        ByteBuffer buffer = (ByteBuffer) logits.getBufferRef().orElseThrow();
        if (logitsType == OnnxJavaType.FLOAT) {
            buffer.duplicate().order(ByteOrder.nativeOrder()).asFloatBuffer().position((rows - 1) * vocab).get(lastLogits);
        } else {
            var shorts = buffer.duplicate().order(ByteOrder.nativeOrder()).asShortBuffer().position((rows - 1) * vocab);
            for (int i = 0; i < vocab; i++) {
                lastLogits[i] = Half.toFloat(shorts.get());
            }
        }
    }

    /** Empties the cache (a shared cache keeps its room, to be written over). */
    public void reset() {
        cache.reset();
    }

    /**
     * Keeps only the first {@code length} cached positions (copying them once into new tensors), so that a
     * prompt that shares only part of the cached prefix can reuse that part.
     */
    public void truncate(int length) throws OrtException {
        cache.truncate(length);
    }

    /** Session runs made so far (a long prompt takes several, a decode step one). */
    public long runs() {
        return runs;
    }

    /** Positions currently in the KV cache. */
    public int cacheLength() {
        return cache.length();
    }

    /** The tokens whose keys and values are in the cache, in order. */
    public int[] cachedTokens() {
        return Arrays.copyOf(cached, cache.length());
    }

    /** What the graph takes and gives. */
    public GraphIo graph() {
        return graph;
    }

    public ExecutionProvider provider() {
        return provider;
    }

    /** Whether past and present share one buffer per layer, written in place. */
    public boolean sharesBuffer() {
        return cache.shared();
    }

    /** Positions a shared cache has room for now (0 before the first run, or without a shared cache). */
    int sharedCapacity() {
        return cache.capacity();
    }

    /** The memory of a shared cache tensor ({@link #pastNames} order), as the graph wrote it. */
    ByteBuffer sharedBuffer(int index) {
        return cache.buffer(index);
    }

    /** The raw session, for the benchmark's bare loop. */
    OrtSession session() {
        return session;
    }

    /** Ends the profile of a session opened on a profiling runtime; returns the profile's file. */
    public Path endProfiling() throws OrtException {
        return Path.of(session.endProfiling());
    }

    @Override
    public void close() throws OrtException {
        cache.close();
        decodeLogits.close();
        stepIdTensor.close();
        stepPositionTensor.close();
        if (logitsToKeepOne != null) {
            logitsToKeepOne.close();
        }
        session.close();
    }
}
