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
            }, ask(), List.of(server), tools, (s, c) -> true, (s, c, r) -> { }, new CancellationToken());
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
                        List.of(server), tools, (s, c) -> true, (s, c, r) -> heard.add(s + " " + c.name() + " -> " + r.text()),
                        new CancellationToken());
                assertEquals(ANSWER, turn.last().answer());
                assertEquals(List.of("echo add -> 42"), heard);
                assertEquals(List.of("assistant", "tool"), turn.added().stream().map(ChatMessage::role).toList());
                assertEquals("42", turn.added().get(1).content());

                heard.clear();
                ToolLoop.Turn denied = ToolLoop.run(q -> m.generate(q, text -> { }, new CancellationToken()), ask(),
                        List.of(server), tools, (s, c) -> false, (s, c, r) -> heard.add(r.text()), new CancellationToken());
                assertEquals(List.of("The user did not allow this call."), heard);
                assertTrue(denied.added().get(1).content().startsWith("Error: "), denied.added().get(1).content());
            }
        }
    }

    private static int tokens(LanguageModel m, GenerationRequest q) {
        GenerationRequest.Prompt.Chat chat = (GenerationRequest.Prompt.Chat) q.prompt();
        return m.promptTokens(chat.messages(), chat.variables());
    }
}
