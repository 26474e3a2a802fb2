package io.kaiyuan.engine.template;

import io.kaiyuan.engine.api.ModelLoadException;
import io.kaiyuan.engine.model.ModelFolder;
import io.kaiyuan.engine.tokenize.Tokenizer;
import java.util.Optional;

/** Finds the chat template for a model folder. */
public final class ChatTemplates {
    private ChatTemplates() {}

    /**
     * The template of a model, or empty when it has none that Kaiyuan can render yet. Qwen-family
     * tokenizers (those with {@code <|im_start|>} and {@code <|im_end|>} tokens) use ChatML.
     */
    public static Optional<ChatTemplate> forModel(ModelFolder folder, Tokenizer tokenizer) {
        if (tokenizer.tokenId("<|im_start|>") >= 0 && tokenizer.tokenId("<|im_end|>") >= 0) {
            return Optional.of(new ChatMlTemplate());
        }
        return Optional.empty();
    }

    /** The template, or a clear error telling the user to pass --raw. */
    public static ChatTemplate require(ModelFolder folder, Tokenizer tokenizer) {
        return forModel(folder, tokenizer).orElseThrow(() -> new ModelLoadException(folder.dir()
                + " has no chat template Kaiyuan can render (it is not a ChatML/Qwen-family tokenizer):"
                + " use --raw to send the prompt text as it is."));
    }
}
