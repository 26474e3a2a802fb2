package io.kaiyuan.engine.generate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.kaiyuan.engine.api.CancellationToken;
import io.kaiyuan.engine.api.ChatMessage;
import io.kaiyuan.engine.api.ExecutionProvider;
import io.kaiyuan.engine.api.FinishReason;
import io.kaiyuan.engine.api.GenerationException;
import io.kaiyuan.engine.api.GenerationRequest;
import io.kaiyuan.engine.api.GenerationResult;
import io.kaiyuan.engine.api.ResponseFormat;
import io.kaiyuan.engine.api.SamplingOverrides;
import io.kaiyuan.engine.constrain.JsonMatcherTest;
import io.kaiyuan.engine.constrain.SchemaCheck;
import io.kaiyuan.engine.ort.OrtRuntime;
import io.kaiyuan.engine.testing.TestModels;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Structured answers from a random-weight model with the real Qwen tokenizer: whatever the weights prefer,
 * at any temperature and seed, an answer that ends is a document valid for the schema.
 */
class StructuredOutputTest {
    @TempDir
    static Path dir;
    private static LanguageModel model;
    private static final ObjectMapper JSON = new ObjectMapper();

    @BeforeAll
    static void load() throws Exception {
        model = LanguageModel.load(new OrtRuntime(), TestModels.withTokenizer(TestModels.chatSized(), dir.resolve("m")),
                new LanguageModel.LoadOptions(Optional.empty(), ExecutionProvider.CPU, 1));
    }

    @AfterAll
    static void close() {
        if (model != null) {
            model.close();
        }
    }

    private static GenerationRequest ask(ResponseFormat format, Double temperature, long seed, int maxTokens) {
        return new GenerationRequest(new GenerationRequest.Prompt.Chat(List.of(ChatMessage.user(
                "Describe a person as JSON. 用 JSON 描述一个人。")), Map.of()),
                new SamplingOverrides(temperature, null, null, null, null, seed), maxTokens, List.of()).withFormat(format);
    }

    @Test
    void everyAnswerThatEndsIsValidAtAnyTemperatureAndSeed() throws Exception {
        int stopped = 0;
        int runs = 0;
        for (String schema : JsonMatcherTest.SCHEMAS) {
            for (double[] setting : new double[][] {{0.0, 1}, {0.7, 7}, {1.5, 42}}) {
                StringBuilder streamed = new StringBuilder();
                GenerationResult r = model.generate(ask(ResponseFormat.jsonSchema(schema), setting[0], (long) setting[1], 300),
                        streamed::append, new CancellationToken());
                runs++;
                String text = r.text();
                assertEquals(text, streamed.toString(), "what streams is the answer");
                if (r.finishReason() == FinishReason.STOP) {
                    stopped++;
                    JSON.readTree(text);
                    assertEquals(List.of(), SchemaCheck.errors(schema, text), schema + " -> " + text);
                } else {
                    assertEquals(FinishReason.LENGTH, r.finishReason(), text);
                    assertEquals(300, r.tokenIds().size(), "only the budget cuts a document: " + text);
                }
            }
        }
        assertTrue(stopped >= runs / 2, stopped + " of " + runs + " answers ended on their own");
    }

    @Test
    void jsonObjectModeGivesAnObject() throws Exception {
        for (long seed = 1; seed <= 3; seed++) {
            GenerationResult r = model.generate(ask(ResponseFormat.JSON_OBJECT, 1.0, seed, 300), t -> { },
                    new CancellationToken());
            if (r.finishReason() == FinishReason.STOP) {
                assertTrue(JSON.readTree(r.text()).isObject(), r.text());
            } else {
                assertEquals(FinishReason.LENGTH, r.finishReason());
            }
            assertTrue(r.text().startsWith("{"), r.text());
        }
    }

    @Test
    void aCutDocumentSaysLength() {
        GenerationResult r = model.generate(ask(ResponseFormat.jsonSchema(JsonMatcherTest.SCHEMAS.get(0)), 1.0, 3, 4), t -> { },
                new CancellationToken());
        assertEquals(FinishReason.LENGTH, r.finishReason());
        assertEquals(4, r.tokenIds().size());
    }

    @Test
    void aSchemaThatCannotBeEnforcedIsRefusedByName() {
        GenerationException e = assertThrows(GenerationException.class, () -> model.generate(ask(
                ResponseFormat.jsonSchema("{\"type\":\"string\",\"format\":\"email\"}"), 0.0, 1, 10), t -> { },
                new CancellationToken()));
        assertNotNull(e.getMessage());
        assertTrue(e.getMessage().contains("\"format\""), e.getMessage());
    }

    /**
     * A reasoning model whose prompt opens its thinking (as DeepSeek-R1 distills' templates do) thinks freely,
     * braces included, and the document follows its thinking: the answer is the document, the thinking stays
     * reasoning (a scripted model writes it as such a model would).
     */
    @Test
    void aReasoningModelThinksFreelyThenWritesTheDocument() throws Exception {
        String thinking = "The user wants {ok, n}. Let me pick n = 4.";
        String document = "{\"ok\": true, \"n\": 4}";
        String schema = "{\"type\":\"object\",\"properties\":{\"ok\":{\"type\":\"boolean\"},\"n\":{\"type\":\"integer\"}},"
                + "\"required\":[\"ok\",\"n\"],\"additionalProperties\":false}";
        List<ChatMessage> ask = List.of(ChatMessage.user("Pick a number as JSON."));
        String template = "{% for m in messages %}<|im_start|>{{ m.role }}\n{{ m.content }}<|im_end|>\n{% endfor %}"
                + "{% if add_generation_prompt %}<|im_start|>assistant\n<think>\n{% endif %}";
        Path probe = reasoningTemplate(TestModels.scripted(dir.resolve("probe"), new int[] {151645}, 1), template);
        int promptLength;
        int[] script;
        try (LanguageModel m = LanguageModel.load(new OrtRuntime(), probe,
                new LanguageModel.LoadOptions(Optional.empty(), ExecutionProvider.CPU, 1))) {
            promptLength = m.promptTokens(ask, Map.of());
        }
        try (io.kaiyuan.engine.tokenize.Tokenizer t = io.kaiyuan.engine.tokenize.Tokenizer.load(probe)) {
            script = t.encode(thinking + "\n</think>\n\n" + document);
        }
        Path model = reasoningTemplate(TestModels.scripted(dir.resolve("thinker"), script, promptLength), template);
        try (LanguageModel m = LanguageModel.load(new OrtRuntime(), model,
                new LanguageModel.LoadOptions(Optional.empty(), ExecutionProvider.CPU, 1))) {
            GenerationResult r = m.generate(new GenerationRequest(new GenerationRequest.Prompt.Chat(ask, Map.of()),
                    new SamplingOverrides(0.0, null, null, null, null, 1L), 200, List.of())
                    .withFormat(ResponseFormat.jsonSchema(schema)), t -> { }, new CancellationToken());
            assertEquals(FinishReason.STOP, r.finishReason(), r.text());
            assertEquals(thinking, r.reasoning().strip());
            assertEquals(JSON.readTree(document), JSON.readTree(r.answer()));
        }
    }

    private static Path reasoningTemplate(Path folder, String template) throws Exception {
        com.fasterxml.jackson.databind.node.ObjectNode config = (com.fasterxml.jackson.databind.node.ObjectNode) JSON.readTree(
                folder.resolve("tokenizer_config.json").toFile());
        config.put("chat_template", template);
        JSON.writeValue(folder.resolve("tokenizer_config.json").toFile(), config);
        return folder;
    }
}
