package io.kaiyuan.engine.template;

import com.fasterxml.jackson.databind.JsonNode;
import io.kaiyuan.engine.api.ModelLoadException;
import io.kaiyuan.engine.model.ModelFolder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** Finds the chat template for a model folder. */
public final class ChatTemplates {
    private ChatTemplates() {}

    /**
     * The model's own template (chat_template.jinja, or chat_template in tokenizer_config.json, the
     * {@code default} one of a list), or empty when it has none.
     */
    public static Optional<ChatTemplate> forModel(ModelFolder folder) {
        return ownTemplate(folder.dir(), folder.tokenizerConfig()).map(source -> new JinjaChatTemplate(folder.name(),
                source, specialTokens(folder.tokenizerConfig()), Clock.systemDefaultZone()));
    }

    /**
     * The template of any folder holding a model's tokenizer files, as transformers' apply_chat_template
     * needs them: {@code tokenizer_config.json} (its chat_template and special tokens) and an optional
     * {@code chat_template.jinja}; no config or graph is read. Empty when the folder has no template.
     *
     * @throws ModelLoadException when the folder or its tokenizer_config.json is missing or unreadable
     */
    public static Optional<ChatTemplate> forFolder(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new ModelLoadException("No model folder at " + dir + ": give a folder that holds tokenizer_config.json.");
        }
        Path file = dir.resolve("tokenizer_config.json");
        com.fasterxml.jackson.databind.JsonNode config;
        if (Files.isRegularFile(file)) {
            try {
                config = JSON.readTree(file.toFile());
            } catch (IOException e) {
                throw new ModelLoadException(file + " is not valid JSON: " + e.getMessage(), e);
            }
            if (config == null || !config.isObject()) {
                throw new ModelLoadException(file + " is not a JSON object.");
            }
        } else if (Files.isRegularFile(dir.resolve("chat_template.jinja"))) {
            config = JSON.createObjectNode();
        } else {
            throw new ModelLoadException("tokenizer_config.json is missing in " + dir
                    + ": download it from the model's repository.");
        }
        JsonNode tokenizerConfig = config;
        return ownTemplate(dir, tokenizerConfig).map(source -> new JinjaChatTemplate(ModelFolder.displayName(dir),
                source, specialTokens(tokenizerConfig), Clock.systemDefaultZone()));
    }

    /** {@link #forFolder}, or a clear error telling the user to pass --raw. */
    public static ChatTemplate requireInFolder(Path dir) {
        return forFolder(dir).orElseThrow(() -> noTemplate(dir));
    }

    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();

    /**
     * The special tokens transformers passes to templates, from tokenizer_config.json: strings, or
     * {"__type": "AddedToken", "content": ...} objects.
     */
    static Map<String, Object> specialTokens(JsonNode tokenizerConfig) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (String name : new String[] {"bos_token", "eos_token", "unk_token", "pad_token", "sep_token", "cls_token",
                "mask_token"}) {
            JsonNode token = tokenizerConfig.path(name);
            if (token.isTextual()) {
                out.put(name, token.asText());
            } else if (token.isObject() && token.path("content").isTextual()) {
                out.put(name, token.get("content").asText());
            }
        }
        return out;
    }

    /** The model's Jinja template: chat_template.jinja, or chat_template in tokenizer_config.json. */
    static Optional<String> ownTemplate(ModelFolder folder) {
        return ownTemplate(folder.dir(), folder.tokenizerConfig());
    }

    private static Optional<String> ownTemplate(Path dir, JsonNode tokenizerConfig) {
        Path file = dir.resolve("chat_template.jinja");
        if (Files.isRegularFile(file)) {
            try {
                return Optional.of(Files.readString(file));
            } catch (IOException e) {
                throw new ModelLoadException(file + " cannot be read: " + e.getMessage(), e);
            }
        }
        JsonNode template = tokenizerConfig.path("chat_template");
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

    /**
     * Whether the model's template reads {@code enable_thinking} (Qwen3's thinking switch), so a caller
     * can offer to turn thinking off. Reads the folder's files.
     */
    public static boolean hasThinkingSwitch(ModelFolder folder) {
        return ownTemplate(folder).map(t -> t.contains("enable_thinking")).orElse(false);
    }

    /** The text of the model's own chat template, if it has one. Reads the folder's files. */
    public static Optional<String> templateText(ModelFolder folder) {
        return ownTemplate(folder);
    }

    /** The template, or a clear error telling the user to pass --raw. */
    public static ChatTemplate require(ModelFolder folder) {
        return forModel(folder).orElseThrow(() -> noTemplate(folder.dir()));
    }

    private static ModelLoadException noTemplate(Path dir) {
        return new ModelLoadException(dir + " has no chat template (no chat_template in tokenizer_config.json and no"
                + " chat_template.jinja): use --raw to send the prompt text as it is.");
    }
}
