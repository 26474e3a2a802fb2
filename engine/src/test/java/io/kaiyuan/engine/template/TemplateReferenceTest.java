package io.kaiyuan.engine.template;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kaiyuan.engine.api.ChatMessage;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The catalog models' templates from {@code ../shared/reference/hub/chat-templates} (each with its
 * provenance there), rendered in a folder that holds only the tokenizer files, as transformers'
 * apply_chat_template needs. Fails (never skips) when the reference is missing.
 */
class TemplateReferenceTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** llama.cpp's standard test conversation. */
    private static final List<ChatMessage> CONVERSATION = List.of(ChatMessage.system("You are a helpful assistant"),
            ChatMessage.user("Hello"), ChatMessage.assistant("Hi there"), ChatMessage.user("Who are you"),
            ChatMessage.assistant("   I am an assistant   "), ChatMessage.user("Another question"));

    @TempDir
    Path dir;

    private static String reference(String name) throws Exception {
        Path templates = io.kaiyuan.engine.testing.Reference.dir().resolve("hub/chat-templates");
        return Files.readString(templates.resolve(name), StandardCharsets.UTF_8);
    }

    /** A folder with only tokenizer_config.json: the template and the special tokens. */
    private ChatTemplate tokenizerOnly(String name, String template, Map<String, String> tokens) throws Exception {
        Path folder = Files.createDirectories(dir.resolve(name));
        Map<String, Object> config = new java.util.LinkedHashMap<>(tokens);
        config.put("chat_template", template);
        JSON.writeValue(folder.resolve("tokenizer_config.json").toFile(), config);
        return ChatTemplates.forFolder(folder).orElseThrow();
    }

    private static String sha256(String text) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void qwenCoderUsesTheQwen25TemplateByteForByte() throws Exception {
        String coder = reference("Qwen__Qwen2.5-Coder-Instruct.jinja");
        assertEquals("cd8e9439f0570856fd70470bf8889ebd8b5d1107207f67a5efb46e342330527f", sha256(coder));
        JsonNode qwen25 = corpusCase("Qwen/Qwen2.5-7B-Instruct");
        assertEquals(qwen25.get("chat_template").asText(), coder, "the same text as Qwen2.5-Instruct's");
        @SuppressWarnings("unchecked")
        Map<String, Object> context = JSON.convertValue(qwen25.get("context"), Map.class);
        List<ChatMessage> messages = new java.util.ArrayList<>();
        for (Object m : (List<?>) context.get("messages")) {
            Map<String, Object> extra = new java.util.LinkedHashMap<>();
            ((Map<?, ?>) m).forEach((k, v) -> extra.put((String) k, v));
            String role = (String) extra.remove("role");
            String content = (String) extra.remove("content");
            messages.add(new ChatMessage(role, content, extra));
        }
        Map<String, Object> variables = new java.util.LinkedHashMap<>(context);
        variables.remove("messages");
        boolean generationPrompt = Boolean.TRUE.equals(variables.remove("add_generation_prompt"));
        ChatTemplate template = tokenizerOnly("coder", coder, Map.of());
        assertEquals(qwen25.get("expected").asText(), template.render(messages, generationPrompt, variables),
                "renders as Hugging Face's reference renderer does for Qwen2.5");
    }

    @Test
    void glmEdgeRendersAsLlamaCppRecordsIt() throws Exception {
        String glm = reference("llama.cpp-test__THUDM__glm-edge-chat.GLMEdge.jinja");
        assertEquals("a9c589805d7f938243951f7c505250e31adbd19c99851a3651bc3d832612288c", sha256(glm));
        ChatTemplate template = tokenizerOnly("glm-edge", glm, Map.of());
        assertEquals("<|system|>\nYou are a helpful assistant<|user|>\nHello<|assistant|>\nHi there<|user|>\nWho are you"
                + "<|assistant|>\n   I am an assistant   <|user|>\nAnother question<|assistant|>",
                template.render(CONVERSATION, true));
    }

    @Test
    void deepSeekR1DistillRendersItsConversationAndToolCalls() throws Exception {
        String r1 = reference("llama.cpp__deepseek-ai-DeepSeek-R1-Distill-Qwen-32B.reformatted.jinja");
        assertEquals("03cb8191637dd031cf7dca8bffd267b741d0cb46ab490dc7e452f62f02184b02", sha256(r1));
        ChatTemplate template = tokenizerOnly("r1-distill", r1, Map.of("bos_token", "<｜begin▁of▁sentence｜>",
                "eos_token", "<｜end▁of▁sentence｜>"));
        assertEquals("<｜begin▁of▁sentence｜>You are a helpful assistant<｜User｜>Hello<｜Assistant｜>Hi there"
                + "<｜end▁of▁sentence｜><｜User｜>Who are you<｜Assistant｜>   I am an assistant   <｜end▁of▁sentence｜>"
                + "<｜User｜>Another question<｜Assistant｜><think>\n", template.render(CONVERSATION, true));
        // A tool call's arguments arrive as JSON text; this template concatenates them, so they stay text.
        List<ChatMessage> tools = List.of(ChatMessage.user("天气？"), new ChatMessage("assistant", "",
                Map.of("tool_calls", List.of(Map.of("type", "function", "function", Map.of("name", "get_weather",
                        "arguments", "{\"city\":\"北京\"}"))))), new ChatMessage("tool", "晴", Map.of()));
        assertEquals("<｜begin▁of▁sentence｜><｜User｜>天气？<｜Assistant｜><｜tool▁calls▁begin｜><｜tool▁call▁begin｜>function"
                + "<｜tool▁sep｜>get_weather\n```json\n{\"city\":\"北京\"}\n```<｜tool▁call▁end｜><｜tool▁calls▁end｜>"
                + "<｜end▁of▁sentence｜><｜Assistant｜><｜end▁of▁sentence｜><｜tool▁outputs▁begin｜><｜tool▁output▁begin｜>晴"
                + "<｜tool▁output▁end｜><｜tool▁outputs▁end｜>", template.render(tools, true));
    }

    @Test
    void qwen3FromTheReferenceIsTheCorpussTemplate() throws Exception {
        String qwen3 = reference("Qwen__Qwen3-0.6B.jinja");
        assertEquals("87a2728cb8dc9fe424d624542f6060ec05a1d285ebbec578bb078900e33396b5", sha256(qwen3));
        assertEquals(corpusCase("Qwen/Qwen3-0.6B").get("chat_template").asText(), qwen3);
    }

    private static JsonNode corpusCase(String name) throws Exception {
        try (InputStream in = TemplateReferenceTest.class.getResourceAsStream("/chat-templates/hf-jinja-e2e.json")) {
            for (JsonNode c : JSON.readTree(in).get("cases")) {
                if (c.get("name").asText().equals(name)) {
                    return c;
                }
            }
        }
        throw new AssertionError(name + " is in the corpus");
    }
}
