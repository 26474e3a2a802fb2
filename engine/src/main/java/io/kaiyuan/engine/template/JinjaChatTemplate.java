package io.kaiyuan.engine.template;

import io.kaiyuan.engine.api.ChatMessage;
import io.kaiyuan.engine.template.jinja.JinjaTemplate;
import io.kaiyuan.engine.template.jinja.TemplateException;
import io.kaiyuan.engine.template.jinja.TemplateLimitException;
import io.kaiyuan.engine.template.jinja.TemplateLimits;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A model's own Jinja chat template, rendered with the context transformers' apply_chat_template
 * passes: {@code messages}, {@code add_generation_prompt}, the special tokens of tokenizer_config.json
 * (bos_token, eos_token, ...), and extra variables such as {@code enable_thinking}.
 */
public final class JinjaChatTemplate implements ChatTemplate {
    private final String modelName;
    private final JinjaTemplate template;
    private final Map<String, Object> specialTokens;
    private final Clock clock;
    /** Whether the template writes tool-call arguments with tojson, so it expects them as an object. */
    private final boolean argumentsAsObject;

    JinjaChatTemplate(String modelName, String source, Map<String, Object> specialTokens, Clock clock) {
        this.modelName = modelName;
        try {
            this.template = JinjaTemplate.compile(source, TemplateLimits.DEFAULT);
        } catch (TemplateLimitException e) {
            throw tooCostly(modelName, e);
        } catch (TemplateException e) {
            throw new ChatTemplateException(modelName + "'s chat template cannot be parsed: " + e.getMessage(), e);
        }
        this.specialTokens = Map.copyOf(specialTokens);
        this.clock = clock;
        this.argumentsAsObject = ARGUMENTS_TOJSON.matcher(source).find();
    }

    private static final java.util.regex.Pattern ARGUMENTS_TOJSON =
            java.util.regex.Pattern.compile("arguments\\s*\\|\\s*tojson");
    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();

    /**
     * OpenAI clients send a tool call's arguments as JSON text; templates written for transformers (Qwen's)
     * write them with tojson and expect an object. The text becomes the object it holds when it is a JSON
     * object; templates that concatenate the text (DeepSeek's) get it unchanged.
     */
    private static List<Object> argumentsParsed(List<?> calls) {
        List<Object> out = new ArrayList<>();
        for (Object call : calls) {
            if (call instanceof Map<?, ?> c && c.get("function") instanceof Map<?, ?> f
                    && f.get("arguments") instanceof String text) {
                Object parsed = null;
                try {
                    com.fasterxml.jackson.databind.JsonNode node = JSON.readTree(text);
                    if (node != null && node.isObject()) {
                        parsed = JSON.convertValue(node, Map.class);
                    }
                } catch (com.fasterxml.jackson.core.JsonProcessingException notJson) {
                    // kept as the text it is
                }
                if (parsed != null) {
                    Map<Object, Object> function = new LinkedHashMap<>(f);
                    function.put("arguments", parsed);
                    Map<Object, Object> copy = new LinkedHashMap<>(c);
                    copy.put("function", function);
                    out.add(copy);
                    continue;
                }
            }
            out.add(call);
        }
        return out;
    }

    /** "<model>'s chat template is too deep: it nests more than 100 levels deep". */
    private static ChatTemplateException tooCostly(String modelName, TemplateLimitException e) {
        return new ChatTemplateException(modelName + "'s chat template is too " + e.kind().word() + ": "
                + e.getMessage(), e, true);
    }

    @Override
    public String render(List<ChatMessage> messages, boolean addGenerationPrompt, Map<String, Object> variables) {
        boolean noContent = messages.stream().anyMatch(m -> m.content() == null);
        try {
            return render(messages, addGenerationPrompt, variables, false);
        } catch (ChatTemplateException e) {
            if (!noContent || e.pastLimits()) {
                throw e;
            }
            // a template that cannot take None (it adds the content to text): an empty text, as llama.cpp gives it
            return render(messages, addGenerationPrompt, variables, true);
        }
    }

    /** @param emptyForNone whether a message without content gets "" rather than None */
    private String render(List<ChatMessage> messages, boolean addGenerationPrompt, Map<String, Object> variables,
            boolean emptyForNone) {
        Map<String, Object> context = new LinkedHashMap<>(specialTokens);
        List<Object> list = new ArrayList<>();
        for (ChatMessage m : messages) {
            Map<String, Object> message = new LinkedHashMap<>();
            message.put("role", m.role());
            message.put("content", m.content() == null && emptyForNone ? "" : m.content());
            message.putAll(m.extra());
            if (argumentsAsObject && message.get("tool_calls") instanceof List<?> calls) {
                message.put("tool_calls", argumentsParsed(calls));
            }
            list.add(message);
        }
        context.put("messages", list);
        context.put("add_generation_prompt", addGenerationPrompt);
        context.putAll(variables);
        try {
            return template.render(context, clock, TemplateLimits.DEFAULT);
        } catch (TemplateLimitException e) {
            throw tooCostly(modelName, e);
        } catch (TemplateException e) {
            throw new ChatTemplateException(modelName + "'s chat template failed: " + e.getMessage(), e);
        }
    }
}
