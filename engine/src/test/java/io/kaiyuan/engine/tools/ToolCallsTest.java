package io.kaiyuan.engine.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.kaiyuan.engine.api.CancellationToken;
import io.kaiyuan.engine.api.ChatMessage;
import io.kaiyuan.engine.api.ExecutionProvider;
import io.kaiyuan.engine.api.FinishReason;
import io.kaiyuan.engine.api.GenerationRequest;
import io.kaiyuan.engine.api.GenerationResult;
import io.kaiyuan.engine.api.SamplingOverrides;
import io.kaiyuan.engine.api.TokenListener;
import io.kaiyuan.engine.api.ToolCall;
import io.kaiyuan.engine.api.ToolUse;
import io.kaiyuan.engine.constrain.SchemaCheck;
import io.kaiyuan.engine.generate.LanguageModel;
import io.kaiyuan.engine.ort.OrtRuntime;
import io.kaiyuan.engine.testing.TestModels;
import io.kaiyuan.engine.tokenize.Tokenizer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tool calls through the real Qwen3 template and tokenizer, on a model that writes a script (a tool call as
 * Qwen writes one, text, a code block) and on a random-weight model that must call.
 */
class ToolCallsTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String WEATHER = "{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\",\"maxLength\":20},"
            + "\"days\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":14}},\"required\":[\"city\",\"days\"],"
            + "\"additionalProperties\":false}";
    static final ToolUse.Function GET_WEATHER = new ToolUse.Function("get_weather", "The forecast for a city.", WEATHER);
    static final ToolUse.Function GET_TIME = new ToolUse.Function("get_time", "The time in a time zone.",
            "{\"type\":\"object\",\"properties\":{\"zone\":{\"enum\":[\"Asia/Shanghai\",\"UTC\"]}},\"required\":[\"zone\"]}");
    static final List<ChatMessage> ASK = List.of(ChatMessage.user("北京未来三天的天气怎么样？"));
    private static final LanguageModel.LoadOptions CPU = new LanguageModel.LoadOptions(Optional.empty(), ExecutionProvider.CPU, 1);

    @TempDir
    Path dir;

    /** The tools as the template's variable, as transformers passes them. */
    static Map<String, Object> variables(ToolUse tools) throws Exception {
        List<Object> out = new ArrayList<>();
        for (ToolUse.Function f : tools.functions()) {
            out.add(ordered("type", "function", "function", ordered("name", f.name(), "description", f.description(),
                    "parameters", JSON.readValue(f.parameters(), Map.class))));
        }
        return Map.of("tools", out);
    }

    /** A map in the order given, as a JSON reader makes one. */
    static Map<String, Object> ordered(Object... keysAndValues) {
        Map<String, Object> m = new java.util.LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            m.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return m;
    }

    static GenerationRequest request(List<ChatMessage> messages, ToolUse tools) throws Exception {
        return new GenerationRequest(new GenerationRequest.Prompt.Chat(messages, variables(tools)),
                new SamplingOverrides(0.0, null, null, null, null, 1L), 200, List.of()).withTools(tools);
    }

    /** A scripted model that writes {@code text} as the answer to {@code messages} with {@code tools}. */
    static Path scripted(Path dir, List<ChatMessage> messages, ToolUse tools, String text) throws Exception {
        int promptLength;
        Path probe = TestModels.scripted(dir.resolve("probe"), new int[] {151645}, 1);
        try (LanguageModel m = LanguageModel.load(new OrtRuntime(), probe, CPU)) {
            promptLength = m.promptTokens(messages, variables(tools));
        }
        int[] script;
        try (Tokenizer t = Tokenizer.load(probe)) {
            script = t.encode(text);
        }
        return TestModels.scripted(dir.resolve("model"), script, promptLength);
    }

    /** What a listener heard. */
    static final class Heard implements TokenListener {
        final StringBuilder text = new StringBuilder();
        final List<ToolCall> calls = new ArrayList<>();

        @Override
        public void onText(String t) {
            text.append(t);
        }

        @Override
        public void onToolCall(int index, ToolCall call) {
            assertEquals(calls.size(), index);
            calls.add(call);
        }
    }

    @Test
    void aCallAsQwenWritesItBecomesACallStreamedAndInTheResult() throws Exception {
        ToolUse tools = new ToolUse(List.of(GET_WEATHER, GET_TIME), ToolUse.Choice.AUTO, Optional.empty(), true);
        String script = "我来查一下。\n<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"北京\", \"days\": 3}}\n"
                + "</tool_call>\n<tool_call>\n{\"name\": \"get_time\", \"arguments\": {\"zone\": \"Asia/Shanghai\"}}\n</tool_call>";
        try (LanguageModel m = LanguageModel.load(new OrtRuntime(), scripted(dir, ASK, tools, script), CPU)) {
            assertEquals(Optional.of(ToolCallFormat.HERMES), m.toolCallFormat());
            Heard heard = new Heard();
            GenerationResult r = m.generate(request(ASK, tools), heard, new CancellationToken());
            assertEquals(script, r.text(), "the model wrote its script: the constraint let every token through");
            assertEquals(FinishReason.TOOL_CALLS, r.finishReason());
            assertEquals("我来查一下。", r.answer());
            assertEquals(2, r.toolCalls().size());
            assertEquals("get_weather", r.toolCalls().get(0).name());
            assertEquals(JSON.readTree("{\"city\":\"北京\",\"days\":3}"), JSON.readTree(r.toolCalls().get(0).arguments()));
            assertEquals("get_time", r.toolCalls().get(1).name());
            assertEquals(r.toolCalls(), heard.calls, "the stream heard the same calls");
            assertEquals("我来查一下。", heard.text.toString().strip(), "and no call text");
            assertTrue(r.toolCalls().get(0).id().startsWith("call_") && !r.toolCalls().get(0).id().equals(r.toolCalls().get(1).id()));
        }
    }

    @Test
    void aCallInACodeBlockIsText() throws Exception {
        ToolUse tools = new ToolUse(List.of(GET_WEATHER), ToolUse.Choice.AUTO, Optional.empty(), true);
        String script = "A call looks like this:\n```\n<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"x\"}}\n"
                + "</tool_call>\n```\nThat is all.";
        try (LanguageModel m = LanguageModel.load(new OrtRuntime(), scripted(dir, ASK, tools, script), CPU)) {
            Heard heard = new Heard();
            GenerationResult r = m.generate(request(ASK, tools), heard, new CancellationToken());
            assertEquals(script, r.text());
            assertEquals(FinishReason.STOP, r.finishReason());
            assertEquals(List.of(), r.toolCalls());
            assertEquals(script, r.answer());
            assertEquals(script, heard.text.toString());
        }
    }

    @Test
    void toolChoiceNoneKeepsCallsOutAndRequiredOrNamedCallsValidly() throws Exception {
        ToolUse none = new ToolUse(List.of(GET_WEATHER), ToolUse.Choice.NONE, Optional.empty(), true);
        String script = "<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"北京\", \"days\": 3}}\n</tool_call>";
        try (LanguageModel m = LanguageModel.load(new OrtRuntime(), scripted(dir, ASK, none, script), CPU)) {
            GenerationResult r = m.generate(request(ASK, none), new Heard(), new CancellationToken());
            assertEquals(List.of(), r.toolCalls());
            assertTrue(!r.text().startsWith("<tool_call>"), "the call's tag cannot be written: " + r.text());
        }
        // a random-weight model never calls by itself: required and named make it, with valid arguments
        try (LanguageModel m = LanguageModel.load(new OrtRuntime(), TestModels.withTokenizer(TestModels.chatSized(),
                dir.resolve("random")), CPU)) {
            int ended = 0;
            for (ToolUse tools : List.of(new ToolUse(List.of(GET_WEATHER, GET_TIME), ToolUse.Choice.REQUIRED, Optional.empty(), false),
                    new ToolUse(List.of(GET_WEATHER, GET_TIME), ToolUse.Choice.FUNCTION, Optional.of("get_time"), true))) {
                for (double temperature : new double[] {0.0, 1.0}) {
                    GenerationRequest q = request(ASK, tools).withSampling(new SamplingOverrides(temperature, null, null, null,
                            null, 9L));
                    GenerationResult r = m.generate(q, new Heard(), new CancellationToken());
                    assertTrue(r.text().startsWith("<tool_call>"), r.text());
                    if (r.finishReason() == FinishReason.LENGTH) {
                        continue; // a string the budget cut
                    }
                    ended++;
                    assertEquals(FinishReason.TOOL_CALLS, r.finishReason(), r.text());
                    assertEquals(1, r.toolCalls().size(), "no parallel calls: " + r.text());
                    ToolCall call = r.toolCalls().get(0);
                    if (tools.choice() == ToolUse.Choice.FUNCTION) {
                        assertEquals("get_time", call.name());
                    }
                    String schema = call.name().equals("get_weather") ? WEATHER : GET_TIME.parameters();
                    assertEquals(List.of(), SchemaCheck.errors(schema, call.arguments()), call.arguments());
                }
            }
            assertTrue(ended >= 2, "most forced calls end within the budget: " + ended + " of 4");
        }
    }

    @Test
    void aCallAndItsResultGoBackThroughTheTemplate() throws Exception {
        ToolUse tools = new ToolUse(List.of(GET_WEATHER), ToolUse.Choice.AUTO, Optional.empty(), true);
        List<ChatMessage> history = List.of(ChatMessage.user("北京天气？"),
                new ChatMessage("assistant", "", Map.of("tool_calls", List.of(Map.of("id", "call_1", "type", "function",
                        "function", Map.of("name", "get_weather", "arguments", ordered("city", "北京", "days", 1)))))),
                new ChatMessage("tool", "{\"temp_c\": 21}", Map.of("tool_call_id", "call_1")));
        try (LanguageModel m = LanguageModel.load(new OrtRuntime(), TestModels.scripted(dir.resolve("t"), new int[] {151645}, 1),
                CPU)) {
            String prompt = m.chatTemplate().render(history, true, variables(tools));
            assertTrue(prompt.contains("<tools>") && prompt.contains("\"name\": \"get_weather\""), prompt);
            assertTrue(prompt.contains("<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"北京\", \"days\": 1}}"
                    + "\n</tool_call>"), prompt);
            assertTrue(prompt.contains("<tool_response>\n{\"temp_c\": 21}\n</tool_response>"), prompt);
        }
    }

    /** An answer kept with its calls (chats.db) goes back to the model as Qwen writes calls and results. */
    @Test
    void aStoredAnswersCallsGoBackThroughTheTemplateAsQwenWritesThem() throws Exception {
        io.kaiyuan.engine.chat.ToolRound.Call call = new io.kaiyuan.engine.chat.ToolRound.Call("call_1", "get_weather",
                "{\"city\":\"北京\",\"days\":1}", "web", "{\"temp_c\": 21}", false, 120);
        io.kaiyuan.engine.chat.StoredMessage answer = io.kaiyuan.engine.chat.StoredMessage.answer("北京 21°C。", "", "m", "q4",
                io.kaiyuan.engine.api.SamplingOverrides.NONE, new io.kaiyuan.engine.api.GenerationMetrics(1, 0, 1, 0, 0, 0, 0, 0),
                io.kaiyuan.engine.api.FinishReason.STOP)
                .withToolRounds(List.of(new io.kaiyuan.engine.chat.ToolRound("我查一下。", "", List.of(call))));
        List<ChatMessage> history = new java.util.ArrayList<>(List.of(ChatMessage.user("北京天气？")));
        history.addAll(answer.chatMessages(false));
        history.add(ChatMessage.user("明天呢？"));
        try (LanguageModel m = LanguageModel.load(new OrtRuntime(), TestModels.scripted(dir.resolve("t"), new int[] {151645}, 1),
                CPU)) {
            String prompt = m.chatTemplate().render(history, true, Map.of());
            assertTrue(prompt.contains("<|im_start|>assistant\n我查一下。\n<tool_call>\n{\"name\": \"get_weather\", \"arguments\": "
                    + "{\"city\": \"北京\", \"days\": 1}}\n</tool_call><|im_end|>"), prompt);
            assertTrue(prompt.contains("<|im_start|>user\n<tool_response>\n{\"temp_c\": 21}\n</tool_response><|im_end|>"), prompt);
            assertTrue(prompt.contains("<|im_start|>assistant\n北京 21°C。<|im_end|>\n<|im_start|>user\n明天呢？"), prompt);
        }
    }
}
