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
    private final List<VersionedMessage> messages = List.of(VersionedMessage.of(0, StoredMessage.user("长江有多长？")),
            VersionedMessage.of(1, StoredMessage.answer("约 6300 公里。", "用户问长江的长度。", "deepseek-r1-distill-qwen-1.5b", "q4",
                    new SamplingOverrides(0.6, null, 0.95, null, null, 7L),
                    new GenerationMetrics(20, 0, 42, 900, 120.4, 500, 31.25, 2500), FinishReason.STOP)));

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

    @Test
    void aRegeneratedAnswerIsExportedWithEveryVersion() throws Exception {
        StoredMessage first = StoredMessage.answer("About 6,300 km.", "", "m", "q4", SamplingOverrides.NONE,
                new GenerationMetrics(20, 0, 5, 0, 10, 100, 50, 0), FinishReason.STOP);
        StoredMessage second = StoredMessage.answer("6,300 kilometres.", "", "m", "q4", SamplingOverrides.NONE,
                new GenerationMetrics(20, 0, 4, 0, 10, 100, 50, 0), FinishReason.STOP);
        List<VersionedMessage> versioned = List.of(VersionedMessage.of(0, StoredMessage.user("How long?")),
                new VersionedMessage(1, List.of(first, second), 1));
        String md = ChatExport.markdown(conversation, versioned);
        assertTrue(md.contains("## Assistant (m, q4) · version 2 of 2\n\n6,300 kilometres."), md);
        assertTrue(md.contains("<details><summary>Other versions</summary>\n\n### Version 1 (m, q4)\n\nAbout 6,300 km."), md);
        JsonNode json = new ObjectMapper().readTree(ChatExport.json(conversation, versioned));
        JsonNode answer = json.get("messages").get(1);
        assertEquals("6,300 kilometres.", answer.get("content").asText());
        assertEquals(1, answer.get("chosen_version").asInt());
        assertEquals("About 6,300 km.", answer.get("versions").get(0).get("content").asText());
        assertEquals(2, answer.get("versions").size());
        assertTrue(json.get("messages").get(0).path("versions").isMissingNode());
    }
}
