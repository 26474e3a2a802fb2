package io.kaiyuan.engine.testing;

import java.nio.file.Path;

/**
 * Builds a random-weight model folder with the real Qwen3 tokenizer, for trying the CLI and for the
 * benchmark: {@code mvn -q -pl engine test-compile exec:java -Dexec.classpathScope=test
 * -Dexec.mainClass=io.kaiyuan.engine.testing.BuildFixture -Dexec.args="DIR [chat|bench100m] [genai]"}. With
 * {@code genai} the same weights are written as an ONNX Runtime GenAI folder (GroupQueryAttention, a shared
 * past/present buffer), to compare the two layouts with {@code ./kaiyuan bench}.
 */
public final class BuildFixture {
    private BuildFixture() {}

    /** About 94M parameters, Qwen vocabulary, 12 layers, GQA 4:1, external data. */
    public static TinyQwen.Spec bench100m() {
        return TestModels.chatSized().dims(256, 8, 2, 32, 1536).layers(12).maxPositions(8192).externalData(true);
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println("usage: BuildFixture DIR [chat|bench100m] [genai]");
            System.exit(2);
        }
        String preset = args.length > 1 ? args[1] : "chat";
        TinyQwen.Spec spec = switch (preset) {
            case "chat" -> TestModels.chatSized();
            case "bench100m" -> bench100m();
            default -> throw new IllegalArgumentException("unknown preset " + preset + ": chat or bench100m");
        };
        boolean genai = args.length > 2 && args[2].equals("genai");
        Path dir = genai
                ? TestModels.genAiWithTokenizer(spec.positionIds(false), Path.of(args[0]),
                        io.kaiyuan.engine.model.DecoderIo.TRANSFORMERS_JS.withShareBuffer(true))
                : TestModels.withTokenizer(spec, Path.of(args[0]));
        System.out.printf("built %s%s (%,d parameters) in %s%n", preset, genai ? " as a GenAI folder" : "", spec.parameters(),
                dir.toAbsolutePath());
    }
}
