package io.kaiyuan.engine.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.nio.file.StandardCopyOption;

/** Test models with the real Qwen3 tokenizer that the build fetched. */
public final class TestModels {
    /** The Qwen models' vocab_size (the tokenizer knows 151669 ids; the rest is padding). */
    public static final int QWEN_VOCAB = 151936;
    private static Path tokenizerDir;

    private TestModels() {}

    /** A folder holding the real Qwen3 tokenizer.json and tokenizer_config.json. */
    public static synchronized Path qwenTokenizerDir() {
        if (tokenizerDir != null) {
            return tokenizerDir;
        }
        URL url = TestModels.class.getResource("/tokenizers/qwen3/tokenizer.json");
        if (url == null) {
            throw new IllegalStateException("the Qwen3 tokenizer is not on the test class path: run the build (mvn verify)");
        }
        try {
            if (url.getProtocol().equals("file")) {
                tokenizerDir = Path.of(url.toURI()).getParent();
            } else {
                Path dir = Files.createTempDirectory("kaiyuan-qwen3-tokenizer");
                for (String name : new String[] {"tokenizer.json", "tokenizer_config.json"}) {
                    try (InputStream in = TestModels.class.getResourceAsStream("/tokenizers/qwen3/" + name)) {
                        Files.copy(in, dir.resolve(name), StandardCopyOption.REPLACE_EXISTING);
                    }
                }
                tokenizerDir = dir;
            }
            return tokenizerDir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Builds the model into {@code dir} and puts the Qwen3 tokenizer files beside it. */
    public static Path withTokenizer(TinyQwen.Spec spec, Path dir) throws IOException {
        TinyQwen.build(spec, dir);
        for (String name : new String[] {"tokenizer.json", "tokenizer_config.json"}) {
            Files.copy(qwenTokenizerDir().resolve(name), dir.resolve(name), StandardCopyOption.REPLACE_EXISTING);
        }
        return dir;
    }

    /** Builds the model as an ONNX Runtime GenAI folder into {@code dir} and puts the Qwen3 tokenizer files beside it. */
    public static Path genAiWithTokenizer(TinyQwen.Spec spec, Path dir, io.kaiyuan.engine.model.DecoderIo io)
            throws IOException {
        TinyQwen.buildGenAi(spec, dir, io);
        for (String name : new String[] {"tokenizer.json", "tokenizer_config.json"}) {
            Files.copy(qwenTokenizerDir().resolve(name), dir.resolve(name), StandardCopyOption.REPLACE_EXISTING);
        }
        return dir;
    }

    /** A model that writes {@code script} after a prompt of {@code from} tokens (see {@link TinyQwen#scripted}), with the Qwen3 tokenizer. */
    public static Path scripted(Path dir, int[] script, int from) throws IOException {
        return scripted(dir, Map.of(from, script));
    }

    /** Several scripts, each after a prompt of its length (see {@link TinyQwen#scripted(Path, Map, int)}). */
    public static Path scripted(Path dir, Map<Integer, int[]> scripts) throws IOException {
        TinyQwen.scripted(dir, scripts, 2048);
        for (String name : new String[] {"tokenizer.json", "tokenizer_config.json"}) {
            Files.copy(qwenTokenizerDir().resolve(name), dir.resolve(name), StandardCopyOption.REPLACE_EXISTING);
        }
        return dir;
    }

    /** A small decoder with the full Qwen vocabulary, so that any text prompt is in range. */
    public static TinyQwen.Spec chatSized() {
        return TinyQwen.qwen2().vocab(QWEN_VOCAB).dims(32, 4, 2, 8, 64).maxPositions(4096)
                .generationConfig(java.util.Map.of("eos_token_id", java.util.List.of(151645, 151643), "do_sample", false));
    }
}
