package io.kaiyuan.engine.generate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kaiyuan.engine.api.CancellationToken;
import io.kaiyuan.engine.api.ExecutionProvider;
import io.kaiyuan.engine.api.FinishReason;
import io.kaiyuan.engine.api.GenerationRequest;
import io.kaiyuan.engine.api.GenerationResult;
import io.kaiyuan.engine.api.SamplingOverrides;
import io.kaiyuan.engine.api.TokenListener;
import io.kaiyuan.engine.ort.DecoderSession;
import io.kaiyuan.engine.ort.OrtRuntime;
import io.kaiyuan.engine.sample.Sampler;
import io.kaiyuan.engine.sample.TokenChooser;
import io.kaiyuan.engine.testing.TestModels;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The token-level generator on a real decoder: append, next, isDone, rewindTo, and its cache outliving it. */
class GeneratorTest {
    private static final OrtRuntime RUNTIME = new OrtRuntime();
    private static final int NEW = 12;

    @TempDir
    static Path shared;

    private static LanguageModel model;
    private static int[] prompt;

    @BeforeAll
    static void load() throws Exception {
        model = LanguageModel.load(RUNTIME, TestModels.withTokenizer(TestModels.chatSized(), shared.resolve("m")),
                new LanguageModel.LoadOptions(Optional.empty(), ExecutionProvider.CPU, 1));
        prompt = Benchmark.prompt(20, model.graph().vocab()).stream().mapToInt(Integer::intValue).toArray();
    }

    @AfterAll
    static void close() {
        model.close();
    }

    @BeforeEach
    void emptyCache() {
        model.resetCache();
    }

    private static Generator.Search greedy(Set<Integer> eos, int maxLength) {
        return new Generator.Search(new TokenChooser(List.of(), Sampler.ARGMAX), eos, maxLength, false);
    }

    /** Appends {@code prompt} and asks for tokens until done; returns all tokens. */
    private static int[] run(Generator generator, int[] prompt) {
        generator.append(prompt, 0, prompt.length);
        while (!generator.isDone()) {
            generator.next();
        }
        return generator.tokens();
    }

    @Test
    void choosesTheTokensGenerateChoosesAndEndsAtTheLengthLimit() {
        DecoderSession decoder = model.decoder();
        int[] tokens;
        try (Generator generator = new Generator(decoder, greedy(Set.of(), prompt.length + NEW), new CancellationToken())) {
            assertFalse(generator.isDone());
            assertNull(generator.finishReason());
            tokens = run(generator, prompt);
            assertEquals(FinishReason.LENGTH, generator.finishReason());
            assertThrows(IllegalStateException.class, generator::next, "nothing is chosen after the end");
        }
        assertEquals(prompt.length + NEW, tokens.length);
        assertArrayEquals(prompt, Arrays.copyOf(tokens, prompt.length));
        // the last chosen token waits to be run: the cache holds all but it
        assertEquals(tokens.length - 1, decoder.cacheLength());
        assertArrayEquals(Arrays.copyOf(tokens, tokens.length - 1), decoder.cachedTokens());

        model.resetCache();
        GenerationResult result = model.generate(new GenerationRequest(
                new GenerationRequest.Prompt.Tokens(Arrays.stream(prompt).boxed().toList()),
                new SamplingOverrides(0.0, null, null, null, null, null), NEW, List.of(), true),
                TokenListener.NONE, new CancellationToken());
        assertEquals(Arrays.stream(tokens, prompt.length, tokens.length).boxed().toList(), result.tokenIds());
    }

    @Test
    void rewindingGoesOnAsBeforeAndALaterGeneratorReusesTheCache() {
        DecoderSession decoder = model.decoder();
        int[] first;
        try (Generator generator = new Generator(decoder, greedy(Set.of(), prompt.length + NEW), new CancellationToken())) {
            first = run(generator, prompt);
            // back to four new tokens: the same greedy tokens follow
            generator.rewindTo(prompt.length + 4);
            assertEquals(prompt.length + 4, generator.length());
            assertTrue(decoder.cacheLength() <= prompt.length + 4);
            assertFalse(generator.isDone());
            while (!generator.isDone()) {
                generator.next();
            }
            assertArrayEquals(first, generator.tokens());
            assertThrows(IllegalArgumentException.class, () -> generator.rewindTo(first.length + 1));
        }

        // a new generator starts from what the cache holds; a prompt sharing six new tokens runs only the rest
        int[] extended = Arrays.copyOf(first, prompt.length + 8);
        extended[prompt.length + 6] = 1234;
        extended[prompt.length + 7] = 2345;
        long runs = decoder.runs();
        int[] reusing;
        try (Generator generator = new Generator(decoder, greedy(Set.of(), extended.length + 4), new CancellationToken())) {
            assertEquals(first.length - 1, generator.length());
            assertEquals(prompt.length + 6, generator.appendReusing(extended));
            generator.next();
            assertEquals(1, decoder.runs() - runs, "two new tokens take one run");
            while (!generator.isDone()) {
                generator.next();
            }
            reusing = generator.tokens();
        }
        model.resetCache();
        try (Generator generator = new Generator(decoder, greedy(Set.of(), extended.length + 4), new CancellationToken())) {
            assertEquals(0, generator.length());
            assertArrayEquals(run(generator, extended), reusing, "reusing the cache chooses what a fresh run chooses");
        }
    }

    @Test
    void endsOnAnEndOfSequenceTokenAndRefusesTooLongAnAppend() {
        int[] all;
        try (Generator generator = new Generator(model.decoder(), greedy(Set.of(), prompt.length + NEW), new CancellationToken())) {
            all = run(generator, prompt);
        }
        int eos = all[prompt.length + 2];
        int at = prompt.length;
        while (all[at] != eos) {
            at++;
        }
        model.resetCache();
        try (Generator generator = new Generator(model.decoder(), greedy(Set.of(eos), prompt.length + NEW),
                new CancellationToken())) {
            int[] tokens = run(generator, prompt);
            assertEquals(FinishReason.STOP, generator.finishReason());
            assertEquals(at + 1, tokens.length);
            assertEquals(eos, tokens[at]);
            assertThrows(IllegalArgumentException.class, () -> generator.append(new int[NEW + 1], 0, NEW + 1));
        }
    }

    @Test
    void aCancelledGeneratorChoosesNothing() {
        CancellationToken cancel = new CancellationToken();
        try (Generator generator = new Generator(model.decoder(), greedy(Set.of(), prompt.length + NEW), cancel)) {
            generator.append(prompt, 0, prompt.length);
            cancel.cancel();
            assertTrue(generator.isDone());
            assertEquals(FinishReason.CANCELLED, generator.finishReason());
            assertEquals(Generator.CANCELLED, generator.next());
            assertEquals(prompt.length, generator.length());
            assertEquals(0, model.decoder().cacheLength(), "nothing ran");
        }
    }

    @Test
    void keepsTheLogitsBeforeProcessingWhenAsked() {
        io.kaiyuan.engine.sample.LogitsProcessor onlySeven = (scores, history, length) -> {
            Arrays.fill(scores, 0f);
            scores[7] = 1f;
        };
        var search = new Generator.Search(new TokenChooser(List.of(onlySeven), Sampler.ARGMAX), Set.of(), prompt.length + 2, true);
        try (Generator generator = new Generator(model.decoder(), search, new CancellationToken())) {
            generator.append(prompt, 0, prompt.length);
            assertEquals(7, generator.next());
            float[] raw = generator.logits();
            assertEquals(model.graph().vocab(), raw.length);
            assertTrue(Arrays.stream(new int[] {0, 1, 2, 3}).anyMatch(i -> raw[i] != 0f), "the model's own logits");
            assertTrue(generator.lastRunNanos() > 0);
        }
    }
}
