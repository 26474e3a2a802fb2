package io.kaiyuan.engine.compare;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kaiyuan.engine.api.ChatMessage;
import io.kaiyuan.engine.api.ExecutionProvider;
import io.kaiyuan.engine.api.GenerationMetrics;
import io.kaiyuan.engine.api.GenerationRequest;
import io.kaiyuan.engine.api.GenerationResult;
import io.kaiyuan.engine.api.SamplingOverrides;
import io.kaiyuan.engine.generate.LanguageModel;
import io.kaiyuan.engine.model.Variant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Everything needed to repeat a comparison: the request (prompt, sampling with its seed, token budget),
 * and per column the model as named, variant, provider, graph and chat-template hashes, its output
 * (text and token ids) and metrics, plus the ONNX Runtime version. Written as JSON (read back to re-run)
 * and as Markdown.
 */
public record RunCard(String createdAt, String onnxRuntime, GenerationRequest request, Comparison.Schedule schedule,
        List<ColumnRun> columns) {
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * One column's run.
     *
     * @param repo the hub repository the model was downloaded from; empty for a plain folder
     * @param revision the repository's commit the files came from; empty for a plain folder
     * @param sampling the settings this column ran with: its own over the request's
     * @param modelResidentBytes resident memory the model's load added (-1 where unknown)
     * @param tokensPer1000Chars what the prompt's text costs in this model's tokens; -1 where unknown (a remote
     *     model, whose tokenizer is not here)
     * @param peakResidentBytes the process's peak resident memory while this column ran; when the columns run
     *     all at once, the peak of them all together
     */
    public record ColumnRun(String model, String repo, String revision, String variant, String provider, SamplingOverrides sampling, String graphSha256,
            String chatTemplateSha256, double tokensPer1000Chars, long loadMs, long modelResidentBytes,
            long peakResidentBytes, GenerationResult result) {}

    /** The column that decoded fastest (tokens per second); -1 when two or more share the top. */
    public int fastest() {
        return indexOfMax(Comparator.comparingDouble(c -> c.result().metrics().decodeTokensPerS()));
    }

    /** The column with the fewest generated tokens; -1 when two or more share the fewest. */
    public int shortest() {
        return indexOfMax(Comparator.comparingInt((ColumnRun c) -> c.result().metrics().generatedTokens()).reversed());
    }

    private int indexOfMax(Comparator<ColumnRun> order) {
        int best = 0;
        boolean shared = false;
        for (int i = 1; i < columns.size(); i++) {
            int c = order.compare(columns.get(i), columns.get(best));
            if (c > 0) {
                best = i;
                shared = false;
            } else if (c == 0) {
                shared = true;
            }
        }
        return shared ? -1 : best;
    }

    /** The columns to load again for a re-run: the same model names, variants, providers and sampling settings. */
    public List<Comparison.Column> rerunColumns(java.util.function.Function<String, java.nio.file.Path> locate) {
        return rerunColumns(locate, name -> Optional.empty());
    }

    /** As above; a column that ran on a remote endpoint asks {@code remote} for it again by its name. */
    public List<Comparison.Column> rerunColumns(java.util.function.Function<String, java.nio.file.Path> locate,
            java.util.function.Function<String, Optional<Comparison.Remote>> remote) {
        List<Comparison.Column> out = new ArrayList<>();
        for (ColumnRun c : columns) {
            if (c.provider().equals("remote")) {
                Comparison.Remote r = remote.apply(c.model()).orElseThrow(() -> new IllegalArgumentException(c.model()
                        + " ran on a remote endpoint that is not set up here: add it in Settings first."));
                out.add(Comparison.Column.remote(c.model(), r, c.sampling()));
                continue;
            }
            out.add(new Comparison.Column(c.model(), locate.apply(c.model()), new LanguageModel.LoadOptions(
                    Optional.of(Variant.parse(c.variant())), ExecutionProvider.parse(c.provider()), 0), c.sampling()));
        }
        return out;
    }

    /** For each column, whether {@code rerun} produced exactly the same tokens (remote columns: the same text). */
    public List<Boolean> sameTokens(RunCard rerun) {
        List<Boolean> out = new ArrayList<>();
        for (int i = 0; i < columns.size(); i++) {
            if (i >= rerun.columns.size()) {
                out.add(false);
                continue;
            }
            GenerationResult before = columns.get(i).result();
            GenerationResult after = rerun.columns.get(i).result();
            // A remote endpoint sends text, not token ids: its columns compare their text.
            out.add(before.tokenIds().isEmpty() && after.tokenIds().isEmpty() ? before.text().equals(after.text())
                    : before.tokenIds().equals(after.tokenIds()));
        }
        return out;
    }

    /** The card as JSON. */
    public String toJson() {
        ObjectNode root = JSON.createObjectNode();
        root.put("kaiyuan_run_card", 1);
        root.put("created_at", createdAt);
        root.put("onnxruntime", onnxRuntime);
        ObjectNode req = root.putObject("request");
        if (request.prompt() instanceof GenerationRequest.Prompt.Chat chat) {
            ArrayNode messages = req.putArray("messages");
            for (ChatMessage m : chat.messages()) {
                ObjectNode o = messages.addObject().put("role", m.role()).put("content", m.content());
                m.extra().forEach((k, v) -> o.set(k, JSON.valueToTree(v)));
            }
            req.set("variables", JSON.valueToTree(chat.variables()));
        } else if (request.prompt() instanceof GenerationRequest.Prompt.Raw raw) {
            req.put("raw", raw.text());
        }
        req.set("sampling", JSON.valueToTree(request.sampling()));
        req.put("max_new_tokens", request.maxNewTokens());
        req.set("stop", JSON.valueToTree(request.stopStrings()));
        req.put("ignore_eos", request.ignoreEos());
        root.putObject("schedule").put("parallel", schedule.parallel()).put("reason", schedule.reason())
                .put("local_models", schedule.localModels()).put("needed_bytes", schedule.neededBytes())
                .put("available_bytes", schedule.availableBytes());
        ArrayNode cols = root.putArray("columns");
        for (ColumnRun c : columns) {
            GenerationResult r = c.result();
            ObjectNode o = cols.addObject();
            o.put("model", c.model()).put("repo", c.repo()).put("revision", c.revision()).put("variant", c.variant())
                    .put("provider", c.provider());
            o.set("sampling", JSON.valueToTree(c.sampling()));
            o.put("graph_sha256", c.graphSha256()).put("chat_template_sha256", c.chatTemplateSha256())
                    .put("tokens_per_1000_chars", round(c.tokensPer1000Chars())).put("load_ms", c.loadMs())
                    .put("model_resident_bytes", c.modelResidentBytes())
                    .put("peak_resident_bytes", c.peakResidentBytes());
            o.put("text", r.text()).put("reasoning", r.reasoning()).put("answer", r.answer())
                    .put("finish_reason", r.finishReason().jsonName());
            o.set("prompt_token_ids", JSON.valueToTree(r.promptTokenIds()));
            o.set("token_ids", JSON.valueToTree(r.tokenIds()));
            o.set("metrics", JSON.valueToTree(r.metrics()));
        }
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static double round(double v) {
        return Math.round(v * 10) / 10.0;
    }

    /** Reads a card written by {@link #toJson()}; a file that is not one gets a message saying so. */
    public static RunCard fromJson(String json) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("Not a run card: " + e.getOriginalMessage());
        }
        if (root == null || root.path("kaiyuan_run_card").asInt() != 1) {
            throw new IllegalArgumentException("Not a Kaiyuan run card (no \"kaiyuan_run_card\": 1).");
        }
        try {
            JsonNode req = root.path("request");
            GenerationRequest.Prompt prompt;
            if (req.has("raw")) {
                prompt = new GenerationRequest.Prompt.Raw(req.get("raw").asText());
            } else {
                List<ChatMessage> messages = new ArrayList<>();
                for (JsonNode m : req.path("messages")) {
                    @SuppressWarnings("unchecked")
                    Map<String, Object> extra = new LinkedHashMap<>(JSON.convertValue(m, Map.class));
                    extra.remove("role");
                    extra.remove("content");
                    messages.add(new ChatMessage(m.path("role").asText(), m.path("content").isNull() ? null
                            : m.path("content").asText(), extra));
                }
                @SuppressWarnings("unchecked")
                Map<String, Object> variables = JSON.convertValue(req.path("variables"), Map.class);
                prompt = new GenerationRequest.Prompt.Chat(messages, variables == null ? Map.of() : variables);
            }
            List<String> stops = new ArrayList<>();
            req.path("stop").forEach(s -> stops.add(s.asText()));
            GenerationRequest request = new GenerationRequest(prompt,
                    JSON.treeToValue(req.path("sampling"), SamplingOverrides.class), req.path("max_new_tokens").asInt(),
                    stops, req.path("ignore_eos").asBoolean());
            List<ColumnRun> columns = new ArrayList<>();
            for (JsonNode c : root.path("columns")) {
                GenerationResult result = new GenerationResult(ints(c.path("prompt_token_ids")), ints(c.path("token_ids")),
                        c.path("text").asText(), c.path("reasoning").asText(), c.path("answer").asText(), false,
                        finish(c.path("finish_reason").asText()), JSON.treeToValue(c.path("metrics"), GenerationMetrics.class));
                // A column without its own settings ran with the request's.
                SamplingOverrides sampling = c.hasNonNull("sampling")
                        ? JSON.treeToValue(c.get("sampling"), SamplingOverrides.class) : request.sampling();
                columns.add(new ColumnRun(c.path("model").asText(), c.path("repo").asText(), c.path("revision").asText(),
                        c.path("variant").asText(), c.path("provider").asText(),
                        sampling, c.path("graph_sha256").asText(), c.path("chat_template_sha256").asText(),
                        c.path("tokens_per_1000_chars").asDouble(), c.path("load_ms").asLong(),
                        c.path("model_resident_bytes").asLong(-1), c.path("peak_resident_bytes").asLong(), result));
            }
            if (columns.size() < 2) {
                throw new IllegalArgumentException("A run card needs at least two columns.");
            }
            return new RunCard(root.path("created_at").asText(), root.path("onnxruntime").asText(), request,
                    new Comparison.Schedule(root.path("schedule").path("parallel").asBoolean(),
                            root.path("schedule").path("reason").asText(), root.path("schedule").path("local_models").asInt(-1),
                            root.path("schedule").path("needed_bytes").asLong(-1),
                            root.path("schedule").path("available_bytes").asLong(-1)), columns);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("The run card cannot be read: " + e.getOriginalMessage());
        }
    }

    private static List<Integer> ints(JsonNode array) {
        List<Integer> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asInt()));
        return out;
    }

    private static io.kaiyuan.engine.api.FinishReason finish(String name) {
        for (io.kaiyuan.engine.api.FinishReason f : io.kaiyuan.engine.api.FinishReason.values()) {
            if (f.jsonName().equals(name)) {
                return f;
            }
        }
        throw new IllegalArgumentException("unknown finish reason '" + name + "' in the run card");
    }

    /** Tokens per 1,000 characters of the prompt to one decimal, or "?" where unknown (a remote column). */
    public static String perThousand(ColumnRun c) {
        return c.tokensPer1000Chars() < 0 ? "?" : String.format(Locale.ROOT, "%.1f", c.tokensPer1000Chars());
    }

    /** Sampling settings as {@code temperature=0.0, seed=42}; "model defaults" when none is set. */
    public static String describe(SamplingOverrides s) {
        List<String> parts = new ArrayList<>();
        add(parts, "temperature", s.temperature());
        add(parts, "top_k", s.topK());
        add(parts, "top_p", s.topP());
        add(parts, "min_p", s.minP());
        add(parts, "repetition_penalty", s.repetitionPenalty());
        add(parts, "seed", s.seed());
        return parts.isEmpty() ? "model defaults" : String.join(", ", parts);
    }

    private static void add(List<String> parts, String name, Object value) {
        if (value != null) {
            parts.add(name + "=" + value);
        }
    }

    /** The card as Markdown: the settings, a table of the figures, then each output. */
    public String toMarkdown() {
        StringBuilder md = new StringBuilder("# Kaiyuan comparison\n\n");
        md.append("Run ").append(createdAt).append(" · ONNX Runtime ").append(onnxRuntime).append(" · ")
                .append(schedule.reason()).append("\n\n");
        md.append("Sampling: ").append(describe(request.sampling())).append(" · max new tokens ")
                .append(request.maxNewTokens()).append("\n\n");
        md.append("| | model | variant | provider | sampling | TTFT ms | tokens/s | tokens | finish | load ms | model MB"
                + " | peak MB | tokens/1k chars |\n");
        md.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        int fastest = fastest();
        int shortest = shortest();
        for (int i = 0; i < columns.size(); i++) {
            ColumnRun c = columns.get(i);
            GenerationMetrics m = c.result().metrics();
            String marks = (i == fastest ? " ⚡fastest" : "") + (i == shortest ? " ✂shortest" : "");
            md.append(String.format(Locale.ROOT, "| %s%s | %s | %s | %s | %s | %.0f | %.1f | %d | %s | %d | %s | %.0f | %s |%n",
                    (char) ('A' + i), marks, c.model(), c.variant(), c.provider(), describe(c.sampling()), m.ttftMs(),
                    m.decodeTokensPerS(), m.generatedTokens(), c.result().finishReason().jsonName(), c.loadMs(),
                    c.modelResidentBytes() < 0 ? "?" : String.format(Locale.ROOT, "%.0f", c.modelResidentBytes() / 1e6),
                    c.peakResidentBytes() / 1e6, perThousand(c)));
        }
        md.append('\n');
        if (schedule.parallel()) {
            md.append("The columns ran at once: peak MB is the process's peak with every model loaded.\n\n");
        }
        for (int i = 0; i < columns.size(); i++) {
            ColumnRun c = columns.get(i);
            md.append("## ").append((char) ('A' + i)).append(": ").append(c.model()).append("\n\n");
            if (!c.repo().isEmpty()) {
                md.append("`").append(c.repo()).append("` at revision `").append(c.revision()).append("` · ");
            }
            md.append("graph sha256 `").append(c.graphSha256()).append("` · chat template sha256 `")
                    .append(c.chatTemplateSha256()).append("`\n\n");
            md.append(c.result().text().strip()).append("\n\n");
        }
        return md.toString();
    }
}
