package io.kaiyuan.engine.testing;

import ai.onnxruntime.OrtSession;
import io.kaiyuan.engine.api.ExecutionProvider;
import io.kaiyuan.engine.model.ModelFolder;
import io.kaiyuan.engine.model.Variant;
import io.kaiyuan.engine.ort.DecoderSession;
import io.kaiyuan.engine.ort.OptimizedGraph;
import io.kaiyuan.engine.ort.OrtRuntime;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;

/**
 * Prints a model folder's greedy token ids after a prompt of token ids, end of sequence ignored, to check a model
 * against the same weights in another engine (bench/llama-cpp.mjs --greedy-ids): {@code mvn -q -pl engine exec:exec
 * -Dkaiyuan.main=io.kaiyuan.engine.testing.GreedyIds -Dkaiyuan.args="DIR COUNT ID,ID,... [optimised]"}.
 */
public final class GreedyIds {
    private GreedyIds() {}

    public static void main(String[] args) throws Exception {
        ModelFolder folder = ModelFolder.open(Path.of(args[0]));
        int count = Integer.parseInt(args[1]);
        int[] prompt = Arrays.stream(args[2].split(",")).map(String::trim).mapToInt(Integer::parseInt).toArray();
        Variant variant = folder.chooseVariant(Optional.empty(), false);
        int[] tokens = Arrays.copyOf(prompt, prompt.length + count);
        OrtRuntime runtime = new OrtRuntime();
        // "optimised": the graph the CPU runs (OptimizedGraph's rebuild or rewrite); else the graph as exported
        OptimizedGraph.Choice graph = args.length > 3 && args[3].equals("optimised")
                ? OptimizedGraph.prepare(runtime, folder.graphFile(variant), folder.config(), folder.configJson(), folder.io())
                : OptimizedGraph.Choice.asExported(folder.graphFile(variant), folder.io());
        try (DecoderSession session = DecoderSession.open(runtime, graph.graph(), folder.config(), graph.io(),
                ExecutionProvider.CPU, 2);
                OrtSession.RunOptions options = new OrtSession.RunOptions()) {
            float[] logits = session.forward(tokens, 0, prompt.length, options);
            for (int n = prompt.length; n < tokens.length; n++) {
                tokens[n] = io.kaiyuan.engine.sample.Greedy.pick(logits);
                if (n + 1 < tokens.length) {
                    logits = session.forward(tokens, n, n + 1, options);
                }
            }
        }
        System.out.println("{\"engine\":\"kaiyuan\",\"variant\":\"" + variant.cliName() + "\",\"graph\":\""
                + graph.graph().getFileName() + "\",\"token_ids\":"
                + Arrays.toString(Arrays.copyOfRange(tokens, prompt.length, tokens.length)) + "}");
    }
}
