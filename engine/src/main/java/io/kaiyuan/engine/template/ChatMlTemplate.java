package io.kaiyuan.engine.template;

import io.kaiyuan.engine.api.ChatMessage;
import java.util.List;

/**
 * ChatML, the format of the Qwen family: {@code <|im_start|>role\ncontent<|im_end|>\n} per message and
 * {@code <|im_start|>assistant\n} as the generation prompt. Used for Qwen-family folders until the
 * models' own Jinja templates are rendered.
 */
public final class ChatMlTemplate implements ChatTemplate {
    @Override
    public String render(List<ChatMessage> messages, boolean addGenerationPrompt) {
        StringBuilder out = new StringBuilder();
        for (ChatMessage m : messages) {
            out.append("<|im_start|>").append(m.role()).append('\n').append(m.content()).append("<|im_end|>\n");
        }
        if (addGenerationPrompt) {
            out.append("<|im_start|>assistant\n");
        }
        return out.toString();
    }
}
