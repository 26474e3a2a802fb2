package io.kaiyuan.engine.testing;

import java.nio.file.Path;

/**
 * Builds a random-weight model folder with the real Qwen3 tokenizer, for trying the CLI and for the
 * benchmark: {@code mvn -q -pl engine test-compile exec:java -Dexec.classpathScope=test
 * -Dexec.mainClass=io.kaiyuan.engine.testing.BuildFixture -Dexec.args="DIR [chat|bench100m]"}.
 */
public final class BuildFixture {
    private BuildFixture() {}

    /** About 94M parameters, Qwen vocabulary, 12 layers, GQA 4:1, external data. */
    public static TinyQwen.Spec bench100m() {
        return TestModels.chatSized().dims(256, 8, 2, 32, 1536).layers(12).maxPositions(8192).externalData(true);
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println("usage: BuildFixture DIR [chat|bench100m]");
            System.exit(2);
        }
        String preset = args.length > 1 ? args[1] : "chat";
        TinyQwen.Spec spec = switch (preset) {
            case "chat" -> TestModels.chatSized();
            case "bench100m" -> bench100m();
            default -> throw new IllegalArgumentException("unknown preset " + preset + ": chat or bench100m");
        };
        Path dir = TestModels.withTokenizer(spec, Path.of(args[0]));
        System.out.printf("built %s (%,d parameters) in %s%n", preset, spec.parameters(), dir.toAbsolutePath());
    }
}
