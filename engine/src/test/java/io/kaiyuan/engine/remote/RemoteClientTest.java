package io.kaiyuan.engine.remote;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.kaiyuan.engine.api.CancellationToken;
import io.kaiyuan.engine.api.ChatMessage;
import io.kaiyuan.engine.api.ExecutionProvider;
import io.kaiyuan.engine.api.FinishReason;
import io.kaiyuan.engine.api.GenerationRequest;
import io.kaiyuan.engine.api.GenerationResult;
import io.kaiyuan.engine.api.SamplingOverrides;
import io.kaiyuan.engine.api.TokenListener;
import io.kaiyuan.engine.generate.LanguageModel;
import io.kaiyuan.engine.ort.OrtRuntime;
import io.kaiyuan.engine.server.ModelPool;
import io.kaiyuan.engine.server.OpenAiServer;
import io.kaiyuan.engine.server.ServerConfig;
import io.kaiyuan.engine.testing.TestModels;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The remote client against Kaiyuan's own server on loopback (the same answer as the model run here), and
 * against a loopback stub that streams reasoning, malformed events, early ends and error statuses.
 */
class RemoteClientTest {
    @TempDir
    static Path dir;
    static Path model;
    static OpenAiServer kaiyuan;
    static HttpServer stub;

    private static final GenerationRequest GREEDY = new GenerationRequest(new GenerationRequest.Prompt.Chat(
            List.of(ChatMessage.system("回答要简短。"), ChatMessage.user("长江有多长？")), Map.of()),
            new SamplingOverrides(0.0, null, null, null, null, 3L), 10, List.of());

    @BeforeAll
    static void start() throws Exception {
        model = TestModels.withTokenizer(TestModels.chatSized(), dir.resolve("tiny"));
        kaiyuan = OpenAiServer.start(ServerConfig.defaults().withPort(0).withApiKey("sk-k"), new ModelPool(new OrtRuntime(),
                () -> List.of("tiny/chat"), id -> id.equals("tiny/chat") ? Optional.of(model) : Optional.empty(),
                new LanguageModel.LoadOptions(Optional.empty(), ExecutionProvider.CPU, 1), 4, () -> 16L << 30));
        stub = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        stub.createContext("/v1/models", e -> send(e, 200, "application/json", "{\"object\":\"list\",\"data\":[{\"id\":\"r1\"},"
                + "{\"id\":\"Qwen/Qwen3-235B-A22B\"}]}"));
        stub.createContext("/v1/chat/completions", RemoteClientTest::chat);
        stub.createContext("/", e -> send(e, 200, "text/html", "<html>a web page</html>"));
        stub.start();
    }

    @AfterAll
    static void stop() {
        kaiyuan.close();
        stub.stop(0);
    }

    private static void send(HttpExchange e, int status, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        e.getResponseHeaders().set("Content-Type", type);
        e.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = e.getResponseBody()) {
            out.write(bytes);
        }
    }

    private static String chunk(String deltaJson, String finish) {
        return "data: {\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":" + deltaJson
                + ",\"finish_reason\":" + (finish == null ? "null" : "\"" + finish + "\"") + "}]}\n\n";
    }

    /** Answers by the model named in the request. */
    private static void chat(HttpExchange e) throws IOException {
        String body = new String(e.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        String model = body.replaceAll("(?s).*\"model\":\"([^\"]*)\".*", "$1");
        switch (model) {
            case "e401" -> send(e, 401, "application/json", "{\"error\":{\"message\":\"Authentication Fails (no such user)\","
                    + "\"type\":\"authentication_error\"}}");
            case "e500" -> send(e, 500, "text/plain", "upstream exploded");
            case "e429" -> send(e, 429, "application/json", "{\"error\":{\"message\":\"Rate limit reached\"}}");
            default -> {
                e.getResponseHeaders().set("Content-Type", "text/event-stream");
                e.sendResponseHeaders(200, 0);
                try (OutputStream out = e.getResponseBody()) {
                    stream(model, body, out);
                } catch (IOException gone) {
                    // the client stopped reading
                }
            }
        }
    }

    private static void write(OutputStream out, String s) throws IOException {
        out.write(s.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private static void stream(String model, String body, OutputStream out) throws IOException {
        switch (model) {
            case "r1" -> {
                write(out, ": a comment line\n\n");
                write(out, chunk("{\"role\":\"assistant\",\"content\":\"\"}", null));
                write(out, chunk("{\"reasoning_content\":\"用户问长江。\"}", null));
                write(out, chunk("{\"reasoning_content\":\"约 6300 公里。\"}", null));
                write(out, chunk("{\"content\":\"长江约 \"}", null));
                write(out, chunk("{\"content\":\"6300 公里。\"}", null));
                write(out, chunk("{}", "stop"));
                write(out, "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":9,\"total_tokens\":21}}\n\n");
                write(out, "data: [DONE]\n\n");
            }
            case "tags" -> {
                for (String piece : new String[] {"<thi", "nk>\n想一想", "</th", "ink>\n\n答案", "是 42"}) {
                    write(out, chunk("{\"content\":\"" + piece.replace("\n", "\\n") + "\"}", null));
                }
                write(out, chunk("{}", "length"));
                write(out, "data: [DONE]\n\n");
            }
            case "echo" -> {
                String escaped = body.replace("\\", "\\\\").replace("\"", "\\\"");
                write(out, chunk("{\"content\":\"" + escaped + "\"}", "stop"));
                write(out, "data: [DONE]\n\n");
            }
            case "malformed" -> {
                write(out, chunk("{\"content\":\"ok \"}", null));
                write(out, "data: {\"choices\": [oops\n\n");
            }
            case "early" -> write(out, chunk("{\"content\":\"half an ans\"}", null));
            case "error-event" -> {
                write(out, chunk("{\"content\":\"ok \"}", null));
                write(out, "data: {\"error\":{\"message\":\"the model is overloaded\"}}\n\n");
            }
            case "slow" -> {
                for (int i = 0; i < 600; i++) {
                    write(out, chunk("{\"content\":\"tick \"}", null));
                    try {
                        Thread.sleep(50);
                    } catch (InterruptedException ex) {
                        return;
                    }
                }
            }
            default -> write(out, "data: [DONE]\n\n");
        }
    }

    private static RemoteClient stubClient() {
        return new RemoteClient(new Endpoint("stub", "http://127.0.0.1:" + stub.getAddress().getPort() + "/v1/"), Optional.of("k"));
    }

    private static GenerationRequest ask(String text) {
        return new GenerationRequest(new GenerationRequest.Prompt.Chat(List.of(ChatMessage.user(text)), Map.of()),
                SamplingOverrides.NONE, 1 << 20, List.of());
    }

    @Test
    void kaiyuansOwnServerAnswersAsTheModelDoesHere() {
        RemoteClient client = new RemoteClient(new Endpoint("this machine", kaiyuan.baseUrl()), Optional.of("sk-k"));
        assertEquals(List.of("tiny/chat"), client.models());
        StringBuilder streamed = new StringBuilder();
        GenerationResult remote = client.chat("tiny/chat", GREEDY, streamed::append, new CancellationToken());
        GenerationResult local;
        try (LanguageModel m = LanguageModel.load(new OrtRuntime(), model,
                new LanguageModel.LoadOptions(Optional.empty(), ExecutionProvider.CPU, 1))) {
            local = m.generate(GREEDY, TokenListener.NONE, new CancellationToken());
        }
        assertEquals(local.answer(), remote.answer(), "the same greedy answer over the API");
        assertEquals(remote.answer(), streamed.toString());
        assertEquals(FinishReason.LENGTH, remote.finishReason());
        assertEquals(10, remote.metrics().generatedTokens(), "usage from the server");
        assertEquals(local.promptTokenIds().size(), remote.metrics().promptTokens());
        assertTrue(remote.metrics().ttftMs() > 0);

        RemoteException wrongKey = assertThrows(RemoteException.class, () -> new RemoteClient(
                new Endpoint("this machine", kaiyuan.baseUrl()), Optional.of("sk-wrong")).models());
        assertEquals(401, wrongKey.status());
        assertTrue(wrongKey.getMessage().contains("Incorrect or missing API key")
                && wrongKey.getMessage().contains("Check the endpoint's API key"), wrongKey.getMessage());
        RemoteException noModel = assertThrows(RemoteException.class, () -> client.chat("no/such", GREEDY, TokenListener.NONE,
                new CancellationToken()));
        assertTrue(noModel.getMessage().startsWith("this machine answered HTTP 404: The model 'no/such' does not exist"),
                noModel.getMessage());
    }

    @Test
    void reasoningComesApartFromTheAnswerWhetherSentAsAFieldOrAsThinkTags() {
        StringBuilder thought = new StringBuilder();
        StringBuilder said = new StringBuilder();
        TokenListener listener = new TokenListener() {
            @Override
            public void onText(String text) {
                said.append(text);
            }

            @Override
            public void onReasoning(String text) {
                thought.append(text);
            }
        };
        RemoteClient client = stubClient();
        assertEquals(List.of("r1", "Qwen/Qwen3-235B-A22B"), client.models());
        GenerationResult r1 = client.chat("r1", ask("长江有多长？"), listener, new CancellationToken());
        assertEquals("用户问长江。约 6300 公里。", r1.reasoning());
        assertEquals("长江约 6300 公里。", r1.answer());
        assertEquals(r1.reasoning(), thought.toString());
        assertEquals(r1.answer(), said.toString());
        assertEquals(9, r1.metrics().generatedTokens());
        assertEquals(12, r1.metrics().promptTokens());
        assertEquals(FinishReason.STOP, r1.finishReason());

        GenerationResult tags = client.chat("tags", ask("?"), TokenListener.NONE, new CancellationToken());
        assertEquals("想一想", tags.reasoning());
        assertEquals("答案是 42", tags.answer());
        assertEquals(FinishReason.LENGTH, tags.finishReason());
    }

    @Test
    void theRequestCarriesTheSettingsThatAreSetAndAsksForUsage() {
        GenerationRequest request = new GenerationRequest(new GenerationRequest.Prompt.Chat(List.of(ChatMessage.user("hi")),
                Map.of()), new SamplingOverrides(0.6, 20, 0.95, null, null, 5L), 64, List.of("\n\n"));
        String echoed = stubClient().chat("echo", request, TokenListener.NONE, new CancellationToken()).answer();
        assertTrue(echoed.contains("\"temperature\":0.6") && echoed.contains("\"top_k\":20") && echoed.contains("\"top_p\":0.95")
                && echoed.contains("\"seed\":5") && echoed.contains("\"max_tokens\":64") && echoed.contains("\"stop\":[\"\\n\\n\"]")
                && echoed.contains("\"stream\":true") && echoed.contains("\"include_usage\":true"), echoed);
        assertFalse(echoed.contains("min_p"), "unset settings are left to the endpoint: " + echoed);
    }

    @Test
    void malformedStreamsEarlyEndsAndErrorStatusesAreReportedWithTheirMessage() throws Exception {
        RemoteClient client = stubClient();
        RemoteException malformed = assertThrows(RemoteException.class, () -> client.chat("malformed", ask("x"),
                TokenListener.NONE, new CancellationToken()));
        assertTrue(malformed.getMessage().contains("stub sent an event that is not JSON: {\"choices\": [oops"));
        assertEquals(RemoteException.Kind.BAD_ANSWER, malformed.kind());
        assertEquals(Optional.of("stub"), malformed.endpoint());
        RemoteException early = assertThrows(RemoteException.class, () -> client.chat("early", ask("x"), TokenListener.NONE,
                new CancellationToken()));
        assertTrue(early.getMessage().contains("ended the answer early"));
        assertEquals(RemoteException.Kind.BAD_ANSWER, early.kind());
        RemoteException errorEvent = assertThrows(RemoteException.class, () -> client.chat("error-event", ask("x"),
                TokenListener.NONE, new CancellationToken()));
        assertTrue(errorEvent.getMessage().contains("stopped with an error: the model is overloaded"));
        assertEquals(RemoteException.Kind.SERVER_ERROR, errorEvent.kind());
        assertEquals("the model is overloaded", errorEvent.detail(), "what the endpoint said, for the window to show");
        RemoteException auth = assertThrows(RemoteException.class, () -> client.chat("e401", ask("x"), TokenListener.NONE,
                new CancellationToken()));
        assertEquals("stub answered HTTP 401: Authentication Fails (no such user) Check the endpoint's API key in Settings.",
                auth.getMessage());
        assertEquals(RemoteException.Kind.KEY_REFUSED, auth.kind());
        RemoteException e500 = assertThrows(RemoteException.class, () -> client.chat("e500", ask("x"), TokenListener.NONE,
                new CancellationToken()));
        assertEquals("stub answered HTTP 500: upstream exploded", e500.getMessage());
        assertEquals(RemoteException.Kind.SERVER_ERROR, e500.kind());
        assertEquals("HTTP 500: upstream exploded", e500.detail());
        RemoteException e429 = assertThrows(RemoteException.class, () -> client.chat("e429", ask("x"), TokenListener.NONE,
                new CancellationToken()));
        assertTrue(e429.getMessage().contains("Rate limit reached The endpoint is busy"));
        assertEquals(RemoteException.Kind.BUSY, e429.kind());

        RemoteException webPage = assertThrows(RemoteException.class, () -> new RemoteClient(new Endpoint("page",
                "http://127.0.0.1:" + stub.getAddress().getPort()), Optional.empty()).models());
        assertTrue(webPage.getMessage().contains("is the base URL right"), webPage.getMessage());
        assertEquals(RemoteException.Kind.BAD_ANSWER, webPage.kind());

        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        RemoteException refused = assertThrows(RemoteException.class, () -> new RemoteClient(new Endpoint("gone",
                "http://127.0.0.1:" + closed + "/v1"), Optional.empty()).models());
        assertTrue(refused.getMessage().startsWith("Cannot reach gone at http://127.0.0.1:" + closed + "/v1"), refused.getMessage());
        assertEquals(RemoteException.Kind.UNREACHABLE, refused.kind());
        assertEquals(Optional.of("gone"), refused.endpoint());
    }

    @Test
    void stoppingEndsTheStreamAtOnce() {
        CancellationToken cancel = new CancellationToken();
        StringBuilder said = new StringBuilder();
        GenerationResult r = stubClient().chat("slow", ask("x"), t -> {
            said.append(t);
            if (said.length() > 20) {
                cancel.cancel();
            }
        }, cancel);
        assertEquals(FinishReason.CANCELLED, r.finishReason());
        assertTrue(r.answer().length() < 200, r.answer());
    }

    @Test
    void badEndpointsAreRefusedWithAnExample() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new Endpoint("x", "api.deepseek.com"))
                .getMessage().contains("https://api.deepseek.com/v1"));
        assertThrows(IllegalArgumentException.class, () -> new Endpoint("a/b", "http://x"));
        Endpoint e = new Endpoint(" DeepSeek ", "https://api.deepseek.com/v1/");
        assertEquals("https://api.deepseek.com/v1", e.baseUrl());
        String id = e.modelId("Qwen/Qwen3-235B-A22B");
        assertEquals("remote/DeepSeek/Qwen/Qwen3-235B-A22B", id);
        assertTrue(Endpoint.isRemote(id));
        assertEquals("DeepSeek", Endpoint.endpointOf(id));
        assertEquals("Qwen/Qwen3-235B-A22B", Endpoint.modelOf(id));
        assertFalse(Endpoint.isRemote("qwen/qwen2.5-0.5b"));
    }
}
