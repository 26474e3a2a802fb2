package io.kaiyuan.engine.chat;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Locale;

/** A conversation as a Markdown document or as JSON, for the user to keep or share. */
public final class ChatExport {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ChatExport() {}

    /**
     * Markdown: the title, then each message under a heading; an answer's thinking in a collapsible
     * {@code <details>} block, its tool calls as quotes (tool, server, time, arguments, result) before its text,
     * and its figures in italics below it. A regenerated answer shows its chosen
     * version, with the others in a {@code <details>} block after it.
     */
    public static String markdown(Conversation c, List<VersionedMessage> messages) {
        StringBuilder md = new StringBuilder();
        md.append("# ").append(c.title()).append("\n\n");
        c.modelId().ifPresent(m -> md.append("Model: ").append(m).append("  \n"));
        md.append("Started: ").append(c.createdAt()).append("\n\n");
        if (!c.systemPrompt().isEmpty()) {
            md.append("## System\n\n").append(c.systemPrompt()).append("\n\n");
        }
        for (VersionedMessage v : messages) {
            StoredMessage m = v.message();
            switch (m.role()) {
                case "user" -> md.append("## User\n\n");
                case "system" -> md.append("## System\n\n");
                default -> md.append("## Assistant").append(madeBy(m)).append(v.versions().size() > 1
                        ? String.format(Locale.ROOT, " · version %d of %d", v.chosen() + 1, v.versions().size()) : "")
                        .append("\n\n");
            }
            body(md, m);
            if (v.versions().size() > 1) {
                md.append("<details><summary>Other versions</summary>\n\n");
                for (int i = 0; i < v.versions().size(); i++) {
                    if (i != v.chosen()) {
                        md.append("### Version ").append(i + 1).append(madeBy(v.versions().get(i))).append("\n\n");
                        body(md, v.versions().get(i));
                    }
                }
                md.append("</details>\n\n");
            }
        }
        return md.toString();
    }

    private static String madeBy(StoredMessage m) {
        return m.modelId().map(id -> " (" + id + m.variant().map(v -> ", " + v).orElse("") + ")").orElse("");
    }

    private static void body(StringBuilder md, StoredMessage m) {
        if (!m.reasoning().isEmpty()) {
            String seconds = m.metrics().filter(x -> x.reasoningMs() > 0)
                    .map(x -> String.format(Locale.ROOT, " (%.1f s)", x.reasoningMs() / 1000)).orElse("");
            md.append("<details><summary>Thinking").append(seconds).append("</summary>\n\n")
                    .append(m.reasoning().strip()).append("\n\n</details>\n\n");
        }
        for (ToolRound r : m.toolRounds()) {
            if (!r.content().isBlank()) {
                md.append(r.content().strip()).append("\n\n");
            }
            for (ToolRound.Call c : r.calls()) {
                md.append(ToolRound.quote(c, String.format(Locale.ROOT, "%s **%s** on %s · %d ms",
                        c.error() ? "Tool call failed:" : "Called", c.name(), c.server(), c.millis()))).append('\n');
            }
        }
        md.append(m.content().strip()).append("\n\n");
        m.metrics().ifPresent(x -> md.append(String.format(Locale.ROOT, "_%d tokens · first token %.0f ms · %.1f tokens/s%s_\n\n",
                x.generatedTokens(), x.ttftMs(), x.decodeTokensPerS(),
                m.finishReason().map(f -> " · " + f.jsonName()).orElse(""))));
    }

    /**
     * JSON with every stored field: settings, and per message its reasoning, model, sampling and metrics, and
     * an answer's tool calls under {@code tool_rounds} (per round: its text, thinking, and each call's id, name,
     * arguments, server, result, error and milliseconds);
     * a regenerated answer has the chosen version's fields and all versions under {@code versions}, with
     * {@code chosen_version} the index of the one shown.
     */
    public static String json(Conversation c, List<VersionedMessage> messages) {
        ObjectNode root = JSON.createObjectNode();
        root.put("title", c.title());
        root.put("model", c.modelId().orElse(null));
        root.put("system_prompt", c.systemPrompt());
        root.set("sampling", JSON.valueToTree(c.sampling()));
        if (!c.format().isText()) {
            com.fasterxml.jackson.databind.node.ObjectNode f = root.putObject("response_format")
                    .put("type", c.format().kind() == io.kaiyuan.engine.api.ResponseFormat.Kind.JSON_OBJECT ? "json_object"
                            : "json_schema");
            if (c.format().kind() == io.kaiyuan.engine.api.ResponseFormat.Kind.JSON_SCHEMA) {
                try {
                    f.set("schema", JSON.readTree(c.format().schema()));
                } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                    f.put("schema", c.format().schema());
                }
            }
        }
        root.put("created_at", c.createdAt().toString());
        root.put("updated_at", c.updatedAt().toString());
        ArrayNode list = root.putArray("messages");
        for (VersionedMessage v : messages) {
            ObjectNode o = list.addObject();
            fields(o, v.message());
            if (v.versions().size() > 1) {
                o.put("chosen_version", v.chosen());
                ArrayNode versions = o.putArray("versions");
                v.versions().forEach(m -> fields(versions.addObject(), m));
            }
        }
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void fields(ObjectNode o, StoredMessage m) {
        o.put("role", m.role());
        o.put("content", m.content());
        if (!m.reasoning().isEmpty()) {
            o.put("reasoning", m.reasoning());
        }
        m.modelId().ifPresent(v -> o.put("model", v));
        m.variant().ifPresent(v -> o.put("variant", v));
        m.sampling().ifPresent(v -> o.set("sampling", JSON.valueToTree(v)));
        m.metrics().ifPresent(v -> o.set("metrics", JSON.valueToTree(v)));
        m.finishReason().ifPresent(v -> o.put("finish_reason", v.jsonName()));
        if (!m.toolRounds().isEmpty()) {
            ArrayNode rounds = o.putArray("tool_rounds");
            for (ToolRound r : m.toolRounds()) {
                ObjectNode round = rounds.addObject().put("content", r.content());
                if (!r.reasoning().isEmpty()) {
                    round.put("reasoning", r.reasoning());
                }
                ArrayNode calls = round.putArray("tool_calls");
                for (ToolRound.Call c : r.calls()) {
                    ObjectNode call = calls.addObject().put("id", c.id()).put("name", c.name());
                    try {
                        call.set("arguments", JSON.readTree(c.arguments()));
                    } catch (JsonProcessingException e) {
                        call.put("arguments", c.arguments());
                    }
                    call.put("server", c.server()).put("result", c.result()).put("error", c.error()).put("millis", c.millis());
                }
            }
        }
        o.put("created_at", m.createdAt().toString());
    }
}
