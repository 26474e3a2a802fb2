package io.kaiyuan.engine.generate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kaiyuan.engine.api.CancellationToken;
import io.kaiyuan.engine.api.ChatMessage;
import io.kaiyuan.engine.api.ExecutionProvider;
import io.kaiyuan.engine.api.GenerationRequest;
import io.kaiyuan.engine.api.GenerationRequest.Prompt;
import io.kaiyuan.engine.api.GenerationResult;
import io.kaiyuan.engine.api.SamplingOverrides;
import io.kaiyuan.engine.api.TokenListener;
import io.kaiyuan.engine.model.DecoderIo;
import io.kaiyuan.engine.model.Variant;
import io.kaiyuan.engine.ort.OrtRuntime;
import io.kaiyuan.engine.testing.TestModels;
import io.kaiyuan.engine.testing.TinyQwen;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A model in an ONNX Runtime GenAI folder chats as the same weights do in the transformers.js layout: same
 * prompt from the same template, same tokens, same text, and a second turn that reuses the shared cache.
 */
class GenAiModelTest {
    private static final OrtRuntime RUNTIME = new OrtRuntime();
    private static final LanguageModel.LoadOptions CPU =
            new LanguageModel.LoadOptions(Optional.empty(), ExecutionProvider.CPU, 1);

    @TempDir
    Path dir;

    private static GenerationResult chat(LanguageModel m, List<ChatMessage> messages, int tokens) {
        return m.generate(new GenerationRequest(new Prompt.Chat(messages), new SamplingOverrides(0.0, null, null, null,
                null, null), tokens, List.of(), true), TokenListener.NONE, new CancellationToken());
    }

    @Test
    void aGenAiFolderChatsAsTheTransformersJsExportOfTheSameWeights() throws Exception {
        TinyQwen.Spec spec = TestModels.chatSized().positionIds(false).dims(64, 4, 2, 16, 64); // GroupQueryAttention needs head_size % 16 == 0
        Path genai = TestModels.genAiWithTokenizer(spec, dir.resolve("genai"), DecoderIo.TRANSFORMERS_JS.withShareBuffer(true));
        Path tjs = TestModels.withTokenizer(spec, dir.resolve("tjs"));
        List<ChatMessage> first = List.of(ChatMessage.user("你好，请介绍一下你自己。"));
        try (LanguageModel a = LanguageModel.load(RUNTIME, genai, CPU);
                LanguageModel b = LanguageModel.load(RUNTIME, tjs, CPU)) {
            assertEquals(Variant.GENAI, a.variant());
            assertTrue(a.decoder().sharesBuffer());
            GenerationResult ra = chat(a, first, 24);
            GenerationResult rb = chat(b, first, 24);
            assertEquals(rb.promptTokenIds(), ra.promptTokenIds(), "the same template and tokenizer");
            assertEquals(rb.tokenIds(), ra.tokenIds());
            assertEquals(rb.text(), ra.text());
            assertFalse(ra.text().isEmpty());

            List<ChatMessage> second = List.of(first.get(0), ChatMessage.assistant(ra.text()), ChatMessage.user("再说一遍"));
            GenerationResult sa = chat(a, second, 16);
            GenerationResult sb = chat(b, second, 16);
            assertTrue(sa.metrics().cachedPromptTokens() > 0, "the second turn reuses the shared cache");
            assertEquals(sb.metrics().cachedPromptTokens(), sa.metrics().cachedPromptTokens());
            assertEquals(sb.tokenIds(), sa.tokenIds());
        }
    }
}
