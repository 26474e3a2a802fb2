package io.kaiyuan.app.wiring;

import io.kaiyuan.engine.api.CancellationToken;
import io.kaiyuan.engine.api.ChatMessage;
import io.kaiyuan.engine.api.ExecutionProvider;
import io.kaiyuan.engine.api.GenerationRequest;
import io.kaiyuan.engine.api.GenerationResult;
import io.kaiyuan.engine.api.SamplingOverrides;
import io.kaiyuan.engine.compare.Comparison;
import io.kaiyuan.engine.compare.RunCard;
import io.kaiyuan.engine.compare.VoteStore;
import io.kaiyuan.engine.generate.MemoryProbe;
import io.kaiyuan.engine.host.ModelHost;
import io.kaiyuan.engine.model.ModelRegistry;
import io.kaiyuan.engine.ort.OrtRuntime;
import io.kaiyuan.engine.remote.Secrets;
import io.kaiyuan.ui.chat.ChatBackend;
import io.kaiyuan.ui.compare.CompareBackend;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Measures the desktop app's resident memory when its chat, a comparison and its API server have all used the same
 * model (or, given two, the chat and the server the first and the comparison both): with one model host shared, as
 * the app wires them, or with a host each, as before the host. A measurement, not a test:
 * {@code java -cp "engine/target/test-classes:app/target/test-classes:app/target/classes:ui/target/classes:engine/target/classes:app/target/lib/*"
 * io.kaiyuan.app.wiring.HostMemory shared|separate MODEL_DIR [MODEL_DIR_2]}.
 */
public final class HostMemory {
    private HostMemory() {}

    public static void main(String[] args) throws Exception {
        boolean shared = args[0].equals("shared");
        Path home = Files.createTempDirectory("kaiyuan-host-memory");
        ModelRegistry registry = new ModelRegistry(home.resolve("models"));
        List<String> ids = new ArrayList<>();
        for (int i = 1; i < args.length; i++) {
            ids.add("m/" + i);
            registry.importFolder(Path.of(args[i]), "m/" + i, true);
        }
        String first = ids.get(0);
        String second = ids.get(ids.size() - 1);
        long start = MemoryProbe.resident().orElse(-1);
        ModelHost host = shared ? ModelHost.forThisMachine(new OrtRuntime()) : null;
        try (VoteStore votes = VoteStore.open(home.resolve("votes.db"));
                EngineChatBackend chat = shared ? new EngineChatBackend(host, registry, null) : new EngineChatBackend(registry);
                EngineCompareBackend compare = shared ? new EngineCompareBackend(host, () -> 0, registry, null, votes, null)
                        : new EngineCompareBackend(registry, null, votes);
                LocalApiServer server = shared ? new LocalApiServer(host, registry, new Secrets(home.resolve("keys.json")), () -> 0)
                        : new LocalApiServer(registry, new Secrets(home.resolve("keys.json")), () -> 0)) {
            SamplingOverrides greedy = new SamplingOverrides(0.0, null, null, null, null, null);
            CompletableFuture<GenerationResult> answered = new CompletableFuture<>();
            chat.answer(first, List.of(ChatMessage.user("你好")), Map.of(), greedy, t -> { }, new CancellationToken(),
                    new ChatBackend.Completion() {
                        @Override
                        public void finished(GenerationResult result) {
                            answered.complete(result);
                        }

                        @Override
                        public void failed(String message) {
                            answered.completeExceptionally(new IllegalStateException(message));
                        }
                    });
            answered.get(10, TimeUnit.MINUTES);
            long afterChat = MemoryProbe.resident().orElse(-1);
            CompletableFuture<RunCard> compared = new CompletableFuture<>();
            compare.run(List.of(CompareBackend.Choice.of(first), new CompareBackend.Choice(second, Optional.empty(),
                    ExecutionProvider.AUTO, new SamplingOverrides(0.8, null, null, null, null, 5L))),
                    new GenerationRequest(new GenerationRequest.Prompt.Chat(List.of(ChatMessage.user("长江")), Map.of()),
                            greedy, 16, List.of()), new Comparison.Listener() { }, schedule -> { }, new CancellationToken(),
                    new CompareBackend.Done() {
                        @Override
                        public void finished(RunCard card) {
                            compared.complete(card);
                        }

                        @Override
                        public void failed(String message) {
                            compared.completeExceptionally(new IllegalStateException(message));
                        }
                    });
            compared.get(10, TimeUnit.MINUTES);
            long afterCompare = MemoryProbe.resident().orElse(-1);
            String base = server.apply(true, 0, "").orElseThrow();
            HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(base
                    + "/chat/completions")).header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers
                    .ofString("{\"model\": \"" + first + "\", \"max_tokens\": 16, \"temperature\": 0, \"messages\": [{\"role\":"
                            + " \"user\", \"content\": \"hi\"}]}")).build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new IllegalStateException(response.body());
            }
            long afterServer = MemoryProbe.resident().orElse(-1);
            System.out.printf("%s, %d model(s): resident MB at start %d, after the chat %d, after the comparison %d,"
                    + " after the server %d%s%n", shared ? "one shared host" : "a host each", ids.size(), start >> 20,
                    afterChat >> 20, afterCompare >> 20, afterServer >> 20,
                    shared ? "; models loaded: " + host.loaded().size() : "");
        } finally {
            if (host != null) {
                host.close();
            }
        }
    }
}
