package io.kaiyuan.engine.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kaiyuan.engine.testing.TestModels;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * 50 concurrent streaming requests to a tiny model: with room in the queue all complete with the right,
 * whole answer; with a short queue the overflow gets 429 and everything admitted still completes.
 * Latencies are printed for the record, not asserted.
 */
class OpenAiServerLoadTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int CLIENTS = 50;
    private static final String BODY = "{\"model\":\"tiny/chat\",\"stream\":true,\"stream_options\":{\"include_usage\":true},"
            + "\"max_tokens\":16,\"temperature\":0,\"messages\":[{\"role\":\"user\",\"content\":\"你好，介绍一下你自己。\"}]}";

    @TempDir
    static Path dir;
    static Path model;

    @BeforeAll
    static void build() throws Exception {
        model = TestModels.withTokenizer(TestModels.chatSized(), dir.resolve("tiny"));
    }

    /** One streaming exchange: its status, the text it added up to, its usage, whether it ended with [DONE]. */
    record Outcome(int status, String text, int completionTokens, boolean done, long millis) {}

    private static Outcome read(HttpResponse<java.util.stream.Stream<String>> response, long start) {
        StringBuilder text = new StringBuilder();
        int[] tokens = {-1};
        boolean[] done = {false};
        response.body().forEach(line -> {
            if (!line.startsWith("data: ")) {
                return;
            }
            String data = line.substring(6);
            if (data.equals("[DONE]")) {
                done[0] = true;
                return;
            }
            try {
                JsonNode chunk = JSON.readTree(data);
                chunk.path("choices").forEach(c -> text.append(c.path("delta").path("content").asText("")));
                if (chunk.path("usage").isObject()) {
                    tokens[0] = chunk.path("usage").path("completion_tokens").asInt();
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        return new Outcome(response.statusCode(), text.toString(), tokens[0], done[0], (System.nanoTime() - start) / 1_000_000);
    }

    private static List<Outcome> burst(OpenAiServer server) {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        HttpRequest request = HttpRequest.newBuilder(URI.create(server.baseUrl() + "/chat/completions"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(BODY)).build();
        List<CompletableFuture<Outcome>> all = new ArrayList<>();
        for (int i = 0; i < CLIENTS; i++) {
            long start = System.nanoTime();
            all.add(http.sendAsync(request, HttpResponse.BodyHandlers.ofLines()).thenApply(r -> read(r, start)));
        }
        return all.stream().map(f -> f.orTimeout(300, TimeUnit.SECONDS).join()).toList();
    }

    private static String reference(OpenAiServer server) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        String body = BODY.replace("\"stream\":true,\"stream_options\":{\"include_usage\":true},", "");
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(server.baseUrl() + "/chat/completions"))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        return JSON.readTree(r.body()).path("choices").get(0).path("message").path("content").asText();
    }

    private static String percentiles(List<Outcome> ok) {
        List<Long> ms = new ArrayList<>(ok.stream().map(Outcome::millis).toList());
        Collections.sort(ms);
        return String.format(Locale.ROOT, "p50 %d ms, p99 %d ms, max %d ms", ms.get(ms.size() / 2),
                ms.get(Math.min(ms.size() - 1, (int) Math.ceil(ms.size() * 0.99) - 1)), ms.get(ms.size() - 1));
    }

    @Test
    void fiftyConcurrentStreamsAllCompleteWithTheRightAnswer() throws Exception {
        try (OpenAiServer server = OpenAiServer.start(ServerConfig.defaults().withPort(0).withMaxQueue(64),
                OpenAiServerTest.pool(model, 64))) {
            String expected = reference(server);
            List<Outcome> outcomes = burst(server);
            for (Outcome o : outcomes) {
                assertEquals(200, o.status());
                assertEquals(expected, o.text(), "every stream adds up to the greedy answer");
                assertEquals(16, o.completionTokens());
                assertTrue(o.done(), "ends with [DONE]");
            }
            System.out.println("load: " + CLIENTS + " concurrent streams, queue 64: all 200; " + percentiles(outcomes));
        }
    }

    @Test
    void beyondTheQueueRequestsGet429AndTheAdmittedOnesComplete() throws Exception {
        try (OpenAiServer server = OpenAiServer.start(ServerConfig.defaults().withPort(0).withMaxQueue(8),
                OpenAiServerTest.pool(model, 8))) {
            String expected = reference(server);
            List<Outcome> outcomes = burst(server);
            List<Outcome> ok = outcomes.stream().filter(o -> o.status() == 200).toList();
            long refused = outcomes.stream().filter(o -> o.status() == 429).count();
            assertEquals(CLIENTS, ok.size() + refused, "every answer is a 200 or a 429");
            assertTrue(refused > 0, "the overflow is refused");
            assertTrue(ok.size() >= 9, "one running and eight waiting are admitted, got " + ok.size());
            for (Outcome o : ok) {
                assertEquals(expected, o.text());
                assertTrue(o.done());
            }
            System.out.println("load: " + CLIENTS + " concurrent streams, queue 8: " + ok.size() + " x 200, " + refused
                    + " x 429; admitted " + percentiles(ok));
        }
    }
}
