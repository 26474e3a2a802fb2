package io.kaiyuan.engine.template;

import io.kaiyuan.engine.api.ChatMessage;
import java.util.List;

/** Renders chat messages into the prompt text a model was trained on. */
@FunctionalInterface
public interface ChatTemplate {
    /**
     * @param messages the conversation
     * @param addGenerationPrompt end with the opening of an assistant turn
     */
    String render(List<ChatMessage> messages, boolean addGenerationPrompt);
}
