package io.kaiyuan.engine.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeType;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kaiyuan.engine.api.ChatMessage;
import io.kaiyuan.engine.api.FinishReason;
import io.kaiyuan.engine.api.GenerationRequest;
import io.kaiyuan.engine.api.ResponseFormat;
import io.kaiyuan.engine.api.ToolUse;
import io.kaiyuan.engine.constrain.Schema;
import io.kaiyuan.engine.constrain.SchemaException;
import io.kaiyuan.engine.api.GenerationResult;
import io.kaiyuan.engine.api.LogitAdjustments;
import io.kaiyuan.engine.api.TokenLogprob;
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

    /** Fields read without effect: accepted when of the right type. */
    private static final Map<String, JsonNodeType> IGNORED = Map.of("user", JsonNodeType.STRING, "metadata",
            JsonNodeType.OBJECT, "store", JsonNodeType.BOOLEAN);

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

    /**
     * Reads a {@code POST /v1/chat/completions} body; a request without {@code max_tokens} may generate
     * {@code defaultMaxTokens} (the model's context ends it first either way).
     */
    public static ChatRequest chatRequest(JsonNode body, int defaultMaxTokens) {
        if (body == null || !body.isObject()) {
            throw new BadRequest("The request body must be a JSON object.", null);
        }
        String model = text(body, "model", true);
        if (!body.path("messages").isArray() || body.path("messages").isEmpty()) {
            throw new BadRequest("'messages' must be a non-empty array of {\"role\", \"content\"} messages.", "messages");
        }
        List<ChatMessage> messages = messages(body.path("messages"), "messages");
        Integer n = integer(body, "n");
        if (n != null && n != 1) {
            throw new BadRequest("Only n = 1 is supported.", "n");
        }
        ToolUse tools = tools(body);
        for (Map.Entry<String, JsonNodeType> ignored : IGNORED.entrySet()) {
            JsonNode v = body.path(ignored.getKey());
            if (!v.isMissingNode() && !v.isNull() && v.getNodeType() != ignored.getValue()) {
                throw new BadRequest("'" + ignored.getKey() + "' must be " + (ignored.getValue() == JsonNodeType.OBJECT
                        ? "an object" : "a " + ignored.getValue().name().toLowerCase(java.util.Locale.ROOT)) + ".",
                        ignored.getKey());
            }
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
        Integer maxTokens = tokenCount(body, "max_completion_tokens");
        if (maxTokens == null) {
            maxTokens = tokenCount(body, "max_tokens");
        }
        if (maxTokens != null && maxTokens < 1) {
            throw new BadRequest("max_tokens must be 1 or more, not " + maxTokens + ".", "max_tokens");
        }
        List<String> stop = new ArrayList<>();
        JsonNode s = body.path("stop");
        if (s.isTextual()) {
            stop.add(s.asText());
        } else if (s.isArray()) {
            for (JsonNode one : s) {
                if (!one.isTextual()) {
                    throw new BadRequest("'stop' must be a string or an array of strings.", "stop");
                }
                stop.add(one.asText());
            }
        } else if (!s.isMissingNode() && !s.isNull()) {
            throw new BadRequest("'stop' must be a string or an array of strings.", "stop");
        }
        if (stop.size() > 4 || stop.stream().anyMatch(String::isEmpty)) {
            throw new BadRequest("'stop' takes up to 4 non-empty strings.", "stop");
        }
        boolean stream = bool(body, "stream");
        JsonNode options = body.path("stream_options");
        if (!options.isMissingNode() && !options.isNull() && !options.isObject()) {
            throw new BadRequest("'stream_options' must be an object.", "stream_options");
        }
        boolean includeUsage = bool(options, "include_usage");
        LogitAdjustments adjustments;
        try {
            adjustments = new LogitAdjustments(orZero(number(body, "frequency_penalty")),
                    orZero(number(body, "presence_penalty")), logitBias(body.path("logit_bias")));
        } catch (IllegalArgumentException e) {
            throw new BadRequest(e.getMessage() + ".", e.getMessage().split(" ")[0]);
        }
        boolean logprobs = bool(body, "logprobs");
        Integer top = integer(body, "top_logprobs");
        if (top != null && (top < 0 || top > GenerationRequest.MAX_TOP_LOGPROBS)) {
            throw new BadRequest("'top_logprobs' must be 0 to " + GenerationRequest.MAX_TOP_LOGPROBS + ".", "top_logprobs");
        }
        if (top != null && top > 0 && !logprobs) {
            throw new BadRequest("'top_logprobs' needs 'logprobs': true.", "top_logprobs");
        }
        ResponseFormat format = responseFormat(body.path("response_format"));
        if (tools.active() && !format.isText()) {
            throw new BadRequest("'response_format' and 'tools' cannot be used together: a call's arguments already follow "
                    + "the function's schema.", "response_format");
        }
        // the template sees the tools as transformers passes them (its tools variable, OpenAI's form)
        Map<String, Object> variables = tools.functions().isEmpty() ? Map.of()
                : Map.of("tools", JSON.convertValue(body.path("tools"), List.class));
        GenerationRequest request = new GenerationRequest(new GenerationRequest.Prompt.Chat(messages, variables), sampling,
                maxTokens == null ? defaultMaxTokens : maxTokens, stop, false, adjustments,
                logprobs ? (top == null ? 0 : top) : -1, format, tools);
        return new ChatRequest(model, request, stream, includeUsage);
    }

    /** The most functions a request may offer. */
    static final int MAX_TOOLS = 128;

    /**
     * {@code tools} ({@code [{"type": "function", "function": {"name", "description", "parameters"}}]}),
     * {@code tool_choice} ({@code auto}, {@code none}, {@code required} or
     * {@code {"type": "function", "function": {"name"}}}) and {@code parallel_tool_calls}. Each function's
     * parameter schema is checked here: a keyword the decoder cannot enforce is a 400 naming the function.
     */
    static ToolUse tools(JsonNode body) {
        JsonNode tools = body.path("tools");
        JsonNode choice = body.path("tool_choice");
        JsonNode parallel = body.path("parallel_tool_calls");
        if (!parallel.isMissingNode() && !parallel.isNull() && !parallel.isBoolean()) {
            throw new BadRequest("'parallel_tool_calls' must be true or false.", "parallel_tool_calls");
        }
        if (tools.isMissingNode() || tools.isNull() || tools.isArray() && tools.isEmpty()) {
            if (!choice.isMissingNode() && !choice.isNull() && !"none".equals(choice.asText())
                    && !"auto".equals(choice.asText())) {
                throw new BadRequest("'tool_choice' needs 'tools'.", "tool_choice");
            }
            return ToolUse.NONE;
        }
        if (!tools.isArray()) {
            throw new BadRequest("'tools' must be an array of {\"type\": \"function\", \"function\": {...}}.", "tools");
        }
        if (tools.size() > MAX_TOOLS) {
            throw new BadRequest("'tools' takes at most " + MAX_TOOLS + " functions.", "tools");
        }
        List<ToolUse.Function> functions = new ArrayList<>();
        java.util.Set<String> names = new java.util.HashSet<>();
        for (int i = 0; i < tools.size(); i++) {
            JsonNode t = tools.get(i);
            JsonNode f = t.path("function");
            if (!"function".equals(t.path("type").asText()) || !f.isObject()) {
                throw new BadRequest("tools[" + i + "] must be {\"type\": \"function\", \"function\": {\"name\", ...}}.",
                        "tools");
            }
            String name = f.path("name").asText("");
            if (!name.matches("[A-Za-z0-9_.-]{1,64}")) {
                throw new BadRequest("tools[" + i + "].function.name must be 1 to 64 letters, digits, _, . or -.", "tools");
            }
            if (!names.add(name)) {
                throw new BadRequest("Two tools are named '" + name + "'.", "tools");
            }
            JsonNode parameters = f.path("parameters");
            if (!parameters.isMissingNode() && !parameters.isNull() && !parameters.isObject()) {
                throw new BadRequest("tools[" + i + "].function.parameters must be a JSON schema object.", "tools");
            }
            try {
                Schema.parameters(parameters);
            } catch (SchemaException e) {
                throw new BadRequest("Function '" + name + "': " + e.getMessage(), "tools");
            }
            functions.add(new ToolUse.Function(name, f.path("description").asText(""),
                    parameters.isObject() ? parameters.toString() : "{}"));
        }
        ToolUse.Choice how;
        java.util.Optional<String> only = java.util.Optional.empty();
        if (choice.isMissingNode() || choice.isNull() || "auto".equals(choice.asText(null))) {
            how = ToolUse.Choice.AUTO;
        } else if ("none".equals(choice.asText(null))) {
            how = ToolUse.Choice.NONE;
        } else if ("required".equals(choice.asText(null))) {
            how = ToolUse.Choice.REQUIRED;
        } else if (choice.isObject() && "function".equals(choice.path("type").asText())
                && choice.path("function").path("name").isTextual()) {
            String name = choice.path("function").path("name").asText();
            if (!names.contains(name)) {
                throw new BadRequest("'tool_choice' names '" + name + "', which is not among the tools.", "tool_choice");
            }
            how = ToolUse.Choice.FUNCTION;
            only = java.util.Optional.of(name);
        } else {
            throw new BadRequest("'tool_choice' must be auto, none, required or {\"type\": \"function\", \"function\": "
                    + "{\"name\": ...}}.", "tool_choice");
        }
        return new ToolUse(functions, how, only, !parallel.isBoolean() || parallel.booleanValue());
    }

    /**
     * {@code response_format}: {@code {"type": "text"}}, {@code {"type": "json_object"}} or
     * {@code {"type": "json_schema", "json_schema": {"name", "schema", "strict"}}}. A schema is checked here,
     * so one with a keyword the decoder cannot enforce gets a 400 naming it before any model loads.
     */
    static ResponseFormat responseFormat(JsonNode format) {
        if (format.isMissingNode() || format.isNull()) {
            return ResponseFormat.TEXT;
        }
        if (!format.isObject() || !format.path("type").isTextual()) {
            throw new BadRequest("'response_format' must be an object with a 'type': text, json_object or json_schema.",
                    "response_format");
        }
        switch (format.path("type").asText()) {
            case "text":
                return ResponseFormat.TEXT;
            case "json_object":
                return ResponseFormat.JSON_OBJECT;
            case "json_schema":
                JsonNode schema = format.path("json_schema").path("schema");
                if (!schema.isObject()) {
                    throw new BadRequest("'response_format.json_schema.schema' must be a JSON schema object.",
                            "response_format");
                }
                try {
                    Schema.compile(schema);
                } catch (SchemaException e) {
                    throw new BadRequest(e.getMessage(), "response_format");
                }
                return ResponseFormat.jsonSchema(schema.toString());
            default:
                throw new BadRequest("'response_format.type' must be text, json_object or json_schema, not '"
                        + format.path("type").asText() + "'.", "response_format");
        }
    }

    private static double orZero(Double d) {
        return d == null ? 0 : d;
    }

    /** {"token id": bias}: ids as decimal strings, biases numbers (checked by LogitAdjustments). */
    private static Map<Integer, Double> logitBias(JsonNode bias) {
        if (bias.isMissingNode() || bias.isNull()) {
            return Map.of();
        }
        if (!bias.isObject()) {
            throw new BadRequest("'logit_bias' must be an object of token ids to numbers.", "logit_bias");
        }
        if (bias.size() > MAX_LOGIT_BIAS) {
            throw new BadRequest("'logit_bias' takes at most " + MAX_LOGIT_BIAS + " tokens.", "logit_bias");
        }
        Map<Integer, Double> out = new java.util.HashMap<>();
        for (Map.Entry<String, JsonNode> e : bias.properties()) {
            int id;
            try {
                id = Integer.parseInt(e.getKey());
            } catch (NumberFormatException notId) {
                throw new BadRequest("'logit_bias' keys must be token ids, not '" + e.getKey() + "'.", "logit_bias");
            }
            if (!e.getValue().isNumber()) {
                throw new BadRequest("'logit_bias' values must be numbers.", "logit_bias");
            }
            out.put(id, e.getValue().asDouble());
        }
        return out;
    }

    /** The most token ids a logit_bias may name. */
    static final int MAX_LOGIT_BIAS = 1024;

    private static boolean bool(JsonNode body, String field) {
        JsonNode n = body.path(field);
        if (n.isMissingNode() || n.isNull()) {
            return false;
        }
        if (!n.isBoolean()) {
            throw new BadRequest("'" + field + "' must be true or false.", field);
        }
        return n.asBoolean();
    }

    /** A token limit: an integer of 1 or more; one beyond what an int holds means "as many as fit". */
    private static Integer tokenCount(JsonNode body, String field) {
        JsonNode n = body.path(field);
        if (n.isIntegralNumber() && !n.canConvertToInt() && n.bigIntegerValue().signum() > 0) {
            return Integer.MAX_VALUE;
        }
        return integer(body, field);
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
            } else if ((content.isNull() || content.isMissingNode()) && m.path("tool_calls").isArray()) {
                text = null; // None, as transformers passes it: templates test it (DeepSeek's writes an empty turn for "")
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
        return reason == FinishReason.LENGTH ? "length" : reason == FinishReason.TOOL_CALLS ? "tool_calls" : "stop";
    }

    /** A non-streaming {@code chat.completion}. */
    static ObjectNode completion(String id, long created, String model, GenerationResult result) {
        ObjectNode root = JSON.createObjectNode();
        root.put("id", id).put("object", "chat.completion").put("created", created).put("model", model);
        ObjectNode choice = root.putArray("choices").addObject();
        choice.put("index", 0);
        ObjectNode message = choice.putObject("message");
        message.put("role", "assistant");
        if (result.toolCalls().isEmpty() || !result.answer().isEmpty()) {
            message.put("content", result.answer());
        } else {
            message.putNull("content");
        }
        if (!result.toolCalls().isEmpty()) {
            com.fasterxml.jackson.databind.node.ArrayNode calls = message.putArray("tool_calls");
            result.toolCalls().forEach(c -> call(calls.addObject(), c));
        }
        if (!result.reasoning().isEmpty()) {
            message.put("reasoning_content", result.reasoning());
        }
        if (result.logprobs().isEmpty()) {
            choice.putNull("logprobs");
        } else {
            choice.set("logprobs", logprobs(result));
        }
        choice.put("finish_reason", finishReason(result.finishReason()));
        root.set("usage", usage(result));
        return root;
    }

    /** A call as OpenAI writes it: {"id", "type": "function", "function": {"name", "arguments"}}. */
    private static ObjectNode call(ObjectNode node, io.kaiyuan.engine.api.ToolCall c) {
        node.put("id", c.id()).put("type", "function");
        node.putObject("function").put("name", c.name()).put("arguments", c.arguments());
        return node;
    }

    /** A stream's delta for a whole call: {"tool_calls": [{"index", "id", "type", "function"}]}. */
    static ObjectNode toolCallDelta(int index, io.kaiyuan.engine.api.ToolCall c) {
        ObjectNode delta = JSON.createObjectNode();
        call(delta.putArray("tool_calls").addObject().put("index", index), c);
        return delta;
    }

    /** OpenAI's {"content": [{token, logprob, bytes, top_logprobs}]} for the generated tokens. */
    static ObjectNode logprobs(GenerationResult result) {
        ObjectNode root = JSON.createObjectNode();
        com.fasterxml.jackson.databind.node.ArrayNode content = root.putArray("content");
        for (TokenLogprob t : result.logprobs()) {
            ObjectNode one = token(content.addObject(), t.text(), t.logprob());
            com.fasterxml.jackson.databind.node.ArrayNode top = one.putArray("top_logprobs");
            for (TokenLogprob.Alternative a : t.top()) {
                token(top.addObject(), a.text(), a.logprob());
            }
        }
        root.putNull("refusal");
        return root;
    }

    /** A token's text, log probability and UTF-8 bytes (null for a token holding part of a character). */
    private static ObjectNode token(ObjectNode node, String text, double logprob) {
        node.put("token", text).put("logprob", Double.isFinite(logprob) ? logprob : -9999.0);
        if (text.indexOf('\uFFFD') >= 0) {
            node.putNull("bytes");
        } else {
            com.fasterxml.jackson.databind.node.ArrayNode bytes = node.putArray("bytes");
            for (byte b : text.getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
                bytes.add(b & 0xff);
            }
        }
        return node;
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
