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
    }

    /** "<model>'s chat template is too deep: it nests more than 100 levels deep". */
    private static ChatTemplateException tooCostly(String modelName, TemplateLimitException e) {
        return new ChatTemplateException(modelName + "'s chat template is too " + e.kind().word() + ": "
                + e.getMessage(), e, true);
    }

    @Override
    public String render(List<ChatMessage> messages, boolean addGenerationPrompt, Map<String, Object> variables) {
        Map<String, Object> context = new LinkedHashMap<>(specialTokens);
        List<Object> list = new ArrayList<>();
        for (ChatMessage m : messages) {
            Map<String, Object> message = new LinkedHashMap<>();
            message.put("role", m.role());
            message.put("content", m.content());
            message.putAll(m.extra());
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
