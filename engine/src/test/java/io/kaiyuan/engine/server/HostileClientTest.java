package io.kaiyuan.engine.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionTokenLogprob;
import io.kaiyuan.engine.api.ExecutionProvider;
import io.kaiyuan.engine.api.FinishReason;
import io.kaiyuan.engine.api.GenerationResult;
import io.kaiyuan.engine.generate.LanguageModel;
import io.kaiyuan.engine.model.ModelRegistry;
import io.kaiyuan.engine.ort.OrtRuntime;
import io.kaiyuan.engine.testing.TestModels;
import io.kaiyuan.engine.tokenize.Tokenizer;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server against hostile or careless clients: ids the registry refuses, clients that leave before
 * their answer (running or queued), unlimited or overflowing token budgets, fields of the wrong type,
 * OpenAI's penalties, bias and log probabilities, tool-call histories, browser SDK preflights, and errors
 * that never show library internals.
 */
class HostileClientTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String KEY = "sk-hostile";
    private static final int EOS = 151645;

    @TempDir
    static Path dir;
    static OpenAiServer server;
    static ModelPool pool;
    static Tokenizer tokenizer;
    static final List<GenerationResult> finished = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        ModelRegistry registry = new ModelRegistry(dir.resolve("models"));
        Path tiny = TestModels.withTokenizer(TestModels.chatSized(), dir.resolve("tiny"));
        registry.importFolder(tiny, "tiny/chat", false);
        Path qwen3 = TestModels.withTokenizer(TestModels.chatSized(), dir.resolve("qwen3"));
        Files.writeString(qwen3.resolve("chat_template.jinja"), corpusTemplate("Qwen/Qwen3-0.6B"));
        registry.importFolder(qwen3, "tiny/qwen3", false);
        Path qwen25 = TestModels.withTokenizer(TestModels.chatSized(), dir.resolve("qwen25"));
        Files.writeString(qwen25.resolve("chat_template.jinja"), corpusTemplate("Qwen/Qwen2.5-7B-Instruct"));
        registry.importFolder(qwen25, "tiny/qwen25", false);
        Path slow = TestModels.withTokenizer(TestModels.chatSized(), dir.resolve("slow"));
        Files.writeString(slow.resolve("chat_template.jinja"),
                "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}");
        registry.importFolder(slow, "tiny/slow", false);
        pool = ModelPool.installed(new OrtRuntime(), registry,
                new LanguageModel.LoadOptions(Optional.empty(), ExecutionProvider.CPU, 1), 1);
        pool.onFinished((id, r) -> finished.add(r));
        server = OpenAiServer.start(ServerConfig.defaults().withPort(0).withApiKey(KEY).withMaxBodyBytes(64 * 1024)
                .withDefaultMaxTokens(7).withAllowed(java.util.Set.of(), java.util.Set.of("https://app.example")), pool);
        server.timing(50, 300);
        tokenizer = Tokenizer.load(tiny);
    }

    @AfterAll
    static void stop() {
        server.close();
        tokenizer.close();
    }

    @BeforeEach
    void clear() {
        finished.clear();
    }

    private static String corpusTemplate(String name) throws Exception {
        try (InputStream in = HostileClientTest.class.getResourceAsStream("/chat-templates/hf-jinja-e2e.json")) {
            for (JsonNode c : JSON.readTree(in).get("cases")) {
                if (c.get("name").asText().equals(name)) {
                    return c.get("chat_template").asText();
                }
            }
        }
        throw new AssertionError(name + " is in the corpus");
    }

    @Test
    void idsTheRegistryRefusesAreUnknownModels() throws Exception {
        for (String id : new String[] {"qwen2.5:0.5b", "..", ".staging", "a/../../b", "tiny\\\\chat"}) {
            String r = post("{\"model\":\"" + id + "\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
            assertEquals(404, status(r), r);
            assertEquals("model_not_found", error(r).path("code").asText(), r);
        }
    }

    @Test
    void aNonStreamingClientThatLeavesStopsItsGeneration() throws Exception {
        try (Socket socket = open(chat("tiny/chat", false, 3000))) {
            String status = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8))
                    .readLine();
            assertEquals("HTTP/1.1 200 OK", status, "the status goes out once the prompt is accepted");
        }
        GenerationResult r = awaitFinished(1).get(0);
        assertEquals(FinishReason.CANCELLED, r.finishReason(), "hanging up stopped the generation");
        assertTrue(r.tokenIds().size() < 3000, "stopped early: " + r.tokenIds().size());
    }

    @Test
    void aQueuedRequestWhoseClientLeftNeverRuns() throws Exception {
        Socket running = open(chat("tiny/chat", true, 3000));
        BufferedReader in = new BufferedReader(new InputStreamReader(running.getInputStream(), StandardCharsets.UTF_8));
        for (String line; (line = in.readLine()) != null; ) {
            if (line.startsWith("data: ") && line.contains("\"content\":\"") && !line.contains("\"content\":\"\"")) {
                break;
            }
        }
        Socket queued = open(chat("tiny/chat", false, 5));
        String status = new BufferedReader(new InputStreamReader(queued.getInputStream(), StandardCharsets.UTF_8))
                .readLine();
        assertEquals("HTTP/1.1 200 OK", status, "a queued request's status goes out after a while");
        queued.close();
        Thread.sleep(300); // a few keep-alives find the connection closed
        running.close();
        awaitFinished(1);
        Thread.sleep(1000);
        assertEquals(1, finished.size(), "only the running request ran: " + finished);
        assertEquals(FinishReason.CANCELLED, finished.get(0).finishReason(), "it ran until its client left");
        assertEquals(0, pool.pending("tiny/chat"));
    }

    @Test
    void aTemplateThatTakesLongStillGetsItsErrorStatus() throws Exception {
        // Rendering takes longer than the queue wait after which a waiting request's status goes out; the
        // request is not queued, so its status waits for the prompt.
        String r = post("{\"model\":\"tiny/slow\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
        assertEquals(500, status(r), r);
        // which of the two bounds stops it first (10,000,000 steps or 5 s) depends on the machine's speed
        String message = error(r).path("message").asText();
        assertTrue(message.equals("tiny/slow's chat template is too slow: it takes more than 10,000,000 steps")
                || message.equals("tiny/slow's chat template is too slow: it did not finish within 5 s"), message);
        assertEquals("chat_template_too_costly", error(r).path("code").asText());
    }

    @Test
    void tokenBudgetsHaveADefaultAndNeverOverflow() throws Exception {
        JsonNode plain = body(post(chat("tiny/chat", false, null)));
        assertTrue(plain.path("usage").path("completion_tokens").asInt() <= 7, "the default of 7: " + plain);
        for (String max : new String[] {"2147483647", "1000000000000000000000"}) {
            // logit_bias makes end-of-sequence certain: the budget is taken, the answer short.
            String r = post("{\"model\":\"tiny/chat\",\"max_tokens\":" + max + ",\"logit_bias\":{\"" + EOS + "\":100},"
                    + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
            assertEquals(200, status(r), r);
            assertEquals("stop", body(r).path("choices").path(0).path("finish_reason").asText(), r);
            assertEquals(1, body(r).path("usage").path("completion_tokens").asInt(), r);
        }
    }

    @Test
    void everyAcceptedFieldHasItsTypeChecked() throws Exception {
        Map<String, String> bad = new LinkedHashMap<>();
        bad.put("\"frequency_penalty\":\"x\"", "frequency_penalty");
        bad.put("\"presence_penalty\":3", "presence_penalty");
        bad.put("\"n\":\"2\"", "n");
        bad.put("\"stream\":\"yes\"", "stream");
        bad.put("\"stream_options\":1", "stream_options");
        bad.put("\"logprobs\":\"true\"", "logprobs");
        bad.put("\"logprobs\":true,\"top_logprobs\":21", "top_logprobs");
        bad.put("\"top_logprobs\":2", "top_logprobs");
        bad.put("\"logit_bias\":[1]", "logit_bias");
        bad.put("\"logit_bias\":{\"abc\":1}", "logit_bias");
        bad.put("\"logit_bias\":{\"5\":500}", "logit_bias");
        bad.put("\"logit_bias\":{\"5\":\"high\"}", "logit_bias");
        bad.put("\"stop\":[1]", "stop");
        bad.put("\"user\":5", "user");
        bad.put("\"metadata\":\"x\"", "metadata");
        bad.put("\"tools\":{}", "tools");
        bad.put("\"seed\":1.5", "seed");
        bad.put("\"temperature\":\"hot\"", "temperature");
        for (Map.Entry<String, String> field : bad.entrySet()) {
            String r = post("{\"model\":\"tiny/chat\"," + field.getKey() + ",\"messages\":[{\"role\":\"user\","
                    + "\"content\":\"hi\"}]}");
            assertEquals(400, status(r), field.getKey() + ": " + r);
            assertEquals(field.getValue(), error(r).path("param").asText(), field.getKey() + ": " + r);
        }
        String beyond = post("{\"model\":\"tiny/chat\",\"logit_bias\":{\"99999999\":1},\"messages\":[{\"role\":\"user\","
                + "\"content\":\"hi\"}]}");
        assertEquals(400, status(beyond), beyond);
        assertTrue(error(beyond).path("message").asText().contains("ids end at 151935"), beyond);
        String ignored = post("{\"model\":\"tiny/chat\",\"user\":\"u1\",\"metadata\":{\"a\":\"b\"},\"max_tokens\":1,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
        assertEquals(200, status(ignored), ignored);
    }

    @Test
    void penaltiesAndBiasFollowOpenAi() throws Exception {
        String k = tokenizer.decode(new int[] {42}, false);
        String biased = answer("{\"model\":\"tiny/chat\",\"max_tokens\":10,\"temperature\":0,\"logit_bias\":{\"42\":100},"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
        assertEquals(k.repeat(10), biased, "a bias of 100 makes the token certain");
        // Each repeat costs 2 + 2 (frequency and presence): the bias no longer wins after some of them.
        String penalised = answer("{\"model\":\"tiny/chat\",\"max_tokens\":80,\"temperature\":0,\"logit_bias\":{\"42\":100},"
                + "\"frequency_penalty\":2,\"presence_penalty\":2,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
        assertTrue(penalised.startsWith(k.repeat(5)), penalised);
        assertNotEquals(k.repeat(80), penalised, "the penalties ended the run of one token");
        String banned = answer("{\"model\":\"tiny/chat\",\"max_tokens\":10,\"temperature\":0,\"logit_bias\":{\"42\":100},"
                + "\"presence_penalty\":2,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
        assertEquals(k.repeat(10), banned, "presence costs once, not per repeat");
    }

    @Test
    void logprobsComeWithTheAnswerAndParseInTheOfficialClient() {
        OpenAIClient client = OpenAIOkHttpClient.builder().baseUrl(server.baseUrl()).apiKey(KEY).maxRetries(0).build();
        ChatCompletion c = client.chat().completions().create(ChatCompletionCreateParams.builder().model("tiny/chat")
                .addUserMessage("你好").maxCompletionTokens(4).temperature(0.0).logprobs(true).topLogprobs(3).build());
        List<ChatCompletionTokenLogprob> tokens = c.choices().get(0).logprobs().orElseThrow().content().orElseThrow();
        assertEquals(4, tokens.size());
        StringBuilder text = new StringBuilder();
        for (ChatCompletionTokenLogprob t : tokens) {
            assertTrue(t.logprob() <= 0, "a log probability: " + t.logprob());
            assertEquals(3, t.topLogprobs().size());
            assertEquals(t.token(), t.topLogprobs().get(0).token(), "greedy takes the most likely token");
            assertEquals(t.logprob(), t.topLogprobs().get(0).logprob(), 1e-9);
            assertTrue(t.topLogprobs().get(0).logprob() >= t.topLogprobs().get(1).logprob()
                    && t.topLogprobs().get(1).logprob() >= t.topLogprobs().get(2).logprob(), "most likely first");
            text.append(t.token());
        }
        assertEquals(c.choices().get(0).message().content().orElseThrow(), text.toString());
        ChatCompletion none = client.chat().completions().create(ChatCompletionCreateParams.builder().model("tiny/chat")
                .addUserMessage("你好").maxCompletionTokens(2).build());
        assertTrue(none.choices().get(0).logprobs().isEmpty(), "none unless asked for");
    }

    @Test
    void aToolCallHistoryReachesTheTemplateAsTransformersPassesIt() throws Exception {
        String messages = "[{\"role\":\"user\",\"content\":\"北京天气？\"},{\"role\":\"assistant\",\"content\":null,"
                + "\"tool_calls\":[{\"id\":\"call_1\",\"type\":\"function\",\"function\":{\"name\":\"get_weather\","
                + "\"arguments\":\"{\\\"city\\\":\\\"北京\\\"}\"}}]},{\"role\":\"tool\",\"tool_call_id\":\"call_1\","
                + "\"content\":\"晴\"}]";
        for (String model : new String[] {"tiny/chat", "tiny/qwen3", "tiny/qwen25"}) {
            finished.clear();
            String r = post("{\"model\":\"" + model + "\",\"max_tokens\":1,\"messages\":" + messages + "}");
            assertEquals(200, status(r), model + ": " + r);
            if (!model.equals("tiny/chat")) {
                String prompt = decode(awaitFinished(1).get(0).promptTokenIds());
                assertTrue(prompt.contains("<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"北京\"}}\n"
                        + "</tool_call>"), model + ": " + prompt);
                assertTrue(prompt.contains("<tool_response>\n晴\n</tool_response>"), model + ": " + prompt);
            }
        }
    }

    @Test
    void aBrowserSdksPreflightGetsTheHeadersItAsksFor() throws Exception {
        String preflight = raw("OPTIONS", "/v1/chat/completions", Map.of("Host", "localhost", "Origin",
                "https://app.example", "Access-Control-Request-Method", "POST", "Access-Control-Request-Headers",
                "authorization, content-type, x-stainless-os, x-stainless-lang, x-stainless-retry-count"), null);
        assertEquals(204, status(preflight), preflight);
        assertTrue(preflight.toLowerCase().contains("x-stainless-os, x-stainless-lang, x-stainless-retry-count"), preflight);
        String odd = raw("OPTIONS", "/v1/chat/completions", Map.of("Host", "localhost", "Origin", "https://app.example",
                "Access-Control-Request-Headers", "x-a; drop table"), null);
        assertTrue(odd.toLowerCase().contains("access-control-allow-headers: authorization, content-type\r\n"), odd);
        String foreign = raw("OPTIONS", "/v1/chat/completions", Map.of("Host", "localhost", "Origin",
                "https://evil.example", "Access-Control-Request-Headers", "x-stainless-os"), null);
        assertEquals(403, status(foreign));
    }

    @Test
    void errorsNeverShowLibraryInternals() throws Exception {
        for (String body : new String[] {"{\"model\": ", "{\"model\":\"tiny/chat\",\"messages\":[}",
                "[".repeat(5000) + "]".repeat(5000), "{\"model\":\"tiny/chat\",\"max_tokens\":1e999999999}"}) {
            String r = post(body);
            assertEquals(400, status(r), r);
            String message = error(r).path("message").asText();
            assertFalse(message.contains("Source") || message.contains("REDACTED") || message.contains("com.fasterxml")
                    || message.contains("`") || message.contains("Constraints")
                    || message.contains("\n"), message);
        }
        // A Content-Length that is not a number is refused by the JDK's HTTP server before Kaiyuan sees the
        // request: a 400, with its own short HTML body.
        String badLength = rawBytes("POST /v1/chat/completions HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + KEY
                + "\r\nContent-Length: abc\r\nConnection: close\r\n\r\n{}");
        assertTrue(badLength.startsWith("HTTP/1.1 400"), badLength);
    }

    @Test
    void aDeclaredBodyAboveTheLimitGets413AtOnce() throws Exception {
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout(5_000);
            OutputStream out = socket.getOutputStream();
            out.write(("POST /v1/chat/completions HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + KEY
                    + "\r\nContent-Type: application/json\r\nContent-Length: 1000000000000\r\n\r\n{\"model\":")
                    .getBytes(StandardCharsets.UTF_8));
            out.flush();
            String status;
            try {
                status = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8))
                        .readLine();
            } catch (SocketTimeoutException e) {
                throw new AssertionError("no answer while the client still has a terabyte to send");
            }
            assertTrue(status.startsWith("HTTP/1.1 413"), status);
        }
    }

    @Test
    void theBearerSchemeIsReadInAnyCase() throws Exception {
        for (String scheme : new String[] {"Bearer", "bearer", "BEARER"}) {
            assertEquals(200, status(raw("GET", "/v1/models", Map.of("Host", "localhost", "Authorization",
                    scheme + " " + KEY), null)), scheme);
        }
        assertEquals(401, status(raw("GET", "/v1/models", Map.of("Host", "localhost", "Authorization",
                "bearer " + KEY.toUpperCase()), null)), "the key itself is exact");
        assertEquals(401, status(raw("GET", "/v1/models", Map.of("Host", "localhost", "Authorization", "Basic " + KEY),
                null)));
    }

    private static String chat(String model, boolean stream, Integer maxTokens) {
        return "{\"model\":\"" + model + "\",\"stream\":" + stream + (maxTokens == null ? "" : ",\"max_tokens\":" + maxTokens)
                + ",\"temperature\":0,\"messages\":[{\"role\":\"user\",\"content\":\"写一篇很长的文章\"}]}";
    }

    private static String answer(String body) throws Exception {
        String r = post(body);
        assertEquals(200, status(r), r);
        return body(r).path("choices").path(0).path("message").path("content").asText();
    }

    private static String decode(List<Integer> ids) {
        return tokenizer.decode(ids.stream().mapToInt(Integer::intValue).toArray(), false);
    }

    private static List<GenerationResult> awaitFinished(int n) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (finished.size() < n && System.nanoTime() < end) {
            Thread.sleep(10);
        }
        assertTrue(finished.size() >= n, "finished: " + finished.size());
        return new ArrayList<>(finished);
    }

    /** A socket with a chat request sent and the connection left open. */
    private static Socket open(String body) throws Exception {
        Socket socket = new Socket("127.0.0.1", server.port());
        socket.setSoTimeout(30_000);
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        OutputStream out = socket.getOutputStream();
        out.write(("POST /v1/chat/completions HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + KEY
                + "\r\nContent-Type: application/json\r\nContent-Length: " + bytes.length + "\r\n\r\n")
                .getBytes(StandardCharsets.UTF_8));
        out.write(bytes);
        out.flush();
        return socket;
    }

    private static String post(String body) throws Exception {
        return raw("POST", "/v1/chat/completions", Map.of("Host", "localhost", "Authorization", "Bearer " + KEY,
                "Content-Type", "application/json"), body);
    }

    private static String raw(String method, String path, Map<String, String> headers, String body) throws Exception {
        StringBuilder request = new StringBuilder(method + " " + path + " HTTP/1.1\r\n");
        headers.forEach((k, v) -> request.append(k).append(": ").append(v).append("\r\n"));
        String payload = body == null ? "" : body;
        request.append("Content-Length: ").append(payload.getBytes(StandardCharsets.UTF_8).length)
                .append("\r\nConnection: close\r\n\r\n").append(payload);
        return rawBytes(request.toString());
    }

    private static String rawBytes(String request) throws Exception {
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout(60_000);
            socket.getOutputStream().write(request.getBytes(StandardCharsets.UTF_8));
            socket.getOutputStream().flush();
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static int status(String response) {
        return Integer.parseInt(response.substring(9, 12));
    }

    private static JsonNode body(String response) throws Exception {
        String body = response.substring(response.indexOf("\r\n\r\n") + 4);
        if (response.toLowerCase().contains("transfer-encoding: chunked")) {
            body = unchunk(body);
        }
        return JSON.readTree(body);
    }

    private static String unchunk(String chunked) {
        StringBuilder out = new StringBuilder();
        int at = 0;
        while (at < chunked.length()) {
            int eol = chunked.indexOf("\r\n", at);
            int size = Integer.parseInt(chunked.substring(at, eol).strip(), 16);
            if (size == 0) {
                break;
            }
            byte[] rest = chunked.substring(eol + 2).getBytes(StandardCharsets.UTF_8);
            String piece = new String(rest, 0, size, StandardCharsets.UTF_8);
            out.append(piece);
            at = eol + 2 + piece.length() + 2;
        }
        return out.toString();
    }

    private static JsonNode error(String response) throws Exception {
        return body(response).path("error");
    }
}
