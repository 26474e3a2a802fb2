package io.kaiyuan.engine.tokenize;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kaiyuan.engine.api.ModelLoadException;
import io.kaiyuan.engine.testing.TestModels;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenizerTest {
    private static Tokenizer tokenizer;

    @BeforeAll
    static void load() {
        tokenizer = Tokenizer.load(TestModels.qwenTokenizerDir());
    }

    @AfterAll
    static void close() {
        tokenizer.close();
    }

    @Test
    void knowsTheQwenVocabularyAndSpecialTokens() {
        assertEquals(151669, tokenizer.vocabularySize());
        assertEquals(151644, tokenizer.tokenId("<|im_start|>"));
        assertEquals(151645, tokenizer.tokenId("<|im_end|>"));
        assertEquals(151667, tokenizer.tokenId("<think>"));
    }

    @Test
    void addsNoSpecialTokensAndKeepsTheTemplatesOnes() {
        int[] ids = tokenizer.encode("<|im_start|>user\nhi<|im_end|>\n");
        assertEquals(151644, ids[0]);
        assertEquals(151645, ids[ids.length - 2]);
        assertEquals("<|im_start|>user\nhi<|im_end|>\n", tokenizer.decode(ids, false));
        assertEquals("user\nhi\n", tokenizer.decode(ids, true));
    }

    @Test
    void longPromptKeepsAllItsTokens() {
        String text = "开源模型在本地运行，数据不出本机。 Open models run locally. ".repeat(200);
        int[] ids = tokenizer.encode(text);
        assertTrue(ids.length > 2000, "expected a prompt over 2,000 tokens, got " + ids.length);
        assertEquals(text, tokenizer.decode(ids, false));
    }

    @Test
    void streamingNeverEmitsHalfACharacter() {
        String text = "你好，世界！🌍🚀 Kaiyuan 开源 👨‍👩‍👧 emoji and 汉字 mixed.";
        int[] ids = tokenizer.encode(text);
        StreamingDetokenizer stream = new StreamingDetokenizer(tokenizer);
        List<String> pieces = new ArrayList<>();
        StringBuilder all = new StringBuilder();
        for (int id : ids) {
            String piece = stream.add(id);
            pieces.add(piece);
            assertFalse(piece.contains("\uFFFD"), "half a character in " + piece);
            assertFalse(!piece.isEmpty() && Character.isHighSurrogate(piece.charAt(piece.length() - 1)), "split surrogate");
            all.append(piece);
        }
        all.append(stream.flush());
        assertEquals(text, all.toString());
        assertTrue(pieces.stream().filter(String::isEmpty).count() > 0, "some tokens must have been held back");
    }

    @Test
    void idsBeyondTheVocabularyDecodeToNothing() {
        StreamingDetokenizer stream = new StreamingDetokenizer(tokenizer);
        assertEquals("Hello", stream.add(tokenizer.encode("Hello")[0]));
        assertEquals("", stream.add(151900));
        assertEquals("", stream.add(Integer.MAX_VALUE));
        assertEquals(" world", stream.add(tokenizer.encode(" world")[0]));
        assertEquals("", tokenizer.decode(new int[] {151935}, false));
    }

    @Test
    void aTokenizerThatAddsBosDoesNotAddItAgainToARenderedPrompt(@TempDir Path dir) throws Exception {
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        com.fasterxml.jackson.databind.node.ObjectNode config = (com.fasterxml.jackson.databind.node.ObjectNode)
                json.readTree(TestModels.qwenTokenizerDir().resolve("tokenizer.json").toFile());
        String bos = "{\"SpecialToken\": {\"id\": \"<|endoftext|>\", \"type_id\": 0}}";
        config.set("post_processor", json.readTree("{\"type\": \"TemplateProcessing\","
                + "\"single\": [" + bos + ", {\"Sequence\": {\"id\": \"A\", \"type_id\": 0}}],"
                + "\"pair\": [" + bos + ", {\"Sequence\": {\"id\": \"A\", \"type_id\": 0}}, {\"Sequence\": {\"id\": \"B\", \"type_id\": 1}}],"
                + "\"special_tokens\": {\"<|endoftext|>\": {\"id\": \"<|endoftext|>\", \"ids\": [151643], \"tokens\": [\"<|endoftext|>\"]}}}"));
        json.writeValue(dir.resolve("tokenizer.json").toFile(), config);
        try (ai.djl.huggingface.tokenizers.HuggingFaceTokenizer raw = ai.djl.huggingface.tokenizers.HuggingFaceTokenizer
                .newInstance(dir.resolve("tokenizer.json"));
                Tokenizer ours = Tokenizer.load(dir)) {
            assertEquals(151643, raw.encode("<|endoftext|>hi", true, false).getIds()[0], "the tokenizer itself adds a BOS");
            assertEquals(151643, raw.encode("<|endoftext|>hi", true, false).getIds()[1]);
            int[] ids = ours.encode("<|endoftext|>hi");
            assertEquals(151643, ids[0], "the template's own BOS");
            assertTrue(ids.length == 1 + tokenizer.encode("hi").length, "and no second one");
        }
    }

    @Test
    void missingTokenizerFileIsNamed(@TempDir Path empty) {
        ModelLoadException e = assertThrows(ModelLoadException.class, () -> Tokenizer.load(empty));
        assertTrue(e.getMessage().contains("tokenizer.json is missing"), e.getMessage());
    }
}
