package io.kaiyuan.engine.template;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kaiyuan.engine.api.ChatMessage;
import io.kaiyuan.engine.model.ModelFolder;
import io.kaiyuan.engine.testing.TestModels;
import io.kaiyuan.engine.testing.TinyQwen;
import io.kaiyuan.engine.tokenize.Tokenizer;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real Qwen3 template renders and tokenizes exactly as transformers.js apply_chat_template does
 * (expected texts recorded with bench/reference-prompt.mjs).
 */
class Qwen3ReferenceTest {
    @Test
    void promptsMatchTransformersJs(@TempDir Path dir) throws Exception {
        ModelFolder folder = ModelFolder.open(TestModels.withTokenizer(TinyQwen.qwen2(), dir));
        ChatTemplate template = ChatTemplates.require(folder);
        JsonNode root;
        try (InputStream in = getClass().getResourceAsStream("/chat-templates/qwen3-transformersjs.json")) {
            root = new ObjectMapper().readTree(in);
        }
        try (Tokenizer tokenizer = Tokenizer.load(folder.dir())) {
            for (JsonNode c : root.get("cases")) {
                List<ChatMessage> messages = new ArrayList<>();
                for (JsonNode m : c.get("messages")) {
                    @SuppressWarnings("unchecked")
                    Map<String, Object> extra = new ObjectMapper().convertValue(m, Map.class);
                    extra.remove("role");
                    extra.remove("content");
                    messages.add(new ChatMessage(m.get("role").asText(), m.get("content").asText(), extra));
                }
                Map<String, Object> variables = c.get("enable_thinking").isNull() ? Map.of()
                        : Map.of("enable_thinking", c.get("enable_thinking").asBoolean());
                String expected = c.get("expected").asText();
                String rendered = template.render(messages, true, variables);
                assertEquals(expected, rendered, c.get("name").asText());
                assertArrayEquals(tokenizer.encode(expected), tokenizer.encode(rendered));
            }
        }
    }
}
