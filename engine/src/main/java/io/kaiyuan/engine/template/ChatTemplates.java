package io.kaiyuan.engine.template;

import com.fasterxml.jackson.databind.JsonNode;
import io.kaiyuan.engine.api.ModelLoadException;
import io.kaiyuan.engine.model.ModelFolder;
import io.kaiyuan.engine.tokenize.Tokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** Finds the chat template for a model folder. */
public final class ChatTemplates {
    private ChatTemplates() {}

    /**
     * The template of a model, or empty when it has none that Kaiyuan can render yet. ChatML is used for
     * Qwen-family models: a tokenizer with {@code <|im_start|>} and {@code <|im_end|>} tokens whose own
     * chat template (if it has one) is ChatML too. A fine-tune that keeps Qwen's tokens but brings a
     * template of its own (DeepSeek-R1 distills) is not rendered as ChatML.
     */
    public static Optional<ChatTemplate> forModel(ModelFolder folder, Tokenizer tokenizer) {
        boolean chatMlTokens = tokenizer.tokenId("<|im_start|>") >= 0 && tokenizer.tokenId("<|im_end|>") >= 0;
        Optional<String> own = ownTemplate(folder);
        if (chatMlTokens && own.map(t -> t.contains("<|im_start|>")).orElse(true)) {
            return Optional.of(new ChatMlTemplate());
        }
        return Optional.empty();
    }

    /** The model's Jinja template: chat_template.jinja, or chat_template in tokenizer_config.json. */
    static Optional<String> ownTemplate(ModelFolder folder) {
        Path file = folder.dir().resolve("chat_template.jinja");
        if (Files.isRegularFile(file)) {
            try {
                return Optional.of(Files.readString(file));
            } catch (IOException e) {
                throw new ModelLoadException(file + " cannot be read: " + e.getMessage(), e);
            }
        }
        JsonNode template = folder.tokenizerConfig().path("chat_template");
        if (template.isTextual()) {
            return Optional.of(template.asText());
        }
        if (template.isArray()) {
            for (JsonNode named : template) {
                if ("default".equals(named.path("name").asText())) {
                    return Optional.of(named.path("template").asText());
                }
            }
        }
        return Optional.empty();
    }

    /** The template, or a clear error telling the user to pass --raw. */
    public static ChatTemplate require(ModelFolder folder, Tokenizer tokenizer) {
        return forModel(folder, tokenizer).orElseThrow(() -> new ModelLoadException(folder.dir()
                + (ownTemplate(folder).isPresent()
                        ? " has a chat template that is not ChatML, which Kaiyuan cannot render yet:"
                        : " has no chat template and is not a ChatML (Qwen-family) model:")
                + " use --raw to send the prompt text as it is."));
    }
}
