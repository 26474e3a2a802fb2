package io.kaiyuan.engine.tools;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.kaiyuan.engine.api.ChatMessage;
import io.kaiyuan.engine.constrain.CallSection;
import io.kaiyuan.engine.constrain.Schema;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/** How a model writes tool calls, as its chat template shows them. */
public enum ToolCallFormat {
    /**
     * Hermes-style, as Qwen2.5, Qwen2.5-Coder and Qwen3 write them:
     * {@code <tool_call>\n{"name": ..., "arguments": {...}}\n</tool_call>}, one block per call.
     */
    HERMES("<tool_call>", "</tool_call>") {
        @Override
        public CallSection section(List<String> names, List<Schema> parameters, boolean parallel) {
            return CallSection.hermes(open(), close(), Schema.toolCall(names, parameters));
        }

        @Override
        List<Written> parse(String body) {
            JsonNode call = json(body);
            if (call == null || !call.isObject() || !call.path("name").isTextual() || !call.path("arguments").isObject()) {
                return null;
            }
            return List.of(new Written(call.path("name").asText(), call.path("arguments")));
        }

        @Override
        String example() {
            return open() + "\n{\"name\": \"NAME\", \"arguments\": {ARGUMENTS}}\n" + close();
        }
    },

    /**
     * DeepSeek's (its R1 distills' templates): all calls in one block,
     * {@code <｜tool▁calls▁begin｜><｜tool▁call▁begin｜>function<｜tool▁sep｜>NAME\n```json\n{...}\n```<｜tool▁call▁end｜>}
     * per call, a line break between calls, {@code <｜tool▁calls▁end｜>} after the last.
     */
    DEEPSEEK("<｜tool▁calls▁begin｜>", "<｜tool▁calls▁end｜>") {
        private static final String CALL_BEGIN = "<｜tool▁call▁begin｜>";
        private static final String CALL_END = "<｜tool▁call▁end｜>";
        private static final String FUNCTION = "function<｜tool▁sep｜>";
        private static final String ARGS_BEGIN = "\n```json\n";
        private static final String ARGS_END = "\n```" + CALL_END;

        @Override
        public CallSection section(List<String> names, List<Schema> parameters, boolean parallel) {
            return CallSection.namedCalls(open(), CALL_BEGIN + FUNCTION, ARGS_BEGIN, ARGS_END, "\n", close(), names, parameters,
                    parallel);
        }

        @Override
        List<Written> parse(String body) {
            List<Written> out = new ArrayList<>();
            String rest = body.strip();
            while (!rest.isEmpty()) {
                if (!rest.startsWith(CALL_BEGIN + FUNCTION)) {
                    return null;
                }
                int end = rest.indexOf(CALL_END);
                if (end < 0) {
                    return null;
                }
                String call = rest.substring((CALL_BEGIN + FUNCTION).length(), end);
                rest = rest.substring(end + CALL_END.length()).strip();
                int line = call.indexOf('\n');
                if (line <= 0) {
                    return null;
                }
                String name = call.substring(0, line).strip();
                String args = call.substring(line + 1).strip();
                if (!args.startsWith("```json") || !args.endsWith("```") || args.length() < "```json```".length()) {
                    return null;
                }
                JsonNode arguments = json(args.substring("```json".length(), args.length() - 3));
                if (arguments == null || !arguments.isObject() || name.isEmpty()) {
                    return null;
                }
                out.add(new Written(name, arguments));
            }
            return out.isEmpty() ? null : out;
        }

        @Override
        String example() {
            return open() + CALL_BEGIN + FUNCTION + "NAME" + ARGS_BEGIN + "{ARGUMENTS}" + ARGS_END + close();
        }
    };

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern TOOLS_VARIABLE = Pattern.compile("\\btools\\b");

    private final String open;
    private final String close;

    ToolCallFormat(String open, String close) {
        this.open = open;
        this.close = close;
    }

    /** The text that opens a model's calls. */
    public String open() {
        return open;
    }

    /** The text that closes them. */
    public String close() {
        return close;
    }

    /** How calls to {@code names} (with their {@code parameters}) are written, byte by byte, for the decoder to keep to. */
    public abstract CallSection section(List<String> names, List<Schema> parameters, boolean parallel);

    /** A call as the model wrote it: its name and arguments, not yet checked against the functions. */
    record Written(String name, JsonNode arguments) {}

    /** The calls between {@link #open} and {@link #close}, or null when the text is not calls of this format. */
    abstract List<Written> parse(String body);

    /** A call's shape with NAME and ARGUMENTS in place, to show a model that is told its tools by Kaiyuan. */
    abstract String example();

    /** The format a chat template's text writes calls in, if Kaiyuan reads it. */
    public static Optional<ToolCallFormat> of(String template) {
        for (ToolCallFormat f : values()) {
            if (template.contains(f.open) && template.contains(f.close)) {
                return Optional.of(f);
            }
        }
        return Optional.empty();
    }

    /**
     * Whether the template shows the model the functions it may call (the {@code tools} variable). DeepSeek's
     * R1 distills' templates write calls and results but never the functions.
     */
    public static boolean showsTools(String template) {
        return TOOLS_VARIABLE.matcher(template).find();
    }

    /**
     * For a template that does not show the functions: the conversation with them told in its system message
     * (the first message's text, or a new first one) — each function's name, description and parameters as
     * JSON, and how to call one in this format.
     *
     * @param tools the template's {@code tools} variable: OpenAI-style {@code {"type": "function", "function": {...}}}
     */
    public List<ChatMessage> withToolsTold(List<ChatMessage> messages, List<?> tools) {
        String listed;
        try {
            listed = JSON.copy().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(tools);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("the tools cannot be written as JSON: " + e.getOriginalMessage(), e);
        }
        String told = "You may call these functions to answer (each with its parameters' JSON schema):\n" + listed
                + "\n\nTo call one, write exactly this (NAME and ARGUMENTS, a JSON object, filled in), then stop:\n"
                + example() + "\nThe results come back in the next message; then answer the user.";
        List<ChatMessage> out = new ArrayList<>(messages);
        if (!out.isEmpty() && out.get(0).role().equals("system")) {
            ChatMessage system = out.get(0);
            out.set(0, new ChatMessage("system", (system.content() == null || system.content().isBlank() ? ""
                    : system.content().strip() + "\n\n") + told, system.extra()));
        } else {
            out.add(0, ChatMessage.system(told));
        }
        return out;
    }

    /**
     * For a template that writes no calls (GLM-Edge's): the conversation with each assistant turn that called
     * tools, the {@code tool} results after it and the answer after them made into one assistant turn of text
     * ("[called NAME ARGUMENTS]", "[NAME answered: RESULT]"), so that the model still reads what happened; the
     * conversation as it is when it holds no calls.
     */
    public static List<ChatMessage> callsAsText(List<ChatMessage> messages) {
        boolean any = messages.stream().anyMatch(m -> m.role().equals("tool") || m.extra().containsKey("tool_calls"));
        if (!any) {
            return messages;
        }
        List<ChatMessage> out = new ArrayList<>();
        StringBuilder pending = null; // an assistant turn being gathered
        for (ChatMessage m : messages) {
            boolean calls = m.role().equals("assistant") && m.extra().get("tool_calls") instanceof List<?>;
            boolean result = m.role().equals("tool");
            if (calls || result || m.role().equals("assistant") && pending != null) {
                if (pending == null) {
                    pending = new StringBuilder();
                }
                if (result) {
                    Object name = m.extra().get("name");
                    String text = m.content() == null ? "" : m.content();
                    append(pending, "[" + (name == null ? "tool" : name) + " answered: " + text + "]");
                } else {
                    append(pending, m.content() == null ? "" : m.content());
                }
                if (calls) {
                    for (Object c : (List<?>) m.extra().get("tool_calls")) {
                        append(pending, "[called " + callText(c) + "]");
                    }
                }
                if (!calls && !result) { // the answer after the results: the turn is whole
                    out.add(new ChatMessage("assistant", pending.toString(), Map.of()));
                    pending = null;
                }
                continue;
            }
            if (pending != null) {
                out.add(new ChatMessage("assistant", pending.toString(), Map.of()));
                pending = null;
            }
            out.add(m);
        }
        if (pending != null) {
            out.add(new ChatMessage("assistant", pending.toString(), Map.of()));
        }
        return out;
    }

    private static void append(StringBuilder turn, String text) {
        if (!text.isBlank()) {
            turn.append(turn.length() == 0 ? "" : "\n\n").append(text.strip());
        }
    }

    /** "NAME ARGUMENTS" of an OpenAI-style call. */
    private static String callText(Object call) {
        if (call instanceof Map<?, ?> c && c.get("function") instanceof Map<?, ?> f) {
            Object arguments = f.get("arguments");
            String args;
            try {
                args = arguments instanceof String text ? text : JSON.writeValueAsString(arguments);
            } catch (JsonProcessingException e) {
                args = String.valueOf(arguments);
            }
            return f.get("name") + " " + args;
        }
        return String.valueOf(call);
    }

    private static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (JsonProcessingException e) {
            return null;
        }
    }
}
