package io.kaiyuan.engine.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kaiyuan.engine.api.FinishReason;
import io.kaiyuan.engine.api.GenerationMetrics;
import io.kaiyuan.engine.api.SamplingOverrides;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ChatExportTest {
    private final Conversation conversation = new Conversation(7, "长江", Optional.of("deepseek-r1-distill-qwen-1.5b"), "Be brief.",
            SamplingOverrides.NONE, Instant.parse("2026-11-29T10:00:00Z"), Instant.parse("2026-11-29T10:05:00Z"));
    private final List<StoredMessage> messages = List.of(StoredMessage.user("长江有多长？"),
            StoredMessage.answer("约 6300 公里。", "用户问长江的长度。", "deepseek-r1-distill-qwen-1.5b", "q4",
                    new SamplingOverrides(0.6, null, 0.95, null, null, 7L),
                    new GenerationMetrics(20, 0, 42, 900, 120.4, 500, 31.25, 2500), FinishReason.STOP));

    @Test
    void markdownHasTheTitleEachMessageItsThinkingAndFigures() {
        String md = ChatExport.markdown(conversation, messages);
        assertTrue(md.startsWith("# 长江\n\nModel: deepseek-r1-distill-qwen-1.5b  \n"), md);
        assertTrue(md.contains("## System\n\nBe brief.\n\n## User\n\n长江有多长？\n\n"), md);
        assertTrue(md.contains("## Assistant (deepseek-r1-distill-qwen-1.5b, q4)\n\n<details><summary>Thinking (2.5 s)</summary>\n\n"
                + "用户问长江的长度。\n\n</details>\n\n约 6300 公里。\n\n_42 tokens · first token 120 ms · 31.3 tokens/s · stop_"), md);
    }

    @Test
    void jsonKeepsEveryStoredField() throws Exception {
        JsonNode json = new ObjectMapper().readTree(ChatExport.json(conversation, messages));
        assertEquals("长江", json.get("title").asText());
        assertEquals("Be brief.", json.get("system_prompt").asText());
        JsonNode answer = json.get("messages").get(1);
        assertEquals("约 6300 公里。", answer.get("content").asText());
        assertEquals("用户问长江的长度。", answer.get("reasoning").asText());
        assertEquals("q4", answer.get("variant").asText());
        assertEquals(7, answer.get("sampling").get("seed").asLong());
        assertEquals(42, answer.get("metrics").get("generatedTokens").asInt());
        assertEquals("stop", answer.get("finish_reason").asText());
        assertTrue(json.get("messages").get(0).path("metrics").isMissingNode());
    }
}
