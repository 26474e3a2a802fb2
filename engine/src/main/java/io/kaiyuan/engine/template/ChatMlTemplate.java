package io.kaiyuan.engine.template;

import io.kaiyuan.engine.api.ChatMessage;
import java.util.List;
import java.util.Map;

/**
 * ChatML, the format of the Qwen family: {@code <|im_start|>role\ncontent<|im_end|>\n} per message and
 * {@code <|im_start|>assistant\n} as the generation prompt. Kept for callers that need a fixed format;
 * models are rendered with their own template ({@link JinjaChatTemplate}).
 */
public final class ChatMlTemplate implements ChatTemplate {
    @Override
    public String render(List<ChatMessage> messages, boolean addGenerationPrompt, Map<String, Object> variables) {
        StringBuilder out = new StringBuilder();
        for (ChatMessage m : messages) {
            out.append("<|im_start|>").append(m.role()).append('\n').append(m.content() == null ? "" : m.content())
                    .append("<|im_end|>\n");
        }
        if (addGenerationPrompt) {
            out.append("<|im_start|>assistant\n");
        }
        return out.toString();
    }
}
