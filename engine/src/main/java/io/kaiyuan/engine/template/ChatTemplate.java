package io.kaiyuan.engine.template;

import io.kaiyuan.engine.api.ChatMessage;
import java.util.List;
import java.util.Map;

/** Renders chat messages into the prompt text a model was trained on. */
@FunctionalInterface
public interface ChatTemplate {
    /**
     * @param messages the conversation
     * @param addGenerationPrompt end with the opening of an assistant turn
     * @param variables extra template variables, such as {@code enable_thinking}
     */
    String render(List<ChatMessage> messages, boolean addGenerationPrompt, Map<String, Object> variables);

    default String render(List<ChatMessage> messages, boolean addGenerationPrompt) {
        return render(messages, addGenerationPrompt, Map.of());
    }
}
