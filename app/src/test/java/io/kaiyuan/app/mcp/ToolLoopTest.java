package io.kaiyuan.app.mcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kaiyuan.engine.api.CancellationToken;
import io.kaiyuan.engine.api.ChatMessage;
import io.kaiyuan.engine.api.ExecutionProvider;
import io.kaiyuan.engine.api.FinishReason;
import io.kaiyuan.engine.api.GenerationRequest;
import io.kaiyuan.engine.api.GenerationResult;
import io.kaiyuan.engine.api.SamplingOverrides;
import io.kaiyuan.engine.api.ToolCall;
import io.kaiyuan.engine.api.ToolUse;
import io.kaiyuan.engine.mcp.McpServers;
import io.kaiyuan.engine.generate.LanguageModel;
import io.kaiyuan.engine.ort.OrtRuntime;
import io.kaiyuan.engine.testing.TestModels;
import io.kaiyuan.engine.tokenize.Tokenizer;
import java.io.File;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A chat turn with a real MCP server's tools (the SDK's stdio server in a child JVM) and a model that calls
 * one as Qwen does and then answers with the result (a scripted model, its two answers placed after the
 * two prompts the turn makes).
 */
class ToolLoopTest {
    private static final LanguageModel.LoadOptions CPU = new LanguageModel.LoadOptions(Optional.empty(), ExecutionProvider.CPU, 1);
    private static final String CALL = "<tool_call>\n{\"name\": \"add\", \"arguments\": {\"a\": 20, \"b\": 22}}\n</tool_call>";
    private static final String ANSWER = "20 + 22 = 42.";

    @TempDir
    Path dir;

    private static McpConnection echo() throws Exception {
        List<String> parts = new ArrayList<>();
        for (String key : new String[] {"jdk.module.path", "java.class.path"}) {
            String p = System.getProperty(key);
            if (p != null && !p.isBlank()) {
                parts.add(p);
            }
        }
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return McpConnection.open(new McpServers.Server("echo", List.of(java, "-cp",
                String.join(File.pathSeparator, parts), EchoMcpServer.class.getName()), Map.of(), "", true), Duration.ofSeconds(20));
    }

    private static GenerationRequest ask() {
        return new GenerationRequest(new GenerationRequest.Prompt.Chat(List.of(ChatMessage.user("What is 20 + 22?")), Map.of()),
                new SamplingOverrides(0.0, null, null, null, null, 1L), 120, List.of());
    }

    private static GenerationResult fake(String answer, List<ToolCall> calls) {
        return new GenerationResult(List.of(1), List.of(), answer, "", answer, false,
                calls.isEmpty() ? FinishReason.STOP : FinishReason.TOOL_CALLS,
                new io.kaiyuan.engine.api.GenerationMetrics(1, 0, 1, 0, 0, 0, 0, 0), List.of(), calls);
    }

    @Test
    void aCallRunsOnTheServerAndTheModelAnswersWithItsResultAndADeniedCallIsTold() throws Exception {
        try (McpConnection server = echo()) {
            Map<McpConnection, List<ToolUse.Function>> tools = Map.of(server, server.tools());
            // the two prompts the turn makes, recorded with stand-in answers
            List<GenerationRequest> asked = new ArrayList<>();
            ToolLoop.run(q -> {
                asked.add(q);
                return asked.size() == 1 ? fake("", List.of(new ToolCall("call_x", "add", "{\"a\":20,\"b\":22}")))
                        : fake(ANSWER, List.of());
            }, ask(), List.of(server), tools, (s, c) -> true, (round, s, c, r) -> { }, new CancellationToken());
            assertEquals(2, asked.size());
            Path probe = TestModels.scripted(dir.resolve("probe"), new int[] {151645}, 1);
            int first;
            int second;
            int[] call;
            int[] answer;
            try (LanguageModel m = LanguageModel.load(new OrtRuntime(), probe, CPU); Tokenizer t = Tokenizer.load(probe)) {
                first = tokens(m, asked.get(0));
                second = tokens(m, asked.get(1));
                call = t.encode(CALL);
                answer = t.encode(ANSWER);
            }
            Path model = TestModels.scripted(dir.resolve("model"), Map.of(first, call, second, answer));
            List<String> heard = new ArrayList<>();
            try (LanguageModel m = LanguageModel.load(new OrtRuntime(), model, CPU)) {
                ToolLoop.Turn turn = ToolLoop.run(q -> m.generate(q, text -> { }, new CancellationToken()), ask(),
                        List.of(server), tools, (s, c) -> true,
                        (round, s, c, r) -> heard.add(round + " " + s + " " + c.name() + " -> " + r.text()),
                        new CancellationToken());
                assertEquals(ANSWER, turn.last().answer());
                assertEquals(List.of("0 echo add -> 42"), heard);
                assertEquals(List.of("assistant", "tool"), turn.added().stream().map(ChatMessage::role).toList());
                assertEquals("42", turn.added().get(1).content());

                heard.clear();
                ToolLoop.Turn denied = ToolLoop.run(q -> m.generate(q, text -> { }, new CancellationToken()), ask(),
                        List.of(server), tools, (s, c) -> false, (round, s, c, r) -> heard.add(r.text()), new CancellationToken());
                assertEquals(List.of("The user did not allow this call."), heard);
                assertTrue(denied.added().get(1).content().startsWith("Error: "), denied.added().get(1).content());
            }
        }
    }

    /**
     * The desktop chat's backend with mcp.json's servers: the echo server's tools reach the model, a call
     * waits for the page's yes (a server that asks) or runs at once (one that does not), and a server that
     * cannot start is left out and said.
     */
    @Test
    void theChatBackendOffersMcpToolsAndAsksBeforeEachCall() throws Exception {
        try (McpConnection server = echo()) {
            Map<McpConnection, List<ToolUse.Function>> tools = Map.of(server, server.tools());
            List<GenerationRequest> asked = new ArrayList<>();
            GenerationRequest question = new GenerationRequest(new GenerationRequest.Prompt.Chat(
                    List.of(ChatMessage.user("What is 20 + 22?")), Map.of()), SamplingOverrides.NONE, 120, List.of());
            ToolLoop.run(q -> {
                asked.add(q);
                return asked.size() == 1 ? fake("", List.of(new ToolCall("call_x", "add", "{\"a\":20,\"b\":22}")))
                        : fake(ANSWER, List.of());
            }, question, List.of(server), tools, (s, c) -> true, (round, s, c, r) -> { }, new CancellationToken());
            Path probe = TestModels.scripted(dir.resolve("probe"), new int[] {151645}, 1);
            Map<Integer, int[]> scripts = new java.util.HashMap<>();
            try (LanguageModel m = LanguageModel.load(new OrtRuntime(), probe, CPU); Tokenizer t = Tokenizer.load(probe)) {
                scripts.put(tokens(m, asked.get(0)), t.encode(CALL));
                scripts.put(tokens(m, asked.get(1)), t.encode(ANSWER));
            }
            io.kaiyuan.engine.model.ModelRegistry registry = new io.kaiyuan.engine.model.ModelRegistry(dir.resolve("models"));
            registry.importFolder(TestModels.scripted(dir.resolve("caller"), scripts), "tiny/caller", true);
            io.kaiyuan.engine.mcp.McpServers servers = new io.kaiyuan.engine.mcp.McpServers(dir.resolve("mcp.json"));
            servers.put(server.config());
            servers.put(new io.kaiyuan.engine.mcp.McpServers.Server("broken", List.of("/nonexistent/mcp"), Map.of(), "", true));
            try (io.kaiyuan.app.wiring.EngineChatBackend backend = new io.kaiyuan.app.wiring.EngineChatBackend(registry)) {
                backend.setMcpServers(servers);
                List<String> events = new java.util.concurrent.CopyOnWriteArrayList<>();
                java.util.concurrent.CompletableFuture<GenerationResult> done = new java.util.concurrent.CompletableFuture<>();
                StringBuilder streamed = new StringBuilder();
                backend.answer("tiny/caller", List.of(ChatMessage.user("What is 20 + 22?")), Map.of(), SamplingOverrides.NONE,
                        streamed::append, new CancellationToken(), new io.kaiyuan.ui.chat.ChatBackend.Completion() {
                            @Override
                            public boolean allowToolCall(String s, ToolCall call) {
                                events.add("ask " + s + " " + call.name());
                                return true;
                            }

                            @Override
                            public void toolCalled(int round, String s, ToolCall call, String result, boolean error, long millis) {
                                events.add("called " + call.name() + " -> " + result);
                            }

                            @Override
                            public void toolServerFailed(String s, String message) {
                                events.add("left out " + s);
                            }

                            @Override
                            public void finished(GenerationResult result) {
                                done.complete(result);
                            }

                            @Override
                            public void failed(String message) {
                                done.completeExceptionally(new AssertionError(message));
                            }
                        });
                GenerationResult r = done.get(120, java.util.concurrent.TimeUnit.SECONDS);
                assertEquals(ANSWER, r.answer(), events + " / " + streamed + " / " + r.text());
                assertEquals(List.of("left out broken", "ask echo add", "called add -> 42"), events);
                assertTrue(streamed.toString().endsWith(ANSWER), streamed.toString());
            }
        }
    }

    private static int tokens(LanguageModel m, GenerationRequest q) {
        GenerationRequest.Prompt.Chat chat = (GenerationRequest.Prompt.Chat) q.prompt();
        return m.promptTokens(chat.messages(), chat.variables());
    }
}
