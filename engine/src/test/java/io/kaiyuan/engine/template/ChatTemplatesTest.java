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
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChatTemplatesTest {
    private static final ObjectMapper JSON = new ObjectMapper();
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
    void qwen3TemplateRendersWithThinkingOnByDefaultAndOffOnRequest(@TempDir Path dir) throws Exception {
        ModelFolder folder = ModelFolder.open(TestModels.withTokenizer(TinyQwen.qwen2(), dir));
        ChatTemplate template = ChatTemplates.require(folder);
        List<ChatMessage> messages = List.of(ChatMessage.system("S"), ChatMessage.user("U"));
        assertEquals("<|im_start|>system\nS<|im_end|>\n<|im_start|>user\nU<|im_end|>\n<|im_start|>assistant\n",
                template.render(messages, true));
        assertEquals("<|im_start|>system\nS<|im_end|>\n<|im_start|>user\nU<|im_end|>\n<|im_start|>assistant\n"
                + "<think>\n\n</think>\n\n", template.render(messages, true, java.util.Map.of("enable_thinking", false)));
        assertEquals("<|im_start|>system\nS<|im_end|>\n<|im_start|>user\nU<|im_end|>\n", template.render(messages, false));
    }

    @Test
    void aFineTuneIsRenderedWithItsOwnTemplateAndSpecialTokens(@TempDir Path dir) throws Exception {
        String deepSeekLike = "{{ bos_token }}{% for m in messages %}<｜User｜>{{ m['content'] }}{% endfor %}"
                + "{% if add_generation_prompt %}<｜Assistant｜><think>\n{% endif %}";
        ModelFolder folder = folderWithTemplate(dir, deepSeekLike);
        ObjectNode config = (ObjectNode) JSON.readTree(dir.resolve("tokenizer_config.json").toFile());
        config.putObject("bos_token").put("__type", "AddedToken").put("content", "<｜begin▁of▁sentence｜>");
        JSON.writeValue(dir.resolve("tokenizer_config.json").toFile(), config);
        ChatTemplate template = ChatTemplates.require(ModelFolder.open(dir));
        assertEquals("<｜begin▁of▁sentence｜><｜User｜>你好<｜Assistant｜><think>\n",
                template.render(List.of(ChatMessage.user("你好")), true));
    }

    @Test
    void raiseExceptionBecomesAClearErrorNamingTheModel(@TempDir Path dir) throws Exception {
        ModelFolder folder = folderWithTemplate(dir, "{{ raise_exception('Conversation roles must alternate') }}");
        ChatTemplateException e = assertThrows(ChatTemplateException.class,
                () -> ChatTemplates.require(folder).render(List.of(ChatMessage.user("x")), true));
        assertEquals(dir.getFileName() + "'s chat template failed: Conversation roles must alternate", e.getMessage());
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
    void aModelWithoutATemplateGetsAClearError(@TempDir Path dir) throws Exception {
        ModelFolder folder = folderWithTemplate(dir, null);
        assertTrue(ChatTemplates.forModel(folder).isEmpty());
        ModelLoadException e = assertThrows(ModelLoadException.class, () -> ChatTemplates.require(folder));
        assertTrue(e.getMessage().contains("no chat template") && e.getMessage().contains("--raw"), e.getMessage());
    }
}
