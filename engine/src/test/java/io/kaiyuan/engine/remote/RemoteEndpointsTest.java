package io.kaiyuan.engine.remote;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kaiyuan.engine.api.CancellationToken;
import io.kaiyuan.engine.api.ChatMessage;
import io.kaiyuan.engine.api.ExecutionProvider;
import io.kaiyuan.engine.api.GenerationRequest;
import io.kaiyuan.engine.api.SamplingOverrides;
import io.kaiyuan.engine.api.TokenListener;
import io.kaiyuan.engine.generate.LanguageModel;
import io.kaiyuan.engine.ort.OrtRuntime;
import io.kaiyuan.engine.server.ModelPool;
import io.kaiyuan.engine.server.OpenAiServer;
import io.kaiyuan.engine.server.ServerConfig;
import io.kaiyuan.engine.testing.TestModels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Endpoints added against a real Kaiyuan server on loopback: listed models, kept keys, chat, removal. */
class RemoteEndpointsTest {
    @TempDir
    Path dir;

    @Test
    void anEndpointIsAddedWithItsModelsItsKeyKeptApartAndRemoved() throws Exception {
        Path model = TestModels.withTokenizer(TestModels.chatSized(), dir.resolve("tiny"));
        try (OpenAiServer server = OpenAiServer.start(ServerConfig.defaults().withPort(0).withApiKey("sk-e"), new ModelPool(
                new OrtRuntime(), () -> List.of("tiny/chat"), id -> Optional.of(model),
                new LanguageModel.LoadOptions(Optional.empty(), ExecutionProvider.CPU, 1), 2, () -> 16L << 30))) {
            Secrets secrets = new Secrets(dir.resolve("keys.json"));
            Path file = dir.resolve("endpoints.json");
            RemoteEndpoints endpoints = new RemoteEndpoints(file, secrets);
            RemoteException refused = assertThrows(RemoteException.class,
                    () -> endpoints.add(new Endpoint("lab", server.baseUrl()), "sk-wrong"));
            assertEquals(401, refused.status());
            assertTrue(endpoints.list().isEmpty(), "nothing kept when the endpoint refuses the key");
            assertFalse(Files.exists(file));

            assertEquals(List.of("tiny/chat"), endpoints.add(new Endpoint("lab", server.baseUrl()), "sk-e"));
            assertEquals(List.of("remote/lab/tiny/chat"), endpoints.modelIds());
            assertFalse(Files.readString(file).contains("sk-e"), "the key is not in the endpoints file");
            assertEquals(Optional.of("sk-e"), secrets.get("endpoint:lab"));

            RemoteEndpoints reopened = new RemoteEndpoints(file, secrets);
            assertEquals(List.of("remote/lab/tiny/chat"), reopened.modelIds(), "the model list is kept for the next start");
            String answer = reopened.chat("remote/lab/tiny/chat", new GenerationRequest(new GenerationRequest.Prompt.Chat(
                    List.of(ChatMessage.user("你好")), Map.of()), new SamplingOverrides(0.0, null, null, null, null, null), 4,
                    List.of()), TokenListener.NONE, new CancellationToken()).answer();
            assertFalse(answer.isEmpty());
            assertEquals(List.of("tiny/chat"), reopened.refresh("lab"));

            reopened.remove("lab");
            assertTrue(reopened.modelIds().isEmpty());
            assertEquals(Optional.empty(), secrets.get("endpoint:lab"), "its key goes with it");
            RemoteException gone = assertThrows(RemoteException.class, () -> reopened.chat("remote/lab/tiny/chat",
                    new GenerationRequest(new GenerationRequest.Prompt.Chat(List.of(ChatMessage.user("x")), Map.of()),
                            SamplingOverrides.NONE, 4, List.of()), TokenListener.NONE, new CancellationToken()));
            assertTrue(gone.getMessage().contains("was removed"), gone.getMessage());
            assertEquals(RemoteException.Kind.REMOVED, gone.kind());
        }
    }

    @Test
    void anUnreadableEndpointsFileIsNamed() throws Exception {
        Path file = dir.resolve("endpoints.json");
        Files.writeString(file, "{ not json");
        java.io.IOException e = assertThrows(java.io.IOException.class, () -> new RemoteEndpoints(file,
                new Secrets(dir.resolve("keys.json"))));
        assertTrue(e.getMessage().contains(file.toString()) && e.getMessage().contains("move it"), e.getMessage());
    }
}
