package io.kaiyuan.engine.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.errors.NotFoundException;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import io.kaiyuan.engine.api.ExecutionProvider;
import io.kaiyuan.engine.api.FinishReason;
import io.kaiyuan.engine.api.GenerationResult;
import io.kaiyuan.engine.generate.LanguageModel;
import io.kaiyuan.engine.ort.OrtRuntime;
import io.kaiyuan.engine.testing.TestModels;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The server on loopback with a real tiny model, driven by the official OpenAI Java client and by raw HTTP. */
class OpenAiServerTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String KEY = "sk-test-key";

    @TempDir
    static Path dir;
    static Path model;
    static OpenAiServer server;
    static ModelPool pool;
    static final List<GenerationResult> finished = new CopyOnWriteArrayList<>();

    static ModelPool pool(Path folder, int maxQueue) {
        return new ModelPool(new OrtRuntime(), () -> List.of("tiny/chat"),
                id -> id.equals("tiny/chat") ? Optional.of(folder) : Optional.empty(),
                new LanguageModel.LoadOptions(Optional.empty(), ExecutionProvider.CPU, 1), maxQueue, () -> 16L << 30);
    }

    @BeforeAll
    static void start() throws Exception {
        model = TestModels.withTokenizer(TestModels.chatSized(), dir.resolve("tiny"));
        pool = pool(model, 0);
        pool.onFinished((id, r) -> finished.add(r));
        server = OpenAiServer.start(ServerConfig.defaults().withPort(0).withApiKey(KEY).withMaxBodyBytes(64 * 1024)
                .withAllowed(Set.of("kaiyuan.lan"), Set.of("https://app.example")), pool);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static OpenAIClient client() {
        return OpenAIOkHttpClient.builder().baseUrl(server.baseUrl()).apiKey(KEY).maxRetries(0).build();
    }

    private static ChatCompletionCreateParams.Builder greedy(String prompt, long tokens) {
        return ChatCompletionCreateParams.builder().model("tiny/chat").addUserMessage(prompt).maxCompletionTokens(tokens)
                .temperature(0.0).seed(7L);
    }

    @Test
    void theOpenAiClientListsModelsAndGetsTheSameAnswerStreamedOrNot() {
        OpenAIClient client = client();
        assertEquals(List.of("tiny/chat"), client.models().list().data().stream().map(m -> m.id()).toList());

        ChatCompletion completion = client.chat().completions().create(greedy("用一句话介绍长江。", 12).build());
        String answer = completion.choices().get(0).message().content().orElseThrow();
        assertFalse(answer.isEmpty());
        assertEquals(ChatCompletion.Choice.FinishReason.LENGTH, completion.choices().get(0).finishReason());
        assertEquals(12, completion.usage().orElseThrow().completionTokens());
        assertTrue(completion.usage().orElseThrow().promptTokens() > 5);
        assertEquals("tiny/chat", completion.model());

        StringBuilder streamed = new StringBuilder();
        List<ChatCompletionChunk> chunks = new CopyOnWriteArrayList<>();
        try (StreamResponse<ChatCompletionChunk> stream = client.chat().completions().createStreaming(greedy("用一句话介绍长江。", 12)
                .streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build()).build())) {
            stream.stream().forEach(chunk -> {
                chunks.add(chunk);
                chunk.choices().forEach(c -> c.delta().content().ifPresent(streamed::append));
            });
        }
        assertEquals(answer, streamed.toString(), "greedy: the stream adds up to the same answer");
        assertTrue(chunks.size() > 3, "streamed in pieces");
        ChatCompletionChunk last = chunks.get(chunks.size() - 1);
        assertTrue(last.choices().isEmpty(), "the usage chunk comes last");
        assertEquals(12, last.usage().orElseThrow().completionTokens());
        assertEquals(ChatCompletionChunk.Choice.FinishReason.LENGTH, chunks.get(chunks.size() - 2).choices().get(0)
                .finishReason().orElseThrow());

        assertTrue(org.junit.jupiter.api.Assertions.assertThrows(NotFoundException.class,
                () -> client.chat().completions().create(ChatCompletionCreateParams.builder().model("no/such")
                        .addUserMessage("hi").build())).getMessage().contains("does not exist"));
    }

    /** A raw HTTP/1.1 exchange, so Host and Origin can be anything. Returns the status line, headers and body. */
    private static String raw(String method, String path, Map<String, String> headers, String body) throws Exception {
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout(30_000);
            StringBuilder request = new StringBuilder(method + " " + path + " HTTP/1.1\r\n");
            headers.forEach((k, v) -> request.append(k).append(": ").append(v).append("\r\n"));
            byte[] bytes = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
            request.append("Content-Length: ").append(bytes.length).append("\r\nConnection: close\r\n\r\n");
            OutputStream out = socket.getOutputStream();
            out.write(request.toString().getBytes(StandardCharsets.UTF_8));
            out.write(bytes);
            out.flush();
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static Map<String, String> local() {
        return Map.of("Host", "127.0.0.1:" + server.port(), "Authorization", "Bearer " + KEY);
    }

    private static Map<String, String> with(Map<String, String> base, String key, String value) {
        Map<String, String> m = new java.util.LinkedHashMap<>(base);
        if (value == null) {
            m.remove(key);
        } else {
            m.put(key, value);
        }
        return m;
    }

    private static int status(String response) {
        return Integer.parseInt(response.substring(9, 12));
    }

    private static JsonNode error(String response) throws Exception {
        return JSON.readTree(response.substring(response.indexOf("\r\n\r\n") + 4)).path("error");
    }

    @Test
    void foreignHostsAndOriginsWrongKeysAndBadRequestsGetOpenAiErrors() throws Exception {
        String rebinding = raw("GET", "/v1/models", with(local(), "Host", "attacker.example:" + server.port()), null);
        assertEquals(403, status(rebinding));
        assertEquals("host_not_allowed", error(rebinding).path("code").asText());
        assertEquals(200, status(raw("GET", "/v1/models", with(local(), "Host", "kaiyuan.lan"), null)), "a configured host");
        assertEquals(200, status(raw("GET", "/v1/models", with(local(), "Host", "[::1]:" + server.port()), null)));

        String page = raw("POST", "/v1/chat/completions", with(local(), "Origin", "https://evil.example"), "{}");
        assertEquals(403, status(page));
        assertEquals("origin_not_allowed", error(page).path("code").asText());
        String localPage = raw("GET", "/v1/models", with(local(), "Origin", "http://localhost:5173"), null);
        assertEquals(200, status(localPage));
        assertTrue(localPage.toLowerCase().contains("access-control-allow-origin: http://localhost:5173"), localPage);
        String preflight = raw("OPTIONS", "/v1/chat/completions", with(with(local(), "Origin", "https://app.example"),
                "Authorization", null), null);
        assertEquals(204, status(preflight), "a configured origin's preflight needs no key");
        assertTrue(preflight.toLowerCase().contains("access-control-allow-headers: authorization, content-type"), preflight);

        String noKey = raw("GET", "/v1/models", with(local(), "Authorization", null), null);
        assertEquals(401, status(noKey));
        assertEquals("invalid_api_key", error(noKey).path("code").asText());
        assertEquals(401, status(raw("GET", "/v1/models", with(local(), "Authorization", "Bearer sk-wrong"), null)));

        String big = raw("POST", "/v1/chat/completions", local(), "{\"model\":\"tiny/chat\",\"messages\":[{\"role\":\"user\","
                + "\"content\":\"" + "长".repeat(30_000) + "\"}]}");
        assertEquals(413, status(big));
        assertEquals("request_too_large", error(big).path("code").asText());

        String notJson = raw("POST", "/v1/chat/completions", local(), "{\"model\": ");
        assertEquals(400, status(notJson));
        assertEquals("invalid_request_error", error(notJson).path("type").asText());
        String n2 = raw("POST", "/v1/chat/completions", local(),
                "{\"model\":\"tiny/chat\",\"n\":2,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
        assertEquals(400, status(n2));
        assertEquals("n", error(n2).path("param").asText());
        String topP = raw("POST", "/v1/chat/completions", local(),
                "{\"model\":\"tiny/chat\",\"top_p\":3,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
        assertEquals(400, status(topP));
        assertTrue(error(topP).path("message").asText().contains("top-p must be in (0, 1]"), topP);
        String noMessages = raw("POST", "/v1/chat/completions", local(), "{\"model\":\"tiny/chat\",\"messages\":[]}");
        assertEquals("messages", error(noMessages).path("param").asText());
        String image = raw("POST", "/v1/chat/completions", local(), "{\"model\":\"tiny/chat\",\"messages\":[{\"role\":\"user\","
                + "\"content\":[{\"type\":\"image_url\",\"image_url\":{\"url\":\"x\"}}]}]}");
        assertEquals(400, status(image));
        assertTrue(error(image).path("message").asText().contains("only text parts"), image);

        String unknownModel = raw("POST", "/v1/chat/completions", local(),
                "{\"model\":\"no/such\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
        assertEquals(404, status(unknownModel));
        assertEquals("model_not_found", error(unknownModel).path("code").asText());
        assertEquals(405, status(raw("GET", "/v1/chat/completions", local(), null)));
        assertEquals(404, status(raw("GET", "/v2/anything", local(), null)));
        assertEquals(200, status(raw("GET", "/v1/models/tiny/chat", local(), null)));

        String tooLong = raw("POST", "/v1/chat/completions", local(), "{\"model\":\"tiny/chat\",\"stream\":true,\"messages\":"
                + "[{\"role\":\"user\",\"content\":\"" + "长江 黄河 ".repeat(3000) + "\"}]}");
        assertEquals(400, status(tooLong), "a prompt longer than the context fails before the stream starts");
        assertEquals("context_length_exceeded", error(tooLong).path("code").asText());
    }

    @Test
    void aFullQueueAnswers429AndAClientThatLeavesStopsItsGeneration() throws Exception {
        finished.clear();
        // A long streaming answer; its first event is read, then the client hangs up.
        Socket socket = new Socket("127.0.0.1", server.port());
        String body = "{\"model\":\"tiny/chat\",\"stream\":true,\"max_tokens\":3000,\"temperature\":0,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"写一篇很长的文章\"}]}";
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        socket.getOutputStream().write(("POST /v1/chat/completions HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + KEY
                + "\r\nContent-Type: application/json\r\nContent-Length: " + bytes.length + "\r\n\r\n").getBytes(StandardCharsets.UTF_8));
        socket.getOutputStream().write(bytes);
        socket.getOutputStream().flush();
        BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
        for (String line; (line = in.readLine()) != null; ) {
            if (line.startsWith("data: ") && line.contains("\"content\":\"") && !line.contains("\"content\":\"\"")) {
                break; // the answer is streaming
            }
        }
        // The model runs this one with none allowed to wait: another request is refused.
        String refused = raw("POST", "/v1/chat/completions", local(),
                "{\"model\":\"tiny/chat\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
        assertEquals(429, status(refused));
        assertEquals("rate_limit_error", error(refused).path("type").asText());
        assertTrue(refused.toLowerCase().contains("retry-after: 1"), refused);

        socket.close();
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (finished.isEmpty() && System.nanoTime() < end) {
            Thread.sleep(20);
        }
        assertEquals(FinishReason.CANCELLED, finished.get(0).finishReason(), "hanging up stopped the generation");
        assertTrue(finished.get(0).tokenIds().size() < 3000);
        assertNotEquals(429, status(raw("POST", "/v1/chat/completions", local(),
                "{\"model\":\"tiny/chat\",\"max_tokens\":2,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")),
                "the model is free again");
    }

    @Test
    void aReasoningModelsThinkingComesAsReasoningContent() throws Exception {
        // The template opens <think> the way DeepSeek-R1 distills' do: everything the model writes is reasoning.
        Path thinker = TestModels.withTokenizer(TestModels.chatSized(), dir.resolve("thinker"));
        java.nio.file.Files.writeString(thinker.resolve("chat_template.jinja"), "{% for m in messages %}<|im_start|>{{ m.role }}\n"
                + "{{ m.content }}<|im_end|>\n{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant\n<think>\n{% endif %}");
        try (OpenAiServer r1 = OpenAiServer.start(ServerConfig.defaults().withPort(0), pool(thinker, 2))) {
            java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
            String body = "{\"model\":\"tiny/chat\",\"max_tokens\":8,\"temperature\":0,"
                    + "\"messages\":[{\"role\":\"user\",\"content\":\"为什么天是蓝的？\"}]}";
            java.net.http.HttpResponse<String> plain = http.send(java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create(r1.baseUrl() + "/chat/completions")).POST(java.net.http.HttpRequest.BodyPublishers
                    .ofString(body)).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
            JsonNode message = JSON.readTree(plain.body()).path("choices").get(0).path("message");
            assertEquals("", message.path("content").asText(), plain.body());
            assertFalse(message.path("reasoning_content").asText().isEmpty(), plain.body());

            java.net.http.HttpResponse<String> streamed = http.send(java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create(r1.baseUrl() + "/chat/completions")).POST(java.net.http.HttpRequest.BodyPublishers
                    .ofString(body.replace("{\"model\"", "{\"stream\":true,\"model\""))).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            StringBuilder reasoning = new StringBuilder();
            for (String line : streamed.body().split("\n")) {
                if (line.startsWith("data: {")) {
                    reasoning.append(JSON.readTree(line.substring(6)).path("choices").path(0).path("delta")
                            .path("reasoning_content").asText(""));
                }
            }
            assertEquals(message.path("reasoning_content").asText(), reasoning.toString(), "streamed as reasoning_content deltas");
        }
    }
}
