package io.kaiyuan.engine.generate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kaiyuan.engine.api.CancellationToken;
import io.kaiyuan.engine.api.ChatMessage;
import io.kaiyuan.engine.api.ExecutionProvider;
import io.kaiyuan.engine.api.FinishReason;
import io.kaiyuan.engine.api.GenerationException;
import io.kaiyuan.engine.api.GenerationRequest;
import io.kaiyuan.engine.api.GenerationRequest.Prompt;
import io.kaiyuan.engine.api.GenerationResult;
import io.kaiyuan.engine.api.ModelLoadException;
import io.kaiyuan.engine.api.SamplingOverrides;
import io.kaiyuan.engine.api.TokenListener;
import io.kaiyuan.engine.model.Variant;
import io.kaiyuan.engine.ort.OrtRuntime;
import io.kaiyuan.engine.testing.TestModels;
import io.kaiyuan.engine.testing.TinyQwen;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LanguageModelTest {
    private static final OrtRuntime RUNTIME = new OrtRuntime();
    private static final LanguageModel.LoadOptions CPU =
            new LanguageModel.LoadOptions(Optional.empty(), ExecutionProvider.CPU, 1);

    @TempDir
    static Path shared;

    private static LanguageModel model;

    @BeforeAll
    static void load() throws Exception {
        model = LanguageModel.load(RUNTIME, TestModels.withTokenizer(TestModels.chatSized(), shared.resolve("chat")), CPU);
    }

    @AfterAll
    static void close() {
        model.close();
    }

    @BeforeEach
    void freshCache() {
        model.resetCache();
    }

    private static GenerationRequest request(Prompt prompt, int maxNew, List<String> stops) {
        return new GenerationRequest(prompt, SamplingOverrides.NONE, maxNew, stops);
    }

    private static GenerationResult run(GenerationRequest request) {
        return model.generate(request, TokenListener.NONE, new CancellationToken());
    }

    @Test
    void streamsExactlyTheResultTextAndCountsTokens() {
        StringBuilder streamed = new StringBuilder();
        GenerationResult r = model.generate(request(new Prompt.Raw("你好，开源模型"), 24, List.of()), streamed::append,
                new CancellationToken());
        assertEquals(r.text(), streamed.toString());
        assertEquals(r.tokenIds().size(), r.metrics().generatedTokens());
        assertEquals(r.promptTokenIds().size(), r.metrics().promptTokens());
        assertTrue(r.metrics().ttftMs() > 0);
        assertTrue(r.metrics().prefillTokensPerS() > 0);
        assertFalse(r.text().contains("\uFFFD"));
    }

    @Test
    void aPromptThatOpensReasoningStreamsEverythingAsReasoning() {
        List<String> reasoning = new ArrayList<>();
        List<String> answer = new ArrayList<>();
        TokenListener listener = new TokenListener() {
            @Override
            public void onText(String text) {
                answer.add(text);
            }

            @Override
            public void onReasoning(String text) {
                reasoning.add(text);
            }
        };
        GenerationResult r = model.generate(new GenerationRequest(new Prompt.Raw("<|im_start|>assistant\n<think>\n"),
                SamplingOverrides.NONE, 20, List.of(), true), listener, new CancellationToken());
        assertTrue(r.reasoningUnclosed(), "a random model never closes the block");
        assertEquals("", r.answer());
        assertTrue(answer.isEmpty());
        assertEquals(r.reasoning(), String.join("", reasoning));
        assertEquals(r.text().replaceFirst("^\n+", "").replaceFirst("\n+$", ""), r.reasoning());
        assertTrue(r.metrics().reasoningMs() > 0);
    }

    @Test
    void withoutReasoningTheAnswerIsTheText() {
        GenerationResult r = run(new GenerationRequest(new Prompt.Raw("Hello"), SamplingOverrides.NONE, 12, List.of(), true));
        assertFalse(r.reasoningUnclosed());
        assertEquals("", r.reasoning());
        assertEquals(r.text().replaceFirst("^\n+", ""), r.answer());
        assertEquals(0.0, r.metrics().reasoningMs());
    }

    @Test
    void maxNewTokensEndsWithLength() {
        GenerationResult r = run(new GenerationRequest(new Prompt.Raw("Hello"), SamplingOverrides.NONE, 7, List.of(), true));
        assertEquals(FinishReason.LENGTH, r.finishReason());
        assertEquals(7, r.tokenIds().size());
    }

    @Test
    void greedyIsDeterministicAndSeedMakesSamplingReproducible() {
        GenerationRequest greedy = request(new Prompt.Raw("The same prompt"), 16, List.of());
        assertEquals(run(greedy).tokenIds(), run(greedy).tokenIds());
        SamplingOverrides seeded = new SamplingOverrides(1.5, 0, null, null, null, 1234L);
        GenerationRequest sampled = new GenerationRequest(new Prompt.Raw("The same prompt"), seeded, 16, List.of(), true);
        List<Integer> first = run(sampled).tokenIds();
        assertEquals(first, run(sampled).tokenIds());
        SamplingOverrides otherSeed = new SamplingOverrides(1.5, 0, null, null, null, 99L);
        assertNotEquals(first, run(new GenerationRequest(new Prompt.Raw("The same prompt"), otherSeed, 16, List.of(), true)).tokenIds());
    }

    @Test
    void stopStringIsNeverShownEvenWhenSplitAcrossTokens() {
        GenerationResult free = run(new GenerationRequest(new Prompt.Raw("Once upon"), SamplingOverrides.NONE, 40, List.of(), true));
        String text = free.text();
        assertTrue(text.length() > 6, "the fixture should produce some text: " + text);
        // Take a stop string from the middle of the unconstrained output, spanning a token boundary.
        String stop = text.substring(text.length() / 2 - 2, text.length() / 2 + 2);
        List<String> streamed = new ArrayList<>();
        GenerationResult stopped = model.generate(new GenerationRequest(new Prompt.Raw("Once upon"), SamplingOverrides.NONE,
                40, List.of(stop), true), streamed::add, new CancellationToken());
        assertEquals(FinishReason.STOP, stopped.finishReason());
        assertEquals(text.substring(0, text.indexOf(stop)), stopped.text());
        assertFalse(String.join("", streamed).contains(stop));
        assertEquals(stopped.text(), String.join("", streamed));
    }

    @Test
    void anyEosIdOfTheListStops(@TempDir Path dir) throws Exception {
        // Find the first token greedy generation produces, then make that token an eos id (second in a list).
        GenerationResult free = run(new GenerationRequest(new Prompt.Raw("Hello"), SamplingOverrides.NONE, 5, List.of(), true));
        int third = free.tokenIds().get(2);
        TinyQwen.Spec spec = TestModels.chatSized().generationConfig(Map.of("eos_token_id", List.of(151645, third)));
        try (LanguageModel m = LanguageModel.load(RUNTIME, TestModels.withTokenizer(spec, dir), CPU)) {
            GenerationResult r = m.generate(request(new Prompt.Raw("Hello"), 20, List.of()), TokenListener.NONE,
                    new CancellationToken());
            assertEquals(FinishReason.STOP, r.finishReason());
            assertEquals(free.tokenIds().subList(0, 3), r.tokenIds());
        }
    }

    @Test
    void contextLimitEndsWithLength(@TempDir Path dir) throws Exception {
        TinyQwen.Spec spec = TestModels.chatSized().maxPositions(20);
        try (LanguageModel m = LanguageModel.load(RUNTIME, TestModels.withTokenizer(spec, dir), CPU)) {
            GenerationRequest r = new GenerationRequest(new Prompt.Tokens(List.of(1, 2, 3, 4, 5)), SamplingOverrides.NONE,
                    100, List.of(), true);
            GenerationResult result = m.generate(r, TokenListener.NONE, new CancellationToken());
            assertEquals(FinishReason.LENGTH, result.finishReason());
            assertEquals(15, result.tokenIds().size());
            GenerationException tooLong = assertThrows(GenerationException.class, () -> m.generate(
                    request(new Prompt.Tokens(java.util.Collections.nCopies(25, 7)), 5, List.of()),
                    TokenListener.NONE, new CancellationToken()));
            assertTrue(tooLong.getMessage().contains("25 tokens"), tooLong.getMessage());
        }
    }

    @Test
    void cancelBetweenTokensEndsWithCancelled() {
        CancellationToken cancel = new CancellationToken();
        int[] pieces = {0};
        GenerationResult r = model.generate(new GenerationRequest(new Prompt.Raw("Count"), SamplingOverrides.NONE, 200,
                List.of(), true), text -> {
                    if (++pieces[0] == 3) {
                        cancel.cancel();
                    }
                }, cancel);
        assertEquals(FinishReason.CANCELLED, r.finishReason());
        assertTrue(r.tokenIds().size() < 200);
    }

    @Test
    void cancelDuringALongPrefillStopsTheRun(@TempDir Path dir) throws Exception {
        TinyQwen.Spec big = TestModels.chatSized().dims(128, 4, 2, 32, 512).layers(4).maxPositions(8192).externalData(true);
        try (LanguageModel m = LanguageModel.load(RUNTIME, TestModels.withTokenizer(big, dir), CPU)) {
            List<Integer> prompt = new ArrayList<>();
            for (int i = 0; i < 4000; i++) {
                prompt.add(1000 + (i * 7919) % 50000);
            }
            CancellationToken cancel = new CancellationToken();
            CompletableFuture<GenerationResult> running = CompletableFuture.supplyAsync(() -> m.generate(
                    request(new Prompt.Tokens(prompt), 50, List.of()), TokenListener.NONE, cancel));
            Thread.sleep(300);
            cancel.cancel();
            GenerationResult r = running.get(60, TimeUnit.SECONDS);
            assertEquals(FinishReason.CANCELLED, r.finishReason());
            assertEquals(0, r.tokenIds().size(), "the prefill should have been stopped before the first token");
            // The model stays usable after a terminated run.
            GenerationResult after = m.generate(request(new Prompt.Raw("Hi"), 3, List.of()), TokenListener.NONE,
                    new CancellationToken());
            assertFalse(after.tokenIds().isEmpty());
        }
    }

    @Test
    void nextChatTurnReusesTheCachedPrefixAndMatchesAFreshRun() {
        List<ChatMessage> turn1 = List.of(ChatMessage.system("You are helpful."), ChatMessage.user("你好"));
        GenerationResult first = run(request(new Prompt.Chat(turn1), 12, List.of()));
        List<ChatMessage> turn2 = new ArrayList<>(turn1);
        turn2.add(ChatMessage.assistant(first.text()));
        turn2.add(ChatMessage.user("Tell me more."));
        GenerationResult second = run(request(new Prompt.Chat(turn2), 12, List.of()));
        assertTrue(second.metrics().cachedPromptTokens() >= first.promptTokenIds().size(),
                "expected the first turn's prompt to be reused, got " + second.metrics().cachedPromptTokens());
        model.resetCache();
        GenerationResult fresh = run(request(new Prompt.Chat(turn2), 12, List.of()));
        assertEquals(0, fresh.metrics().cachedPromptTokens());
        assertEquals(fresh.promptTokenIds(), second.promptTokenIds());
        assertEquals(fresh.tokenIds(), second.tokenIds());
    }

    @Test
    void divergingPromptReusesOnlyTheCommonPrefix() {
        run(request(new Prompt.Tokens(List.of(10, 11, 12, 13, 14, 15)), 3, List.of()));
        GenerationResult r = run(request(new Prompt.Tokens(List.of(10, 11, 12, 99, 98)), 5, List.of()));
        assertEquals(3, r.metrics().cachedPromptTokens());
        model.resetCache();
        assertEquals(run(request(new Prompt.Tokens(List.of(10, 11, 12, 99, 98)), 5, List.of())).tokenIds(), r.tokenIds());
    }

    @Test
    void chatPromptUsesChatMlWithoutExtraSpecialTokens() {
        GenerationResult r = run(request(new Prompt.Chat(List.of(ChatMessage.user("hi"))), 1, List.of()));
        String rendered = model.tokenizer().decode(r.promptTokenIds().stream().mapToInt(Integer::intValue).toArray(), false);
        assertEquals("<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n", rendered);
    }

    @Test
    void missingFilesAndForeignExportsGetClearMessages(@TempDir Path dir) throws Exception {
        Path m = TestModels.withTokenizer(TinyQwen.qwen2(), dir.resolve("m"));
        Files.delete(m.resolve("tokenizer.json"));
        ModelLoadException e = assertThrows(ModelLoadException.class, () -> LanguageModel.load(RUNTIME, m, CPU));
        assertTrue(e.getMessage().contains("tokenizer.json is missing"), e.getMessage());

        Path genai = Files.createDirectories(dir.resolve("genai"));
        Files.writeString(genai.resolve("genai_config.json"), "{}");
        e = assertThrows(ModelLoadException.class, () -> LanguageModel.load(RUNTIME, genai, CPU));
        assertTrue(e.getMessage().contains("genai_config.json has no \"model.decoder\" section"), e.getMessage());

        Path noGraph = TestModels.withTokenizer(TinyQwen.qwen2(), dir.resolve("nograph"));
        Files.delete(noGraph.resolve("onnx/model.onnx"));
        e = assertThrows(ModelLoadException.class, () -> LanguageModel.load(RUNTIME, noGraph, CPU));
        assertTrue(e.getMessage().contains("No ONNX graph"), e.getMessage());

        Path q4 = TestModels.withTokenizer(TinyQwen.qwen2(), dir.resolve("q4"));
        e = assertThrows(ModelLoadException.class, () -> LanguageModel.load(RUNTIME, q4,
                new LanguageModel.LoadOptions(Optional.of(Variant.Q4), ExecutionProvider.CPU, 1)));
        assertTrue(e.getMessage().contains("present: fp32"), e.getMessage());
    }

    @Test
    void aTemplateThatDoesNotParseFailsChatPromptsOnlyWithAClearMessage(@TempDir Path dir) throws Exception {
        Path m = TestModels.withTokenizer(TinyQwen.qwen2(), dir.resolve("m"));
        Files.writeString(m.resolve("chat_template.jinja"), "{% for m in messages %}{{ m.content }}");
        try (LanguageModel loaded = LanguageModel.load(RUNTIME, m, CPU)) {
            GenerationException e = assertThrows(GenerationException.class, () -> loaded.generate(
                    request(new Prompt.Chat(List.of(ChatMessage.user("hi"))), 2, List.of()), TokenListener.NONE,
                    new CancellationToken()));
            assertTrue(e.getMessage().contains("chat template cannot be parsed"), e.getMessage());
            GenerationResult raw = loaded.generate(request(new Prompt.Tokens(List.of(5, 6, 7)), 2, List.of()), TokenListener.NONE,
                    new CancellationToken());
            assertFalse(raw.tokenIds().isEmpty(), "prompts without the template still work");
        }
    }

    @Test
    void bestVariantPresentIsChosenForTheCpu(@TempDir Path dir) throws Exception {
        Path m = TestModels.withTokenizer(TinyQwen.qwen2(), dir.resolve("m"));
        TinyQwen.build(TinyQwen.qwen2().variantFile("model_q4").seed(3), m);
        TinyQwen.build(TinyQwen.qwen2().variantFile("model_fp16").fp16Kv(true).seed(4), m);
        try (LanguageModel loaded = LanguageModel.load(RUNTIME, m, CPU)) {
            assertEquals(Variant.Q4, loaded.variant());
        }
        try (LanguageModel loaded = LanguageModel.load(RUNTIME, m,
                new LanguageModel.LoadOptions(Optional.of(Variant.FP16), ExecutionProvider.CPU, 1))) {
            assertEquals(Variant.FP16, loaded.variant());
            assertEquals(ai.onnxruntime.OnnxJavaType.FLOAT16, loaded.graph().kvType());
        }
    }
}
