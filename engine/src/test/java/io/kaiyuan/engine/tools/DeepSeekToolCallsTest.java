package io.kaiyuan.engine.tools;

import static io.kaiyuan.engine.tools.ToolCallsTest.ASK;
import static io.kaiyuan.engine.tools.ToolCallsTest.GET_TIME;
import static io.kaiyuan.engine.tools.ToolCallsTest.GET_WEATHER;
import static io.kaiyuan.engine.tools.ToolCallsTest.JSON;
import static io.kaiyuan.engine.tools.ToolCallsTest.WEATHER;
import static io.kaiyuan.engine.tools.ToolCallsTest.variables;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kaiyuan.engine.api.CancellationToken;
import io.kaiyuan.engine.api.ChatMessage;
import io.kaiyuan.engine.api.ExecutionProvider;
import io.kaiyuan.engine.api.FinishReason;
import io.kaiyuan.engine.api.GenerationRequest;
import io.kaiyuan.engine.api.GenerationResult;
import io.kaiyuan.engine.api.LogitAdjustments;
import io.kaiyuan.engine.api.SamplingOverrides;
import io.kaiyuan.engine.api.ToolCall;
import io.kaiyuan.engine.api.ToolUse;
import io.kaiyuan.engine.constrain.SchemaCheck;
import io.kaiyuan.engine.generate.LanguageModel;
import io.kaiyuan.engine.ort.OrtRuntime;
import io.kaiyuan.engine.testing.TestModels;
import io.kaiyuan.engine.tokenize.Tokenizer;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tool calls in DeepSeek's format (the R1 distills' template, whose calls are
 * {@code <｜tool▁calls▁begin｜>...<｜tool▁calls▁end｜>} and which never shows the model its functions), on Qwen3's
 * tokenizer, where none of DeepSeek's tool markers is one token, as in the distills' own vocabulary.
 */
class DeepSeekToolCallsTest {
    private static final LanguageModel.LoadOptions CPU = new LanguageModel.LoadOptions(Optional.empty(), ExecutionProvider.CPU, 1);
    /** Qwen3's {@code </think>}. */
    private static final int THINK_END = 151668;
    private static final String CALLS = "<｜tool▁calls▁begin｜><｜tool▁call▁begin｜>function<｜tool▁sep｜>get_weather\n```json\n"
            + "{\"city\": \"北京\", \"days\": 3}\n```<｜tool▁call▁end｜>\n<｜tool▁call▁begin｜>function<｜tool▁sep｜>get_time\n"
            + "```json\n{\"zone\": \"Asia/Shanghai\"}\n```<｜tool▁call▁end｜><｜tool▁calls▁end｜>";

    @TempDir
    Path dir;

    static String template() throws IOException {
        try (InputStream in = DeepSeekToolCallsTest.class.getResourceAsStream("/chat-templates/deepseek-r1-distill.jinja")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** {@code model} with DeepSeek's template. */
    static Path deepSeek(Path model) throws IOException {
        Files.writeString(model.resolve("chat_template.jinja"), template());
        return model;
    }

    /** A scripted model with DeepSeek's template that writes {@code text} as the answer to {@code messages} with {@code tools}. */
    private Path scripted(List<ChatMessage> messages, ToolUse tools, String text) throws Exception {
        Path probe = deepSeek(TestModels.scripted(dir.resolve("probe"), new int[] {151645}, 1));
        int promptLength;
        try (LanguageModel m = LanguageModel.load(new OrtRuntime(), probe, CPU)) {
            promptLength = m.promptTokens(messages, variables(tools));
        }
        int[] script;
        try (Tokenizer t = Tokenizer.load(probe)) {
            script = t.encode(text);
        }
        return deepSeek(TestModels.scripted(dir.resolve("model"), script, promptLength));
    }

    @Test
    void theFormatIsReadFromTheTemplateWhichDoesNotShowTheFunctions() throws Exception {
        assertEquals(Optional.of(ToolCallFormat.DEEPSEEK), ToolCallFormat.of(template()));
        assertTrue(!ToolCallFormat.showsTools(template()), "DeepSeek's template never writes the tools");
        String qwen3 = JSON.readTree(TestModels.qwenTokenizerDir().resolve("tokenizer_config.json").toFile())
                .path("chat_template").asText();
        assertEquals(Optional.of(ToolCallFormat.HERMES), ToolCallFormat.of(qwen3));
        assertTrue(ToolCallFormat.showsTools(qwen3));
    }

    @Test
    void callsAsDeepSeekWritesThemBecomeCallsAfterTheThinking() throws Exception {
        ToolUse tools = new ToolUse(List.of(GET_WEATHER, GET_TIME), ToolUse.Choice.AUTO, Optional.empty(), true);
        String script = "They ask about the weather.\n</think>\n\n我来查一下。" + CALLS;
        try (LanguageModel m = LanguageModel.load(new OrtRuntime(), scripted(ASK, tools, script), CPU)) {
            assertEquals(Optional.of(ToolCallFormat.DEEPSEEK), m.toolCallFormat());
            ToolCallsTest.Heard heard = new ToolCallsTest.Heard();
            GenerationResult r = m.generate(ToolCallsTest.request(ASK, tools), heard, new CancellationToken());
            assertEquals(script, r.text(), "the model wrote its script: the constraint let every token through");
            assertEquals(FinishReason.TOOL_CALLS, r.finishReason());
            assertEquals("They ask about the weather.", r.reasoning().strip());
            assertEquals("我来查一下。", r.answer());
            assertEquals(2, r.toolCalls().size());
            assertEquals("get_weather", r.toolCalls().get(0).name());
            assertEquals(JSON.readTree("{\"city\":\"北京\",\"days\":3}"), JSON.readTree(r.toolCalls().get(0).arguments()));
            assertEquals("get_time", r.toolCalls().get(1).name());
            assertEquals(r.toolCalls(), heard.calls, "the stream heard the same calls");
            assertEquals("我来查一下。", heard.text.toString().strip(), "and no call text");
        }
    }

    @Test
    void aBlockInACodeFenceOrWithAnUnknownFunctionIsText() throws Exception {
        ToolUse tools = new ToolUse(List.of(GET_WEATHER), ToolUse.Choice.AUTO, Optional.empty(), true);
        String fenced = "Calls look like:\n```\n" + CALLS + "\n```\nThat is all.";
        ToolCallStream.Split split = ToolCallStream.split(ToolCallFormat.DEEPSEEK, tools, fenced);
        assertEquals(fenced, split.text());
        assertEquals(List.of(), split.calls());
        // get_time is not offered here: the whole block stays text
        ToolCallStream.Split unknown = ToolCallStream.split(ToolCallFormat.DEEPSEEK, tools, CALLS);
        assertEquals(CALLS, unknown.text());
        assertEquals(List.of(), unknown.calls());
        ToolCallStream.Split cut = ToolCallStream.split(ToolCallFormat.DEEPSEEK, tools, CALLS.substring(0, 60));
        assertEquals(CALLS.substring(0, 60), cut.text(), "a block cut off is text");
    }

    @Test
    void theFunctionsAreToldAndCallsAndResultsGoBackThroughTheTemplate() throws Exception {
        ToolUse tools = new ToolUse(List.of(GET_WEATHER), ToolUse.Choice.AUTO, Optional.empty(), true);
        ToolCall call = new ToolCall("call_1", "get_weather", "{\"city\":\"北京\",\"days\":1}");
        List<ChatMessage> history = List.of(ChatMessage.system("Be brief."), ChatMessage.user("北京天气？"),
                ChatMessage.toolCalls("", "", List.of(call)), ChatMessage.toolResult(call, "{\"temp_c\": 21}", false));
        Path model = deepSeek(TestModels.scripted(dir.resolve("t"), new int[] {151645}, 1));
        try (LanguageModel m = LanguageModel.load(new OrtRuntime(), model, CPU)) {
            GenerationRequest q = new GenerationRequest(new GenerationRequest.Prompt.Chat(history, variables(tools)),
                    SamplingOverrides.NONE, 1, List.of()).withTools(tools);
            GenerationResult r = m.generate(q, t -> { }, new CancellationToken());
            String prompt = m.chatTemplate().render(history, true, variables(tools));
            assertTrue(!prompt.contains("get_weather\",") && !prompt.contains("The forecast"),
                    "the template alone does not show the functions: " + prompt);
            assertTrue(prompt.contains("<｜User｜>北京天气？<｜Assistant｜><｜tool▁calls▁begin｜><｜tool▁call▁begin｜>function<｜tool▁sep｜>"
                    + "get_weather\n```json\n{\"city\":\"北京\",\"days\":1}\n```<｜tool▁call▁end｜><｜tool▁calls▁end｜><｜end▁of▁sentence｜>"
                    + "<｜tool▁outputs▁begin｜><｜tool▁output▁begin｜>{\"temp_c\": 21}<｜tool▁output▁end｜><｜tool▁outputs▁end｜>"), prompt);
            assertTrue(!prompt.contains("<｜Assistant｜><｜end▁of▁sentence｜>"), "a call without text is no empty turn: " + prompt);
            // what the model read: the system prompt, then the functions and how to call one
            int told = m.promptTokens(history, variables(tools));
            assertEquals(told, r.metrics().promptTokens(), "the prompt the model read is the counted one");
            try (Tokenizer t = Tokenizer.load(model)) {
                assertTrue(told > t.encode(prompt).length + 50, "the functions are told in the prompt");
            }
        }
        List<ChatMessage> toldMessages = ToolCallFormat.DEEPSEEK.withToolsTold(history, List.of(Map.of("type", "function",
                "function", Map.of("name", "get_weather", "description", "The forecast for a city."))));
        String system = toldMessages.get(0).content();
        assertTrue(system.startsWith("Be brief.\n\n") && system.contains("\"name\" : \"get_weather\"")
                && system.contains("<｜tool▁calls▁begin｜><｜tool▁call▁begin｜>function<｜tool▁sep｜>NAME\n```json\n{ARGUMENTS}"),
                system);
        assertEquals("system", ToolCallFormat.DEEPSEEK.withToolsTold(history.subList(1, 2), List.of()).get(0).role(),
                "a conversation without a system message gets one");
    }

    /** get_time without extra properties: the bias that ends the thinking would fill an extra key's name with </think>. */
    private static final ToolUse.Function STRICT_TIME = new ToolUse.Function("get_time", "The time in a time zone.",
            "{\"type\":\"object\",\"properties\":{\"zone\":{\"enum\":[\"Asia/Shanghai\",\"UTC\"]}},\"required\":[\"zone\"],"
                    + "\"additionalProperties\":false}");

    /** A random-weight model never calls by itself: required and named make it write DeepSeek's block, with valid arguments. */
    @Test
    void requiredOrNamedCallsAreWrittenValidlyByteByByte() throws Exception {
        Path model = deepSeek(TestModels.withTokenizer(TestModels.chatSized(), dir.resolve("random")));
        try (LanguageModel m = LanguageModel.load(new OrtRuntime(), model, CPU)) {
            int ended = 0;
            for (ToolUse tools : List.of(new ToolUse(List.of(GET_WEATHER, STRICT_TIME), ToolUse.Choice.REQUIRED, Optional.empty(), false),
                    new ToolUse(List.of(GET_WEATHER, STRICT_TIME), ToolUse.Choice.FUNCTION, Optional.of("get_time"), true),
                    new ToolUse(List.of(GET_WEATHER, STRICT_TIME), ToolUse.Choice.REQUIRED, Optional.empty(), true))) {
                for (double temperature : new double[] {0.0, 1.0}) {
                    // the thinking the prompt opens ends at once (a bias on </think>), then the call must come
                    GenerationRequest q = new GenerationRequest(new GenerationRequest.Prompt.Chat(ASK, variables(tools)),
                            new SamplingOverrides(temperature, null, null, null, null, 5L), 400, List.of()).withTools(tools)
                            .withAdjustments(new LogitAdjustments(0, 0, Map.of(THINK_END, 100.0)), -1);
                    GenerationResult r = m.generate(q, t -> { }, new CancellationToken());
                    assertTrue(r.answer().isEmpty() || r.finishReason() == FinishReason.LENGTH, r.text());
                    assertTrue(r.text().startsWith("</think>") && r.text().substring("</think>".length()).stripLeading()
                            .startsWith("<｜tool▁calls▁begin｜><｜tool▁call▁begin｜>function<｜tool▁sep｜>get_"), r.text());
                    if (r.finishReason() == FinishReason.LENGTH) {
                        continue; // a string the budget cut
                    }
                    ended++;
                    assertEquals(FinishReason.TOOL_CALLS, r.finishReason(), r.text());
                    assertTrue(r.text().endsWith("<｜tool▁calls▁end｜>"), "the block, then the end: " + r.text());
                    if (!tools.parallel() || tools.choice() == ToolUse.Choice.FUNCTION) {
                        assertEquals(1, r.toolCalls().size(), "no parallel calls: " + r.text());
                    }
                    for (ToolCall call : r.toolCalls()) {
                        if (tools.choice() == ToolUse.Choice.FUNCTION) {
                            assertEquals("get_time", call.name());
                        }
                        String schema = call.name().equals("get_weather") ? WEATHER : STRICT_TIME.parameters();
                        assertEquals(List.of(), SchemaCheck.errors(schema, call.arguments()), call.arguments());
                    }
                }
            }
            assertTrue(ended >= 4, "most forced calls end within the budget: " + ended + " of 6 (parallel ones may go on calling)");
        }
    }

    /**
     * GLM-Edge's template writes neither tools nor calls: tools are a 400 naming tools, and a chat that called
     * tools with another model reaches it with the calls and results as text (its template would drop the
     * tool messages and write the call's missing text as None).
     */
    @Test
    void aModelWhoseTemplateWritesNoCallsReadsEarlierCallsAsText() throws Exception {
        Path model = TestModels.scripted(dir.resolve("glm"), new int[] {151645}, 1);
        try (InputStream in = getClass().getResourceAsStream("/chat-templates/glm-edge.jinja")) {
            Files.write(model.resolve("chat_template.jinja"), in.readAllBytes());
        }
        ToolCall call = new ToolCall("call_1", "get_weather", "{\"city\":\"北京\",\"days\":1}");
        List<ChatMessage> history = List.of(ChatMessage.user("北京天气？"), ChatMessage.toolCalls("我查一下。", "", List.of(call)),
                ChatMessage.toolResult(call, "{\"temp_c\": 21}", false), ChatMessage.assistant("21°C，晴。"),
                ChatMessage.user("明天呢？"));
        try (LanguageModel m = LanguageModel.load(new OrtRuntime(), model, CPU)) {
            assertEquals(Optional.empty(), m.toolCallFormat());
            ToolUse tools = new ToolUse(List.of(GET_WEATHER), ToolUse.Choice.AUTO, Optional.empty(), true);
            io.kaiyuan.engine.api.GenerationException refused = org.junit.jupiter.api.Assertions.assertThrows(
                    io.kaiyuan.engine.api.GenerationException.class,
                    () -> m.generate(ToolCallsTest.request(ASK, tools), t -> { }, new CancellationToken()));
            assertTrue(refused.getMessage().contains("writes no tool calls"), refused.getMessage());
            StringBuilder prompt = new StringBuilder();
            GenerationRequest q = new GenerationRequest(new GenerationRequest.Prompt.Chat(history, Map.of()),
                    SamplingOverrides.NONE, 1, List.of());
            GenerationResult r = m.generate(q, t -> { }, new CancellationToken());
            try (Tokenizer t = Tokenizer.load(model)) {
                int[] ids = r.promptTokenIds().stream().mapToInt(Integer::intValue).toArray();
                prompt.append(t.decode(ids, false));
            }
            assertEquals("<|user|>\n北京天气？<|assistant|>\n我查一下。\n\n[called get_weather {\"city\":\"北京\",\"days\":1}]\n\n"
                    + "[get_weather answered: {\"temp_c\": 21}]\n\n21°C，晴。<|user|>\n明天呢？<|assistant|>", prompt.toString());
        }
        assertEquals(history.subList(0, 1), ToolCallFormat.callsAsText(history.subList(0, 1)), "no calls: as it is");
    }

    /**
     * The constraint itself: free text, until the answer has written DeepSeek's opening over several tokens;
     * from there only what continues a call (in a code fence the same text opens nothing).
     */
    @Test
    void theOpeningWrittenInPiecesStartsTheConstraint() throws Exception {
        io.kaiyuan.engine.constrain.TokenVocabulary vocabulary = io.kaiyuan.engine.constrain.TokenVocabulary.read(
                TestModels.qwenTokenizerDir().resolve("tokenizer.json"), TestModels.QWEN_VOCAB);
        io.kaiyuan.engine.constrain.CallSection section = ToolCallFormat.DEEPSEEK.section(List.of("get_weather"),
                List.of(io.kaiyuan.engine.constrain.Schema.parameters(JSON.readTree(WEATHER))), false);
        try (Tokenizer t = Tokenizer.load(TestModels.qwenTokenizerDir())) {
            for (String before : new String[] {"好的。", "看这个：\n```\n"}) {
                int[] answer = t.encode(before + "<｜tool▁calls▁begin｜>");
                assertTrue(answer.length > 3, "the opening is several tokens here");
                int[] history = new int[10 + answer.length];
                System.arraycopy(answer, 0, history, 10, answer.length);
                io.kaiyuan.engine.constrain.ToolCallConstraint c = new io.kaiyuan.engine.constrain.ToolCallConstraint(vocabulary,
                        java.util.Set.of(151645), section, io.kaiyuan.engine.constrain.ToolCallConstraint.Mode.AUTO, false, false);
                float[] scores = new float[TestModels.QWEN_VOCAB];
                for (int length = 10; length < history.length; length++) { // a step per token, the opening's last not yet read
                    scores = new float[TestModels.QWEN_VOCAB];
                    c.process(scores, history, length);
                    assertEquals(TestModels.QWEN_VOCAB, allowed(scores).size(), "free text before the opening is whole");
                }
                scores = new float[TestModels.QWEN_VOCAB];
                c.process(scores, history, history.length);
                List<Integer> next = allowed(scores);
                if (before.contains("```")) {
                    assertEquals(TestModels.QWEN_VOCAB, next.size(), "in a code fence the opening is text");
                    continue;
                }
                assertTrue(next.size() < 20, "only what continues the call: " + next.size() + " tokens");
                int[] expected = t.encode("<｜tool▁call▁begin｜>function<｜tool▁sep｜>get_weather");
                assertTrue(next.contains(expected[0]), "the call's next token is among them");
                for (int id : next) {
                    String piece = t.decode(new int[] {id}, false);
                    assertTrue(piece.contains("\uFFFD") || "<｜tool▁call▁begin｜>function".startsWith(piece), "'" + piece + "'");
                }
            }
        }
    }

    private static List<Integer> allowed(float[] scores) {
        List<Integer> out = new java.util.ArrayList<>();
        for (int i = 0; i < scores.length; i++) {
            if (scores[i] != Float.NEGATIVE_INFINITY) {
                out.add(i);
            }
        }
        return out;
    }
}
