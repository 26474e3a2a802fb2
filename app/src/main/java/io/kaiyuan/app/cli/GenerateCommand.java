package io.kaiyuan.app.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kaiyuan.engine.api.CancellationToken;
import io.kaiyuan.engine.api.ChatMessage;
import io.kaiyuan.engine.api.GenerationMetrics;
import io.kaiyuan.engine.api.GenerationRequest;
import io.kaiyuan.engine.api.ResponseFormat;
import io.kaiyuan.engine.constrain.Schema;
import io.kaiyuan.engine.constrain.SchemaException;
import io.kaiyuan.engine.api.GenerationRequest.Prompt;
import io.kaiyuan.engine.api.GenerationResult;
import io.kaiyuan.engine.api.TokenListener;
import io.kaiyuan.engine.generate.LanguageModel;
import io.kaiyuan.engine.ort.OrtRuntime;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code kaiyuan generate}: one generation from the command line. */
@Command(name = "generate", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Generate text with a local model. Text streams to stdout, metrics go to stderr.")
final class GenerateCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper();

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    ModelOptions modelOptions;

    @ArgGroup(exclusive = true, multiplicity = "1")
    PromptSource promptSource;

    /** --prompt or --messages, shared with the template command. */
    static final class PromptSource {
        @Option(names = "--prompt", paramLabel = "TEXT", description = "One user message (with --raw: the text as it is).")
        String prompt;

        @Option(names = "--messages", paramLabel = "FILE.json",
                description = "An OpenAI-style JSON array of {\"role\", \"content\"} messages.")
        Path messages;
    }

    @Option(names = "--system", paramLabel = "TEXT", description = "A system message before the conversation.")
    String system;

    @Option(names = "--raw", description = "Tokenize the prompt as it is, without the chat template.")
    boolean raw;

    @Option(names = "--max-new-tokens", paramLabel = "N", defaultValue = "512",
            description = "The most tokens to generate (default: ${DEFAULT-VALUE}).")
    int maxNewTokens;

    @CommandLine.Mixin
    SamplingOptions sampling;

    @Option(names = "--stop", paramLabel = "STR", description = "Stop before this text; repeatable.")
    List<String> stops = new ArrayList<>();

    @Option(names = "--enable-thinking", paramLabel = "true|false", arity = "1",
            description = "Qwen3-style templates: think before answering (the template's default when not given).")
    Boolean enableThinking;

    @Option(names = "--json", description = "Print one JSON object at the end instead of streaming.")
    boolean json;

    @Option(names = "--json-schema", paramLabel = "FILE.json",
            description = "Answer with a JSON document valid for this JSON schema (enforced while generating).")
    Path jsonSchema;

    @Option(names = "--json-object", description = "Answer with a JSON object (any).")
    boolean jsonObject;

    @Override
    public Integer call() throws IOException {
        Prompt prompt = buildPrompt();
        GenerationRequest request = new GenerationRequest(prompt,
                sampling.overrides(), maxNewTokens, stops).withFormat(responseFormat());
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Path folder = modelOptions.folder();
        try (LanguageModel model = LanguageModel.load(new OrtRuntime(), folder, modelOptions.loadOptions())) {
            CancellationToken cancel = new CancellationToken();
            CountDownLatch printed = new CountDownLatch(1);
            // Ctrl+C cancels the generation and waits a moment for its result (finish_reason cancelled) to print.
            Thread hook = new Thread(() -> {
                cancel.cancel();
                try {
                    printed.await(5, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "kaiyuan-cancel");
            Runtime.getRuntime().addShutdownHook(hook);
            try {
                TokenListener listener = json ? TokenListener.NONE : new PlainListener(out);
                GenerationResult result = model.generate(request, listener, cancel);
                if (json) {
                    out.println(JSON.writeValueAsString(toJson(modelOptions.displayName(folder), model, result)));
                } else {
                    out.println();
                    err.println(summary(result));
                }
                out.flush();
                err.flush();
            } finally {
                printed.countDown();
                removeHook(hook);
            }
        }
        return 0;
    }

    /** --json-schema FILE or --json-object, the schema checked before the model loads. */
    private ResponseFormat responseFormat() throws IOException {
        if (jsonSchema != null && jsonObject) {
            throw new IllegalArgumentException("Give --json-schema FILE or --json-object, not both.");
        }
        if (jsonObject) {
            return ResponseFormat.JSON_OBJECT;
        }
        if (jsonSchema == null) {
            return ResponseFormat.TEXT;
        }
        if (!java.nio.file.Files.isRegularFile(jsonSchema)) {
            throw new IllegalArgumentException(jsonSchema + " is not a file: give the path of a JSON schema.");
        }
        if (java.nio.file.Files.size(jsonSchema) > Schema.MAX_SCHEMA_CHARS * 4L) {
            throw new IllegalArgumentException(jsonSchema + " is too large for a JSON schema.");
        }
        com.fasterxml.jackson.databind.JsonNode node;
        try {
            node = JSON.readTree(jsonSchema.toFile());
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException(jsonSchema + " is not valid JSON: " + e.getOriginalMessage());
        }
        try {
            Schema.compile(node);
        } catch (SchemaException e) {
            throw new IllegalArgumentException(jsonSchema + ": " + e.getMessage());
        }
        return ResponseFormat.jsonSchema(node.toString());
    }

    /** Removes a shutdown hook unless the JVM is already exiting (then the hook has run). */
    static void removeHook(Thread hook) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the JVM is exiting; the hook has run
        }
    }

    private Prompt buildPrompt() throws IOException {
        if (raw) {
            if (promptSource.messages != null) {
                throw new IllegalArgumentException("--raw takes --prompt TEXT, not --messages.");
            }
            if (system != null) {
                throw new IllegalArgumentException("--system needs the chat template; it cannot be used with --raw.");
            }
            return new Prompt.Raw(promptSource.prompt);
        }
        List<ChatMessage> messages = new ArrayList<>();
        if (promptSource.messages != null) {
            messages.addAll(readMessages(promptSource.messages));
        } else {
            messages.add(ChatMessage.user(promptSource.prompt));
        }
        if (system != null) {
            if (!messages.isEmpty() && messages.get(0).role().equals("system")) {
                throw new IllegalArgumentException("--system given, but the messages already start with a system message.");
            }
            messages.add(0, ChatMessage.system(system));
        }
        return new Prompt.Chat(messages, TemplateCommand.variables(enableThinking, Map.of()));
    }

    /** Reads an OpenAI-style message array; a malformed file gets a message naming the problem. */
    static List<ChatMessage> readMessages(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("No messages file at " + file + ".");
        }
        JsonNode root;
        try {
            root = JSON.readTree(file.toFile());
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException(file + " is not valid JSON: " + e.getOriginalMessage());
        }
        if (root == null || !root.isArray() || root.isEmpty()) {
            throw new IllegalArgumentException(file + " must hold a non-empty JSON array of {\"role\", \"content\"} messages.");
        }
        List<ChatMessage> messages = new ArrayList<>();
        for (int i = 0; i < root.size(); i++) {
            JsonNode m = root.get(i);
            JsonNode content = m.path("content");
            boolean toolCallsOnly = (content.isNull() || content.isMissingNode()) && m.has("tool_calls");
            if (!m.path("role").isTextual() || !(content.isTextual() || toolCallsOnly)) {
                throw new IllegalArgumentException(file + ": message " + (i + 1)
                        + " needs a \"role\" and a \"content\" string.");
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> extra = JSON.convertValue(m, Map.class);
            extra.remove("role");
            extra.remove("content");
            messages.add(new ChatMessage(m.get("role").asText(), content.isTextual() ? content.asText() : null, extra));
        }
        return messages;
    }

    static ObjectNode toJson(String modelName, LanguageModel model, GenerationResult result) {
        ObjectNode root = JSON.createObjectNode();
        root.put("model", modelName);
        root.put("variant", model.variant().cliName());
        root.put("provider", model.provider().cliName());
        ArrayNode prompt = root.putArray("prompt_token_ids");
        result.promptTokenIds().forEach(prompt::add);
        ArrayNode tokens = root.putArray("token_ids");
        result.tokenIds().forEach(tokens::add);
        root.put("text", result.text());
        root.put("reasoning", result.reasoning());
        root.put("answer", result.answer());
        root.put("finish_reason", result.finishReason().jsonName());
        GenerationMetrics m = result.metrics();
        ObjectNode metrics = root.putObject("metrics");
        metrics.put("prompt_tokens", m.promptTokens());
        metrics.put("generated_tokens", m.generatedTokens());
        metrics.put("load_ms", m.loadMs());
        metrics.put("ttft_ms", round(m.ttftMs()));
        metrics.put("prefill_tokens_per_s", round(m.prefillTokensPerS()));
        metrics.put("decode_tokens_per_s", round(m.decodeTokensPerS()));
        return root;
    }

    private static double round(double v) {
        return Math.round(v * 100.0) / 100.0;
    }

    static String summary(GenerationResult r) {
        GenerationMetrics m = r.metrics();
        String reasoning = m.reasoningMs() > 0 || r.reasoningUnclosed()
                ? String.format(Locale.ROOT, ", reasoned %.1f s%s", m.reasoningMs() / 1000,
                        r.reasoningUnclosed() ? " (never closed)" : "")
                : "";
        return String.format(Locale.ROOT,
                "[%s] prompt %d tokens (%d cached), generated %d, load %d ms, first token %.0f ms,"
                        + " prefill %.1f tok/s, decode %.1f tok/s%s",
                r.finishReason().jsonName(), m.promptTokens(), m.cachedPromptTokens(), m.generatedTokens(), m.loadMs(),
                m.ttftMs(), m.prefillTokensPerS(), m.decodeTokensPerS(), reasoning);
    }

    /** Streams to the terminal: reasoning between <think> and </think> lines, then the answer. */
    static final class PlainListener implements TokenListener {
        private final PrintWriter out;
        private boolean inReasoning;

        PlainListener(PrintWriter out) {
            this.out = out;
        }

        @Override
        public void onReasoning(String text) {
            if (!inReasoning) {
                out.print("<think>\n");
                inReasoning = true;
            }
            out.print(text);
            out.flush();
        }

        @Override
        public void onText(String text) {
            if (inReasoning) {
                out.print("\n</think>\n\n");
                inReasoning = false;
            }
            out.print(text);
            out.flush();
        }
    }
}
