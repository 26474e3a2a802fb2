package io.kaiyuan.app.wiring;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.kaiyuan.engine.api.CancellationToken;
import io.kaiyuan.engine.api.ChatMessage;
import io.kaiyuan.engine.api.GenerationRequest;
import io.kaiyuan.engine.api.GenerationResult;
import io.kaiyuan.engine.api.SamplingOverrides;
import io.kaiyuan.engine.compare.Comparison;
import io.kaiyuan.engine.compare.RunCard;
import io.kaiyuan.engine.compare.VoteStore;
import io.kaiyuan.engine.host.ModelHost;
import io.kaiyuan.engine.model.ModelRegistry;
import io.kaiyuan.engine.ort.OrtRuntime;
import io.kaiyuan.engine.remote.Secrets;
import io.kaiyuan.engine.testing.TestModels;
import io.kaiyuan.ui.chat.ChatBackend;
import io.kaiyuan.ui.compare.CompareBackend;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** As the desktop app wires them: the chat, comparisons and the API server share one model host and load a model once. */
class SharedModelHostTest {
    @TempDir
    Path home;
    @TempDir
    Path work;

    @Test
    void theChatAComparisonAndTheServerOnOneModelLoadItOnce() throws Exception {
        ModelRegistry registry = new ModelRegistry(home.resolve("models"));
        registry.importFolder(TestModels.withTokenizer(TestModels.chatSized(), work.resolve("a")), "tiny/a", true);
        try (ModelHost host = ModelHost.forThisMachine(new OrtRuntime());
                EngineChatBackend chat = new EngineChatBackend(host, registry, null);
                VoteStore votes = VoteStore.open(home.resolve("votes.db"));
                EngineCompareBackend compare = new EngineCompareBackend(host, () -> 0, registry, null, votes, null);
                LocalApiServer server = new LocalApiServer(host, registry, new Secrets(home.resolve("keys.json")), () -> 0)) {
            CompletableFuture<GenerationResult> answered = new CompletableFuture<>();
            chat.answer("tiny/a", List.of(ChatMessage.user("你好")), Map.of(), new SamplingOverrides(0.0, null, null, null,
                    null, null), t -> { }, new CancellationToken(), new ChatBackend.Completion() {
                        @Override
                        public void finished(GenerationResult result) {
                            answered.complete(result);
                        }

                        @Override
                        public void failed(String message) {
                            answered.completeExceptionally(new AssertionError(message));
                        }
                    });
            answered.get(60, TimeUnit.SECONDS);
            assertEquals(1, host.loaded().size());

            // the model against itself with other sampling
            CompletableFuture<RunCard> compared = new CompletableFuture<>();
            compare.run(List.of(CompareBackend.Choice.of("tiny/a"), new CompareBackend.Choice("tiny/a",
                    java.util.Optional.empty(), io.kaiyuan.engine.api.ExecutionProvider.AUTO,
                    new SamplingOverrides(1.2, null, null, null, null, 5L))), new GenerationRequest(
                    new GenerationRequest.Prompt.Chat(List.of(ChatMessage.user("长江")), Map.of()),
                    new SamplingOverrides(0.0, null, null, null, null, null), 6, List.of()), new Comparison.Listener() { },
                    schedule -> { }, new CancellationToken(), new CompareBackend.Done() {
                        @Override
                        public void finished(RunCard card) {
                            compared.complete(card);
                        }

                        @Override
                        public void failed(String message) {
                            compared.completeExceptionally(new AssertionError(message));
                        }
                    });
            assertEquals(2, compared.get(60, TimeUnit.SECONDS).columns().size());

            String base = server.apply(true, 0, "").orElseThrow();
            HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                    base + "/chat/completions")).header("Content-Type", "application/json").POST(
                    HttpRequest.BodyPublishers.ofString("{\"model\": \"tiny/a\", \"max_tokens\": 4, \"temperature\": 0,"
                            + " \"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, response.statusCode(), response.body());
            assertEquals(1, host.loaded().size(), "one load for the chat, the comparison and the server: " + host.loaded());
            assertEquals(work.resolve("a").toAbsolutePath().normalize(), host.loaded().get(0).folder(), "imported in place");
        }
    }
}
