package io.kaiyuan.engine.template;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kaiyuan.engine.api.ChatMessage;
import io.kaiyuan.engine.api.ModelLoadException;
import io.kaiyuan.engine.model.ModelFolder;
import io.kaiyuan.engine.testing.TestModels;
import io.kaiyuan.engine.testing.TinyQwen;
import io.kaiyuan.engine.tokenize.Tokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChatTemplatesTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static Tokenizer tokenizer;

    @BeforeAll
    static void load() {
        tokenizer = Tokenizer.load(TestModels.qwenTokenizerDir());
    }

    @AfterAll
    static void close() {
        tokenizer.close();
    }

    private static ModelFolder folderWithTemplate(Path dir, Object template) throws Exception {
        TestModels.withTokenizer(TinyQwen.qwen2(), dir);
        ObjectNode config = (ObjectNode) JSON.readTree(dir.resolve("tokenizer_config.json").toFile());
        if (template == null) {
            config.remove("chat_template");
        } else {
            config.set("chat_template", JSON.valueToTree(template));
        }
        JSON.writeValue(dir.resolve("tokenizer_config.json").toFile(), config);
        return ModelFolder.open(dir);
    }

    @Test
    void qwenTemplateIsRenderedAsChatMl(@TempDir Path dir) throws Exception {
        ModelFolder folder = ModelFolder.open(TestModels.withTokenizer(TinyQwen.qwen2(), dir));
        assertTrue(ChatTemplates.ownTemplate(folder).orElseThrow().contains("<|im_start|>"));
        ChatTemplate template = ChatTemplates.require(folder, tokenizer);
        assertEquals("<|im_start|>system\nS<|im_end|>\n<|im_start|>user\nU<|im_end|>\n<|im_start|>assistant\n",
                template.render(List.of(ChatMessage.system("S"), ChatMessage.user("U")), true));
    }

    @Test
    void aFineTuneWithItsOwnTemplateIsNotRenderedAsChatMl(@TempDir Path dir) throws Exception {
        String deepSeekLike = "{% for m in messages %}<｜User｜>{{ m['content'] }}{% endfor %}<｜Assistant｜><think>\\n";
        ModelFolder folder = folderWithTemplate(dir, deepSeekLike);
        ModelLoadException e = assertThrows(ModelLoadException.class, () -> ChatTemplates.require(folder, tokenizer));
        assertTrue(e.getMessage().contains("not ChatML") && e.getMessage().contains("--raw"), e.getMessage());
    }

    @Test
    void namedTemplatesUseTheDefaultOneAndAJinjaFileTakesPrecedence(@TempDir Path dir) throws Exception {
        ModelFolder folder = folderWithTemplate(dir, List.of(
                java.util.Map.of("name", "tool_use", "template", "TOOLS"),
                java.util.Map.of("name", "default", "template", "<|im_start|>{{ x }}")));
        assertEquals("<|im_start|>{{ x }}", ChatTemplates.ownTemplate(folder).orElseThrow());
        Files.writeString(dir.resolve("chat_template.jinja"), "FROM FILE");
        assertEquals("FROM FILE", ChatTemplates.ownTemplate(folder).orElseThrow());
    }

    @Test
    void aChatMlTokenizerWithoutATemplateUsesChatMl(@TempDir Path dir) throws Exception {
        ModelFolder folder = folderWithTemplate(dir, null);
        assertTrue(ChatTemplates.forModel(folder, tokenizer).isPresent());
    }
}
