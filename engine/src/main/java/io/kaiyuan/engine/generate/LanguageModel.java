package io.kaiyuan.engine.generate;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.kaiyuan.engine.api.CancellationToken;
import io.kaiyuan.engine.api.ChatMessage;
import io.kaiyuan.engine.api.ExecutionProvider;
import io.kaiyuan.engine.api.FinishReason;
import io.kaiyuan.engine.api.GenerationException;
import io.kaiyuan.engine.api.GenerationMetrics;
import io.kaiyuan.engine.api.GenerationRequest;
import io.kaiyuan.engine.api.GenerationResult;
import io.kaiyuan.engine.api.SamplingParams;
import io.kaiyuan.engine.api.TokenListener;
import io.kaiyuan.engine.api.TokenLogprob;
import io.kaiyuan.engine.model.ModelFolder;
import io.kaiyuan.engine.model.Variant;
import io.kaiyuan.engine.ort.DecoderSession;
import io.kaiyuan.engine.ort.OptimizedGraph;
import io.kaiyuan.engine.ort.OrtRuntime;
import io.kaiyuan.engine.sample.Sampler;
import io.kaiyuan.engine.sample.TokenChooser;
import io.kaiyuan.engine.template.ChatTemplate;
import io.kaiyuan.engine.template.ChatTemplates;
import io.kaiyuan.engine.template.ReasoningParser;
import io.kaiyuan.engine.tokenize.StreamingDetokenizer;
import io.kaiyuan.engine.tokenize.Tokenizer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A loaded model: its folder, tokenizer and decoder session with the KV cache of the last conversation.
 * A prompt that extends what is cached (the next chat turn) reuses the cached prefix and prefills only
 * the new tokens.
 *
 * <p>Not thread-safe: load, generate and close on the model's one generation thread. Cancel from any
 * thread through the {@link CancellationToken}.
 */
public final class LanguageModel implements AutoCloseable {

    /**
     * How to load a model.
     *
     * @param variant the graph variant; empty picks the best present for the provider
     * @param provider where to run
     * @param threads intra-op threads; 0 lets ONNX Runtime choose
     */
    /**
     * How to load a model.
     *
     * @param exact run a 4-bit graph as exported (float32 compute), not through its rewrite for the CPU
     *     ({@link OptimizedGraph}: fused attention and int8 compute), which runs faster with logits about 1% apart
     */
    public record LoadOptions(Optional<Variant> variant, ExecutionProvider provider, int threads, boolean exact) {
        public static final LoadOptions DEFAULT = new LoadOptions(Optional.empty(), ExecutionProvider.AUTO, 0);

        public LoadOptions(Optional<Variant> variant, ExecutionProvider provider, int threads) {
            this(variant, provider, threads, false);
        }
    }

    private final ModelFolder folder;
    private final Variant variant;
    private final Tokenizer tokenizer;
    private final DecoderSession decoder;
    private final long loadMs;
    /** What the graph that runs was made with ({@link OptimizedGraph#prepare}); empty when it runs as exported. */
    private String optimisation = "";
    private final int contextLimit;
    /** The model's chat template, compiled once at load; empty when it has none or it does not parse. */
    private final Optional<ChatTemplate> chatTemplate;
    /** Why the template could not be compiled: reported when a chat prompt needs it, not at load. */
    private final RuntimeException chatTemplateError;
    /** The tokens whose keys and values are in the cache: the first decoder.cacheLength() entries. */
    private int[] cachedTokens = new int[0];

    private LanguageModel(ModelFolder folder, Variant variant, Tokenizer tokenizer, DecoderSession decoder, long loadMs) {
        this.folder = folder;
        this.variant = variant;
        this.tokenizer = tokenizer;
        this.decoder = decoder;
        this.loadMs = loadMs;
        this.contextLimit = folder.config().maxPositions();
        Optional<ChatTemplate> template = Optional.empty();
        RuntimeException error = null;
        try {
            template = ChatTemplates.forModel(folder);
        } catch (io.kaiyuan.engine.template.ChatTemplateException e) {
            error = e;
        }
        this.chatTemplate = template;
        this.chatTemplateError = error;
    }

    /** Loads a model folder; throws {@link io.kaiyuan.engine.api.ModelLoadException} with a clear message. */
    public static LanguageModel load(OrtRuntime runtime, Path dir, LoadOptions options) {
        long start = System.nanoTime();
        ModelFolder folder = ModelFolder.open(dir);
        ExecutionProvider provider = options.provider();
        boolean gpu = provider == ExecutionProvider.AUTO
                ? runtime.availableProviders().size() > 1
                : provider != ExecutionProvider.CPU;
        Variant variant = folder.chooseVariant(options.variant(), gpu);
        Tokenizer tokenizer = Tokenizer.load(dir);
        DecoderSession decoder = null;
        try {
            // the rewrites are for the CPU's kernels (MatMulNBits with int8 compute, GroupQueryAttention)
            OptimizedGraph.Choice graph = options.exact() || gpu
                    ? OptimizedGraph.Choice.asExported(folder.graphFile(variant), folder.io())
                    : OptimizedGraph.prepare(runtime, folder.graphFile(variant), folder.config(), folder.configJson(), folder.io());
            decoder = DecoderSession.open(runtime, graph.graph(), folder.config(), graph.io(), provider, options.threads());
            long loadMs = (System.nanoTime() - start) / 1_000_000;
            LanguageModel model = new LanguageModel(folder, variant, tokenizer, decoder, loadMs);
            model.optimisation = graph.description();
            return model;
        } catch (RuntimeException | Error e) {
            // nothing native outlives a failed load (a template that does not compile, a session that did not open)
            if (decoder != null) {
                try {
                    decoder.close();
                } catch (OrtException suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            tokenizer.close();
            throw e;
        }
    }

    /**
     * Generates a continuation of the request's prompt, streaming the answer text to {@code listener} on
     * this thread. Returns when an end-of-sequence token, a stop string, the token budget, the context
     * limit or cancellation ends it.
     */
    public GenerationResult generate(GenerationRequest request, TokenListener listener, CancellationToken cancel) {
        return generate(request, listener, cancel, id -> { });
    }

    /** As {@link #generate(GenerationRequest, TokenListener, CancellationToken)}, also reporting each sampled id. */
    public GenerationResult generate(GenerationRequest request, TokenListener listener, CancellationToken cancel,
            java.util.function.IntConsumer onToken) {
        long t0 = System.nanoTime();
        String promptText = promptText(request.prompt());
        int[] prompt = request.prompt() instanceof GenerationRequest.Prompt.Tokens t
                ? t.ids().stream().mapToInt(Integer::intValue).toArray()
                : tokenizer.encode(promptText);
        if (prompt.length == 0) {
            throw new GenerationException("The prompt is empty.");
        }
        if (prompt.length >= contextLimit) {
            throw new GenerationException("The prompt has " + prompt.length + " tokens, but " + folder.name()
                    + " reads at most " + contextLimit + ": shorten the conversation.");
        }
        SamplingParams params = request.sampling().over(folder.generation().sampling());
        TokenChooser chooser = Sampler.of(params);
        if (!request.adjustments().isNone()) {
            List<io.kaiyuan.engine.sample.LogitsProcessor> first = new ArrayList<>();
            try {
                first.add(new io.kaiyuan.engine.sample.OpenAiAdjustments(request.adjustments(), prompt.length,
                        folder.config().vocabSize()));
            } catch (IllegalArgumentException e) {
                throw new GenerationException(e.getMessage() + ".");
            }
            first.addAll(chooser.processors());
            chooser = new TokenChooser(first, chooser.sampler());
        }
        List<TokenLogprob> logprobs = new ArrayList<>();
        listener.onPromptAccepted();
        Set<Integer> eos = request.ignoreEos() ? Set.of() : folder.generation().eosTokenIds();

        int[] tokens = Arrays.copyOf(prompt, (int) Math.min(contextLimit, (long) prompt.length + request.maxNewTokens()));
        int length = prompt.length;
        List<Integer> generated = new ArrayList<>();
        Output text = new Output(listener, ReasoningParser.promptOpensReasoning(promptText));
        StreamingDetokenizer detokenizer = new StreamingDetokenizer(tokenizer);
        StopStrings stops = new StopStrings(request.stopStrings());
        FinishReason finish = null;
        int reused = 0;
        long prefillNs = 0;
        long firstTokenNs = 0;
        long lastTokenNs = 0;
        long reasoningEndNs = 0;

        try (Terminator terminator = new Terminator(new OrtSession.RunOptions());
                CancellationToken.Registration unused = cancel.onCancel(terminator::terminate)) {
            OrtSession.RunOptions runOptions = terminator.options;
            reused = reuseCachedPrefix(prompt);
            float[] logits = null;
            if (!cancel.isCancelled()) {
                long p0 = System.nanoTime();
                logits = forward(tokens, reused, length, runOptions, cancel);
                prefillNs = System.nanoTime() - p0;
            }
            while (logits != null && !cancel.isCancelled()) {
                float[] raw = request.topLogprobs() >= 0 ? logits.clone() : null;
                int id = chooser.choose(logits, tokens, length);
                if (raw != null) {
                    logprobs.add(Logprobs.of(raw, id, request.topLogprobs(), this::tokenText));
                }
                lastTokenNs = System.nanoTime();
                if (generated.isEmpty()) {
                    firstTokenNs = lastTokenNs;
                }
                tokens[length++] = id;
                generated.add(id);
                onToken.accept(id);
                if (eos.contains(id)) {
                    finish = FinishReason.STOP;
                    break;
                }
                text.add(stops.add(detokenizer.add(id)));
                if (reasoningEndNs == 0 && text.reasoning.reasoningEnded()) {
                    reasoningEndNs = lastTokenNs;
                }
                if (stops.stopped()) {
                    finish = FinishReason.STOP;
                    break;
                }
                if (generated.size() >= request.maxNewTokens() || length >= contextLimit) {
                    finish = FinishReason.LENGTH;
                    break;
                }
                logits = forward(tokens, length - 1, length, runOptions, cancel);
            }
        } catch (GenerationException e) {
            throw e;
        } catch (Exception e) {
            throw new GenerationException("Generation failed: " + e.getMessage(), e);
        } finally {
            cachedTokens = tokens;
        }
        if (finish == null) {
            finish = FinishReason.CANCELLED;
        }
        if (!stops.stopped()) {
            text.add(stops.add(detokenizer.flush()));
            text.add(stops.stopped() ? "" : stops.flush());
        }
        text.finish();
        if (reasoningEndNs == 0 && text.reasoning.unclosed()) {
            reasoningEndNs = lastTokenNs;
        }

        double ttftMs = firstTokenNs == 0 ? 0 : (firstTokenNs - t0) / 1e6;
        int prefilled = prompt.length - reused;
        double prefillRate = prefillNs == 0 ? 0 : prefilled / (prefillNs / 1e9);
        double decodeRate = generated.size() > 1 ? (generated.size() - 1) / ((lastTokenNs - firstTokenNs) / 1e9) : 0;
        double reasoningMs = reasoningEndNs == 0 || firstTokenNs == 0 ? 0 : (reasoningEndNs - firstTokenNs) / 1e6;
        GenerationMetrics metrics = new GenerationMetrics(prompt.length, reused, generated.size(), loadMs, ttftMs,
                prefillRate, decodeRate, reasoningMs);
        return new GenerationResult(boxed(prompt), generated, text.all.toString(), text.reasoningText.toString(),
                text.answerText.toString(), text.reasoning.unclosed(), finish, metrics, logprobs);
    }

    /**
     * Lets another thread stop a model run in flight (a cancel can come from any thread at any time), but
     * never touches the RunOptions once they are closed: a cancel racing the end of a generation does nothing.
     */
    private static final class Terminator implements AutoCloseable {
        final OrtSession.RunOptions options;
        private boolean closed;

        Terminator(OrtSession.RunOptions options) {
            this.options = options;
        }

        synchronized void terminate() {
            if (closed) {
                return;
            }
            try {
                options.setTerminate(true);
            } catch (OrtException e) {
                throw new IllegalStateException("cannot stop the model run", e);
            }
        }

        @Override
        public synchronized void close() {
            closed = true;
            options.close();
        }
    }

    /** Runs tokens[from, to); null when the run was cancelled. */
    private float[] forward(int[] tokens, int from, int to, OrtSession.RunOptions options, CancellationToken cancel) {
        try {
            return decoder.forward(tokens, from, to, options);
        } catch (OrtException e) {
            if (cancel.isCancelled()) {
                return null;
            }
            throw new GenerationException("The model run failed on " + decoder.provider().cliName() + ": " + e.getMessage(), e);
        }
    }

    /**
     * Keeps the longest cached prefix of {@code prompt} (leaving at least one prompt token to run) and
     * returns its length.
     */
    private int reuseCachedPrefix(int[] prompt) throws OrtException {
        int cached = decoder.cacheLength();
        int common = 0;
        int max = Math.min(cached, prompt.length - 1);
        while (common < max && cachedTokens[common] == prompt[common]) {
            common++;
        }
        decoder.truncate(common);
        return common;
    }

    /** The generated text, split into reasoning and answer as it streams to the listener. */
    private static final class Output {
        final StringBuilder all = new StringBuilder();
        final StringBuilder reasoningText = new StringBuilder();
        final StringBuilder answerText = new StringBuilder();
        final ReasoningParser reasoning;
        final TokenListener listener;

        Output(TokenListener listener, boolean startsInsideReasoning) {
            this.listener = listener;
            this.reasoning = new ReasoningParser(startsInsideReasoning);
        }

        void add(String delta) {
            if (!delta.isEmpty()) {
                all.append(delta);
                send(reasoning.add(delta));
            }
        }

        void finish() {
            send(reasoning.finish());
        }

        private void send(ReasoningParser.Delta d) {
            d.deliver(reasoningText, answerText, listener);
        }
    }

    /** The prompt as text: rendered with the chat template, raw, or the token ids decoded. */
    private String promptText(GenerationRequest.Prompt prompt) {
        if (prompt instanceof GenerationRequest.Prompt.Chat chat) {
            return chatTemplate().render(chat.messages(), true, chat.variables());
        } else if (prompt instanceof GenerationRequest.Prompt.Raw raw) {
            return raw.text();
        } else {
            int[] ids = ((GenerationRequest.Prompt.Tokens) prompt).ids().stream().mapToInt(Integer::intValue).toArray();
            return tokenizer.decode(ids, Math.max(0, ids.length - 8), ids.length, false);
        }
    }

    /** One token decoded on its own, special tokens included. */
    private String tokenText(int id) {
        return tokenizer.decode(new int[] {id}, false);
    }

    private static List<Integer> boxed(int[] ids) {
        List<Integer> out = new ArrayList<>(ids.length);
        for (int id : ids) {
            out.add(id);
        }
        return out;
    }

    /** The most tokens the model reads: prompt and answer together (max_position_embeddings). */
    public int contextLimit() {
        return contextLimit;
    }

    /**
     * The tokens of a chat prompt as {@link #generate} would send it (rendered with the generation prompt).
     * Call on the model's thread.
     */
    public int promptTokens(List<ChatMessage> messages, java.util.Map<String, Object> variables) {
        return tokenizer.encode(chatTemplate().render(messages, true, variables)).length;
    }

    /** The model's chat template; throws a message telling the user to use --raw when it has none. */
    public ChatTemplate chatTemplate() {
        if (chatTemplateError != null) {
            throw chatTemplateError;
        }
        return chatTemplate.orElseGet(() -> ChatTemplates.require(folder));
    }

    /** Forgets the cached conversation. */
    public void resetCache() {
        decoder.reset();
    }

    public ModelFolder folder() {
        return folder;
    }

    /** Whether the graph runs through a rewrite made for the CPU ({@link OptimizedGraph}). */
    public boolean optimised() {
        return !optimisation.isEmpty();
    }

    /** What the graph that runs was made with ({@link OptimizedGraph}), or empty when it runs as exported. */
    public String optimisation() {
        return optimisation;
    }

    public Variant variant() {
        return variant;
    }

    public ExecutionProvider provider() {
        return decoder.provider();
    }

    public Tokenizer tokenizer() {
        return tokenizer;
    }

    /** The decoder session (the benchmark's bare loop runs on it). */
    public DecoderSession decoder() {
        return decoder;
    }

    public long loadMs() {
        return loadMs;
    }

    @Override
    public void close() {
        try {
            decoder.close();
        } catch (OrtException e) {
            throw new IllegalStateException("closing the session failed", e);
        } finally {
            tokenizer.close();
        }
    }
}
