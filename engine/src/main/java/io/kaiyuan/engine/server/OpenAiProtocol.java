package io.kaiyuan.engine.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kaiyuan.engine.api.ChatMessage;
import io.kaiyuan.engine.api.FinishReason;
import io.kaiyuan.engine.api.GenerationRequest;
import io.kaiyuan.engine.api.GenerationResult;
import io.kaiyuan.engine.api.SamplingOverrides;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The OpenAI chat-completions wire format: requests read into a {@link GenerationRequest}, results and
 * stream chunks written as OpenAI's JSON, errors in its {@code {"error": {...}}} shape. Stateless.
 */
public final class OpenAiProtocol {
    static final ObjectMapper JSON = new ObjectMapper();

    /** Tokens a request may generate when it sets no limit; the model's context limit ends it first. */
    static final int DEFAULT_MAX_TOKENS = 1 << 20;

    private OpenAiProtocol() {}

    /** A request the client got wrong (HTTP 400), naming the parameter where there is one. */
    public static final class BadRequest extends RuntimeException {
        private final String param;

        public BadRequest(String message, String param) {
            super(message);
            this.param = param;
        }

        public String param() {
            return param;
        }
    }

    /** A chat-completions request as read: the model, the generation request and how to answer. */
    public record ChatRequest(String model, GenerationRequest request, boolean stream, boolean includeUsage) {}

    /** Reads a {@code POST /v1/chat/completions} body. */
    public static ChatRequest chatRequest(JsonNode body) {
        if (body == null || !body.isObject()) {
            throw new BadRequest("The request body must be a JSON object.", null);
        }
        String model = text(body, "model", true);
        if (!body.path("messages").isArray() || body.path("messages").isEmpty()) {
            throw new BadRequest("'messages' must be a non-empty array of {\"role\", \"content\"} messages.", "messages");
        }
        List<ChatMessage> messages = messages(body.path("messages"), "messages");
        if (body.path("n").isNumber() && body.path("n").asInt() != 1) {
            throw new BadRequest("Only n = 1 is supported.", "n");
        }
        if (body.path("tools").isArray() && !body.path("tools").isEmpty()) {
            throw new BadRequest("Tool calling is not supported yet: leave out 'tools'.", "tools");
        }
        SamplingOverrides sampling;
        try {
            sampling = new SamplingOverrides(number(body, "temperature"), integer(body, "top_k"), number(body, "top_p"),
                    number(body, "min_p"), number(body, "repetition_penalty"), body.path("seed").isNull()
                            || body.path("seed").isMissingNode() ? null : longValue(body, "seed")).checked();
        } catch (BadRequest e) {
            throw e;
        } catch (IllegalArgumentException e) {
            throw new BadRequest(e.getMessage() + ".", null);
        }
        Integer maxTokens = integer(body, "max_completion_tokens");
        if (maxTokens == null) {
            maxTokens = integer(body, "max_tokens");
        }
        if (maxTokens != null && maxTokens < 1) {
            throw new BadRequest("max_tokens must be 1 or more, not " + maxTokens + ".", "max_tokens");
        }
        List<String> stop = new ArrayList<>();
        JsonNode s = body.path("stop");
        if (s.isTextual()) {
            stop.add(s.asText());
        } else if (s.isArray()) {
            s.forEach(n -> stop.add(n.asText()));
        } else if (!s.isMissingNode() && !s.isNull()) {
            throw new BadRequest("'stop' must be a string or an array of strings.", "stop");
        }
        if (stop.size() > 4 || stop.stream().anyMatch(String::isEmpty)) {
            throw new BadRequest("'stop' takes up to 4 non-empty strings.", "stop");
        }
        boolean stream = body.path("stream").asBoolean(false);
        boolean includeUsage = body.path("stream_options").path("include_usage").asBoolean(false);
        GenerationRequest request = new GenerationRequest(new GenerationRequest.Prompt.Chat(messages, Map.of()), sampling,
                maxTokens == null ? DEFAULT_MAX_TOKENS : maxTokens, stop);
        return new ChatRequest(model, request, stream, includeUsage);
    }

    /**
     * OpenAI-style messages: a role and a content string (or an array of text parts); an assistant turn
     * with only {@code tool_calls} may have none. Other fields are kept for the chat template. The
     * {@code developer} role is read as {@code system}.
     */
    public static List<ChatMessage> messages(JsonNode array, String where) {
        List<ChatMessage> out = new ArrayList<>();
        for (int i = 0; i < array.size(); i++) {
            JsonNode m = array.get(i);
            String at = where + "[" + i + "]";
            if (!m.isObject() || !m.path("role").isTextual()) {
                throw new BadRequest(at + " needs a \"role\" string.", at + ".role");
            }
            JsonNode content = m.path("content");
            String text;
            if (content.isTextual()) {
                text = content.asText();
            } else if (content.isArray()) {
                StringBuilder sb = new StringBuilder();
                for (JsonNode part : content) {
                    if (!"text".equals(part.path("type").asText()) || !part.path("text").isTextual()) {
                        throw new BadRequest(at + ".content: only text parts are supported, not '"
                                + part.path("type").asText() + "'.", at + ".content");
                    }
                    sb.append(part.get("text").asText());
                }
                text = sb.toString();
            } else if ((content.isNull() || content.isMissingNode()) && m.has("tool_calls")) {
                text = null;
            } else {
                throw new BadRequest(at + " needs a \"content\" string.", at + ".content");
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> extra = JSON.convertValue(m, Map.class);
            extra.remove("role");
            extra.remove("content");
            String role = m.get("role").asText();
            out.add(new ChatMessage("developer".equals(role) ? "system" : role, text, extra));
        }
        return out;
    }

    private static String text(JsonNode body, String field, boolean required) {
        JsonNode n = body.path(field);
        if (n.isTextual() && !n.asText().isBlank()) {
            return n.asText();
        }
        if (required || !n.isMissingNode()) {
            throw new BadRequest("'" + field + "' must be a non-empty string.", field);
        }
        return null;
    }

    private static Double number(JsonNode body, String field) {
        JsonNode n = body.path(field);
        if (n.isMissingNode() || n.isNull()) {
            return null;
        }
        if (!n.isNumber()) {
            throw new BadRequest("'" + field + "' must be a number.", field);
        }
        return n.asDouble();
    }

    private static Integer integer(JsonNode body, String field) {
        JsonNode n = body.path(field);
        if (n.isMissingNode() || n.isNull()) {
            return null;
        }
        if (!n.canConvertToInt() || !n.isIntegralNumber()) {
            throw new BadRequest("'" + field + "' must be an integer.", field);
        }
        return n.asInt();
    }

    private static long longValue(JsonNode body, String field) {
        JsonNode n = body.path(field);
        if (!n.isIntegralNumber() || !n.canConvertToLong()) {
            throw new BadRequest("'" + field + "' must be an integer.", field);
        }
        return n.asLong();
    }

    /** OpenAI's finish reasons: {@code stop} (end of sequence, stop string, or stopped) or {@code length}. */
    static String finishReason(FinishReason reason) {
        return reason == FinishReason.LENGTH ? "length" : "stop";
    }

    /** A non-streaming {@code chat.completion}. */
    static ObjectNode completion(String id, long created, String model, GenerationResult result) {
        ObjectNode root = JSON.createObjectNode();
        root.put("id", id).put("object", "chat.completion").put("created", created).put("model", model);
        ObjectNode choice = root.putArray("choices").addObject();
        choice.put("index", 0);
        ObjectNode message = choice.putObject("message");
        message.put("role", "assistant").put("content", result.answer());
        if (!result.reasoning().isEmpty()) {
            message.put("reasoning_content", result.reasoning());
        }
        choice.putNull("logprobs");
        choice.put("finish_reason", finishReason(result.finishReason()));
        root.set("usage", usage(result));
        return root;
    }

    static ObjectNode usage(GenerationResult result) {
        ObjectNode usage = JSON.createObjectNode();
        int prompt = result.promptTokenIds().size();
        int completion = result.tokenIds().size();
        return usage.put("prompt_tokens", prompt).put("completion_tokens", completion).put("total_tokens", prompt + completion);
    }

    /** A {@code chat.completion.chunk} with one choice; {@code delta} and {@code finish} may be null. */
    static ObjectNode chunk(String id, long created, String model, ObjectNode delta, String finish, boolean includeUsage) {
        ObjectNode root = JSON.createObjectNode();
        root.put("id", id).put("object", "chat.completion.chunk").put("created", created).put("model", model);
        ObjectNode choice = root.putArray("choices").addObject();
        choice.put("index", 0);
        choice.set("delta", delta == null ? JSON.createObjectNode() : delta);
        choice.putNull("logprobs");
        if (finish == null) {
            choice.putNull("finish_reason");
        } else {
            choice.put("finish_reason", finish);
        }
        if (includeUsage) {
            root.putNull("usage");
        }
        return root;
    }

    /** The last chunk when usage was asked for: no choices, the token counts. */
    static ObjectNode usageChunk(String id, long created, String model, GenerationResult result) {
        ObjectNode root = JSON.createObjectNode();
        root.put("id", id).put("object", "chat.completion.chunk").put("created", created).put("model", model);
        root.putArray("choices");
        root.set("usage", usage(result));
        return root;
    }

    /** OpenAI's error body. */
    static ObjectNode error(String message, String type, String param, String code) {
        ObjectNode root = JSON.createObjectNode();
        ObjectNode e = root.putObject("error");
        e.put("message", message).put("type", type);
        if (param == null) {
            e.putNull("param");
        } else {
            e.put("param", param);
        }
        if (code == null) {
            e.putNull("code");
        } else {
            e.put("code", code);
        }
        return root;
    }
}
