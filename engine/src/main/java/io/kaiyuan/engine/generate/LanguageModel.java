package io.kaiyuan.engine.generate;

import ai.onnxruntime.OrtException;
import io.kaiyuan.engine.api.CancellationToken;
import io.kaiyuan.engine.api.ChatMessage;
import io.kaiyuan.engine.api.ExecutionProvider;
import io.kaiyuan.engine.api.FinishReason;
import io.kaiyuan.engine.api.GenerationException;
import io.kaiyuan.engine.api.GenerationRequest;
import io.kaiyuan.engine.api.ResponseFormat;
import io.kaiyuan.engine.api.ToolUse;
import io.kaiyuan.engine.constrain.JsonConstraint;
import io.kaiyuan.engine.constrain.ToolCallConstraint;
import io.kaiyuan.engine.api.ToolCall;
import io.kaiyuan.engine.tools.ToolCallFormat;
import io.kaiyuan.engine.tools.ToolCallListener;
import io.kaiyuan.engine.template.ChatTemplates;
import io.kaiyuan.engine.constrain.Schema;
import io.kaiyuan.engine.constrain.SchemaException;
import io.kaiyuan.engine.constrain.TokenVocabulary;
import io.kaiyuan.engine.api.GenerationResult;
import io.kaiyuan.engine.api.LoadProgress;
import io.kaiyuan.engine.api.TokenListener;
import io.kaiyuan.engine.api.TokenLogprob;
import io.kaiyuan.engine.model.ModelFolder;
import io.kaiyuan.engine.model.Variant;
import io.kaiyuan.engine.ort.DecoderSession;
import io.kaiyuan.engine.ort.GraphIo;
import io.kaiyuan.engine.ort.OptimizedGraph;
import io.kaiyuan.engine.ort.OrtRuntime;
import io.kaiyuan.engine.sample.LogitsProcessor;
import io.kaiyuan.engine.sample.OpenAiAdjustments;
import io.kaiyuan.engine.sample.Sampler;
import io.kaiyuan.engine.sample.TokenChooser;
import io.kaiyuan.engine.template.ChatTemplate;
import io.kaiyuan.engine.template.ChatTemplates;
import io.kaiyuan.engine.template.ReasoningParser;
import io.kaiyuan.engine.tokenize.Tokenizer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CancellationException;

/**
 * A loaded model: its folder, tokenizer, chat template and decoder session with the KV cache of the last
 * conversation. {@link #generate} renders and tokenizes the prompt, then a {@link Generator} chooses the
 * tokens and a {@link TextStream} turns them into text. A prompt that extends what is cached (the next
 * chat turn) reuses the cached prefix and prefills only the new tokens.
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
    /** How the template writes tool calls, read on first use. */
    private Optional<ToolCallFormat> toolCallFormat;
    private Boolean templateShowsTools;
    /** Every token's bytes, read on the first structured answer. */
    private TokenVocabulary vocabulary;

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
        return load(runtime, dir, options, LoadProgress.NONE, new CancellationToken());
    }

    /**
     * Loads a model folder, saying which step it is at; a cancel between steps stops it with a
     * {@link CancellationException} and leaves nothing open. Throws
     * {@link io.kaiyuan.engine.api.ModelLoadException} with a clear message when the folder cannot load.
     */
    public static LanguageModel load(OrtRuntime runtime, Path dir, LoadOptions options, LoadProgress progress,
            CancellationToken cancel) {
        long start = System.nanoTime();
        step(progress, LoadProgress.Phase.READING, cancel, dir);
        ModelFolder folder = ModelFolder.open(dir);
        ExecutionProvider provider = options.provider();
        boolean gpu = provider == ExecutionProvider.AUTO
                ? runtime.availableProviders().size() > 1
                : provider != ExecutionProvider.CPU;
        Variant variant = folder.chooseVariant(options.variant(), gpu);
        Tokenizer tokenizer = Tokenizer.load(dir);
        DecoderSession decoder = null;
        try {
            step(progress, LoadProgress.Phase.PREPARING, cancel, dir);
            // the rewrites are for the CPU's kernels (MatMulNBits with int8 compute, GroupQueryAttention)
            OptimizedGraph.Choice graph = options.exact() || gpu
                    ? OptimizedGraph.Choice.asExported(folder.graphFile(variant), folder.io())
                    : OptimizedGraph.prepare(runtime, folder.graphFile(variant), folder.config(), folder.configJson(), folder.io());
            step(progress, LoadProgress.Phase.OPENING, cancel, dir);
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

    /** Stops a cancelled load before its next step, else says the step begins. */
    private static void step(LoadProgress progress, LoadProgress.Phase phase, CancellationToken cancel, Path dir) {
        if (cancel.isCancelled()) {
            throw new CancellationException("loading " + dir.getFileName() + " was cancelled");
        }
        progress.phase(phase);
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
        long start = System.nanoTime();
        String promptText = promptText(request.prompt());
        int[] prompt = promptTokens(request.prompt(), promptText);
        // a structured answer ends with its document, whatever ignore_eos says
        Set<Integer> eos = request.ignoreEos() && request.format().isText() && !request.tools().active() ? Set.of()
                : folder.generation().eosTokenIds();
        int maxLength = (int) Math.min(contextLimit, (long) prompt.length + request.maxNewTokens());
        boolean logprobs = request.topLogprobs() >= 0;
        boolean reasoningOpen = ReasoningParser.promptOpensReasoning(promptText);
        Generator.Search search = new Generator.Search(chooser(request, prompt.length, reasoningOpen), eos, maxLength,
                logprobs);
        List<TokenLogprob> tokenLogprobs = new ArrayList<>();
        // with tools it may call, the answer's call blocks become calls (and leave its text);
        // with tool_choice none, nothing it writes is a call
        ToolCallListener calls = !request.tools().active() ? null
                : toolCallFormat().map(f -> new ToolCallListener(f, request.tools(), listener)).orElse(null);
        listener.onPromptAccepted();
        TextStream text = new TextStream(tokenizer, request.stopStrings(), reasoningOpen, calls == null ? listener : calls,
                start);
        int reused;
        long prefillNanos = 0;
        int[] tokens;
        FinishReason finish;
        try (Generator generator = new Generator(decoder, search, cancel)) {
            reused = generator.appendReusing(prompt);
            while (!generator.isDone()) {
                int id = generator.next();
                if (id == Generator.CANCELLED) {
                    break;
                }
                if (generator.length() == prompt.length + 1) {
                    prefillNanos = generator.lastRunNanos();
                }
                if (logprobs) {
                    tokenLogprobs.add(Logprobs.of(generator.logits(), id, request.topLogprobs(), this::tokenText));
                }
                onToken.accept(id);
                if (text.add(id, eos.contains(id))) {
                    break;
                }
            }
            finish = text.stopped() ? FinishReason.STOP : generator.finishReason();
            tokens = generator.tokens();
        } catch (GenerationException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new GenerationException("Generation failed: " + e.getMessage(), e);
        }
        text.finish();
        String answer = text.answer();
        List<ToolCall> toolCalls = List.of();
        if (calls != null) {
            calls.finish();
            answer = calls.answer();
            toolCalls = calls.calls();
            finish = !toolCalls.isEmpty() && finish == FinishReason.STOP ? FinishReason.TOOL_CALLS : finish;
        }
        List<Integer> generated = boxed(Arrays.copyOfRange(tokens, prompt.length, tokens.length));
        return new GenerationResult(boxed(prompt), generated, text.text(), text.reasoning(), answer,
                text.reasoningUnclosed(), finish, text.metrics(prompt.length, reused, loadMs, prefillNanos), tokenLogprobs,
                toolCalls);
    }

    /** The prompt's tokens, checked to be neither empty nor beyond the context. */
    private int[] promptTokens(GenerationRequest.Prompt request, String promptText) {
        int[] prompt = request instanceof GenerationRequest.Prompt.Tokens t
                ? t.ids().stream().mapToInt(Integer::intValue).toArray()
                : tokenizer.encode(promptText);
        if (prompt.length == 0) {
            throw new GenerationException("The prompt is empty.");
        }
        if (prompt.length >= contextLimit) {
            throw new GenerationException("The prompt has " + prompt.length + " tokens, but " + folder.name()
                    + " reads at most " + contextLimit + ": shorten the conversation.");
        }
        return prompt;
    }

    /** The request's sampling over the model's defaults, after the OpenAI logit bias and penalties if any. */
    private TokenChooser chooser(GenerationRequest request, int promptLength, boolean reasoningOpen) {
        TokenChooser chooser = Sampler.of(request.sampling().over(folder.generation().sampling()));
        boolean tools = !request.tools().functions().isEmpty();
        if (request.adjustments().isNone() && request.format().isText() && !tools) {
            return chooser;
        }
        List<LogitsProcessor> first = new ArrayList<>();
        // constraints first, so that nothing after them can leave only tokens the answer cannot take
        if (!request.format().isText()) {
            first.add(constraint(request.format(), reasoningOpen));
        }
        if (tools) {
            toolConstraint(request.tools(), reasoningOpen).ifPresent(first::add);
        }
        if (!request.adjustments().isNone()) {
            try {
                first.add(new OpenAiAdjustments(request.adjustments(), promptLength, folder.config().vocabSize()));
            } catch (IllegalArgumentException e) {
                throw new GenerationException(e.getMessage() + ".");
            }
        }
        first.addAll(chooser.processors());
        return new TokenChooser(first, chooser.sampler());
    }

    /** The processor that keeps the answer to {@code format}. */
    private JsonConstraint constraint(ResponseFormat format, boolean reasoningOpen) {
        Schema schema;
        try {
            schema = format.kind() == ResponseFormat.Kind.JSON_OBJECT ? Schema.anyObject()
                    : Schema.compile(new com.fasterxml.jackson.databind.ObjectMapper().readTree(format.schema()));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new GenerationException("The JSON schema is not valid JSON: " + e.getOriginalMessage());
        } catch (SchemaException e) {
            throw new GenerationException(e.getMessage());
        }
        try {
            return new JsonConstraint(schema, vocabulary(), folder.generation().eosTokenIds(), reasoningOpen);
        } catch (IllegalArgumentException e) {
            throw new GenerationException(e.getMessage());
        }
    }

    /**
     * How this model writes tool calls, from its chat template; empty when Kaiyuan does not know its format
     * (or it has no template).
     */
    public Optional<ToolCallFormat> toolCallFormat() {
        if (toolCallFormat == null) {
            toolCallFormat = ChatTemplates.templateText(folder).flatMap(ToolCallFormat::of);
        }
        return toolCallFormat;
    }

    /**
     * The processor that keeps calls to the functions' schemas (and keeps them out with tool choice none);
     * empty when no call can be made and none must be kept out.
     */
    private Optional<ToolCallConstraint> toolConstraint(ToolUse tools, boolean reasoningOpen) {
        Optional<ToolCallFormat> format = toolCallFormat();
        if (format.isEmpty()) {
            if (!tools.active()) {
                return Optional.empty(); // nothing to keep out: the model has no way to call
            }
            throw GenerationException.of("tools", folder.name() + "'s chat template writes no tool calls Kaiyuan can read "
                    + "(Hermes-style <tool_call> blocks, as Qwen2.5 and Qwen3 write them, or DeepSeek's): pick such a model or "
                    + "leave out tools.");
        }
        List<String> names = new ArrayList<>();
        List<Schema> parameters = new ArrayList<>();
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        for (ToolUse.Function f : tools.functions()) {
            if (tools.choice() == ToolUse.Choice.FUNCTION && !f.name().equals(tools.only().orElseThrow())) {
                continue;
            }
            try {
                names.add(f.name());
                parameters.add(Schema.parameters(json.readTree(f.parameters())));
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new GenerationException("The parameters of " + f.name() + " are not valid JSON: " + e.getOriginalMessage());
            } catch (SchemaException e) {
                throw new GenerationException("Function " + f.name() + ": " + e.getMessage());
            }
        }
        ToolCallConstraint.Mode mode = switch (tools.choice()) {
            case NONE -> ToolCallConstraint.Mode.NONE;
            case AUTO -> ToolCallConstraint.Mode.AUTO;
            case REQUIRED, FUNCTION -> ToolCallConstraint.Mode.REQUIRED;
        };
        try {
            boolean parallel = tools.parallel() && tools.choice() != ToolUse.Choice.FUNCTION;
            return Optional.of(new ToolCallConstraint(vocabulary(), folder.generation().eosTokenIds(),
                    format.get().section(names, parameters, parallel), mode, parallel, reasoningOpen));
        } catch (IllegalArgumentException e) {
            throw new GenerationException(e.getMessage());
        }
    }

    /** The tokens' bytes, read once from tokenizer.json (about a second for a 150k vocabulary). */
    private TokenVocabulary vocabulary() {
        if (vocabulary == null) {
            try {
                vocabulary = TokenVocabulary.read(folder.dir().resolve("tokenizer.json"), folder.config().vocabSize());
            } catch (java.io.IOException e) {
                throw new GenerationException("tokenizer.json in " + folder.dir() + " cannot be read: " + e.getMessage(), e);
            } catch (IllegalArgumentException e) {
                throw new GenerationException(e.getMessage());
            }
        }
        return vocabulary;
    }

    /** The prompt as text: rendered with the chat template, raw, or the token ids decoded. */
    private String promptText(GenerationRequest.Prompt prompt) {
        if (prompt instanceof GenerationRequest.Prompt.Chat chat) {
            return renderChat(chat.messages(), chat.variables());
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
        return tokenizer.encode(renderChat(messages, variables)).length;
    }

    /**
     * A chat prompt with the generation prompt. When the template writes calls but does not show the
     * functions (DeepSeek's R1 distills), the functions of the {@code tools} variable are told in the system
     * message, with how to call one, so that the model knows what it may call; when it writes no calls
     * (GLM-Edge's), earlier calls and results in the conversation are given as text.
     */
    private String renderChat(List<ChatMessage> messages, java.util.Map<String, Object> variables) {
        Optional<ToolCallFormat> format = toolCallFormat();
        if (format.isEmpty()) {
            // earlier calls (another model's, in the same chat) as text this template can write
            messages = ToolCallFormat.callsAsText(messages);
        } else if (variables.get("tools") instanceof List<?> tools && !tools.isEmpty() && !templateShowsTools()) {
            messages = format.get().withToolsTold(messages, tools);
        }
        return chatTemplate().render(messages, true, variables);
    }

    /** Whether the chat template shows the model its functions. */
    private boolean templateShowsTools() {
        if (templateShowsTools == null) {
            templateShowsTools = ChatTemplates.templateText(folder).map(ToolCallFormat::showsTools).orElse(false);
        }
        return templateShowsTools;
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

    /** What the graph that runs takes and gives: its cache's layers, heads and type, its logits' width. */
    public GraphIo graph() {
        return decoder.graph();
    }

    /** Whether the cache is one buffer per layer that the graph writes in place (a GenAI folder's graph). */
    public boolean sharesCacheBuffer() {
        return decoder.sharesBuffer();
    }

    /** The decoder session, for the benchmark and tests in this package. */
    DecoderSession decoder() {
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
