package io.kaiyuan.engine.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.JsonValue;
import com.openai.core.http.StreamResponse;
import com.openai.errors.BadRequestException;
import com.openai.models.FunctionDefinition;
import com.openai.models.FunctionParameters;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionMessageFunctionToolCall;
import com.openai.models.chat.completions.ChatCompletionNamedToolChoice;
import com.openai.models.chat.completions.ChatCompletionToolMessageParam;
import io.kaiyuan.engine.api.ExecutionProvider;
import io.kaiyuan.engine.generate.LanguageModel;
import io.kaiyuan.engine.ort.OrtRuntime;
import io.kaiyuan.engine.testing.TestModels;
import io.kaiyuan.engine.tokenize.Tokenizer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tools through the server with the official OpenAI Java client: a model that writes a call as Qwen does
 * (a scripted model) answers with tool_calls, streamed as tool-call deltas, and a call's result goes back.
 */
class ToolCallServerTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CALL = "<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"北京\", \"days\": 3}}"
            + "\n</tool_call>";

    @TempDir
    static Path dir;
    static OpenAiServer server;
    static final AtomicReference<Path> model = new AtomicReference<>();

    @BeforeAll
    static void start() throws Exception {
        Path probe = TestModels.scripted(dir.resolve("probe"), new int[] {151645}, 1);
        // a model whose template shows no way to call tools
        Path plain = TestModels.scripted(dir.resolve("plain"), new int[] {151645}, 1);
        com.fasterxml.jackson.databind.node.ObjectNode config = (com.fasterxml.jackson.databind.node.ObjectNode) JSON.readTree(
                plain.resolve("tokenizer_config.json").toFile());
        config.put("chat_template", "{% for m in messages %}<|im_start|>{{ m.role }}\n{{ m.content }}<|im_end|>\n{% endfor %}"
                + "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}");
        JSON.writeValue(plain.resolve("tokenizer_config.json").toFile(), config);
        java.nio.file.Files.deleteIfExists(plain.resolve("chat_template.jinja"));
        ModelPool pool = new ModelPool(new OrtRuntime(), () -> List.of("tiny/chat", "probe", "plain"),
                id -> id.equals("tiny/chat") ? Optional.of(model.get()) : id.equals("probe") ? Optional.of(probe)
                        : id.equals("plain") ? Optional.of(plain) : Optional.empty(),
                new LanguageModel.LoadOptions(Optional.empty(), ExecutionProvider.CPU, 1), 4, () -> 16L << 30);
        server = OpenAiServer.start(ServerConfig.defaults().withPort(0).withApiKey("k").withAllowed(Set.of(), Set.of()), pool);
        // the prompt the client's request makes: the script starts after it
        long prompt = client().chat().completions().create(ask().model("probe").build()).usage().orElseThrow().promptTokens();
        int[] script;
        try (Tokenizer t = Tokenizer.load(probe)) {
            script = t.encode("我来查一下。\n" + CALL);
        }
        model.set(TestModels.scripted(dir.resolve("caller"), script, (int) prompt));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static OpenAIClient client() {
        return OpenAIOkHttpClient.builder().baseUrl(server.baseUrl()).apiKey("k").maxRetries(0).build();
    }

    private static FunctionDefinition weather() {
        return FunctionDefinition.builder().name("get_weather").description("The forecast for a city.")
                .parameters(FunctionParameters.builder().putAdditionalProperty("type", JsonValue.from("object"))
                        .putAdditionalProperty("properties", JsonValue.from(Map.of(
                                "city", Map.of("type", "string", "maxLength", 20),
                                "days", Map.of("type", "integer", "minimum", 1, "maximum", 14))))
                        .putAdditionalProperty("required", JsonValue.from(List.of("city", "days")))
                        .putAdditionalProperty("additionalProperties", JsonValue.from(false)).build())
                .build();
    }

    private static ChatCompletionCreateParams.Builder ask() {
        return ChatCompletionCreateParams.builder().model("tiny/chat").addUserMessage("北京未来三天的天气怎么样？")
                .addFunctionTool(weather()).maxCompletionTokens(120).temperature(0.0);
    }

    @Test
    void aCallComesAsToolCallsStreamedOrNot() throws Exception {
        ChatCompletion c = client().chat().completions().create(ask().build());
        ChatCompletion.Choice choice = c.choices().get(0);
        assertEquals(ChatCompletion.Choice.FinishReason.TOOL_CALLS, choice.finishReason(), choice.message().toString());
        assertEquals(Optional.of("我来查一下。"), choice.message().content());
        ChatCompletionMessageFunctionToolCall call = choice.message().toolCalls().orElseThrow().get(0).asFunction();
        assertEquals("get_weather", call.function().name());
        assertEquals(JSON.readTree("{\"city\":\"北京\",\"days\":3}"), JSON.readTree(call.function().arguments()));
        assertTrue(call.id().startsWith("call_"));

        StringBuilder content = new StringBuilder();
        Map<Long, String[]> calls = new TreeMap<>(); // index -> id, name, arguments
        String[] finish = {null};
        try (StreamResponse<ChatCompletionChunk> s = client().chat().completions().createStreaming(ask().build())) {
            s.stream().forEach(chunk -> chunk.choices().forEach(ch -> {
                ch.delta().content().ifPresent(content::append);
                ch.delta().toolCalls().ifPresent(list -> list.forEach(d -> {
                    String[] acc = calls.computeIfAbsent(d.index(), i -> new String[] {"", "", ""});
                    d.id().ifPresent(id -> acc[0] += id);
                    d.function().flatMap(f -> f.name()).ifPresent(n -> acc[1] += n);
                    d.function().flatMap(f -> f.arguments()).ifPresent(a -> acc[2] += a);
                }));
                ch.finishReason().ifPresent(f -> finish[0] = f.asString());
            }));
        }
        assertEquals("我来查一下。", content.toString().strip());
        assertEquals(1, calls.size());
        assertEquals("get_weather", calls.get(0L)[1]);
        assertEquals(JSON.readTree("{\"city\":\"北京\",\"days\":3}"), JSON.readTree(calls.get(0L)[2]));
        assertTrue(calls.get(0L)[0].startsWith("call_"));
        assertEquals("tool_calls", finish[0]);

        // the call and its result go back: the next turn's prompt holds both
        ChatCompletion next = client().chat().completions().create(ask().addMessage(choice.message())
                .addMessage(ChatCompletionToolMessageParam.builder().toolCallId(call.id()).content("{\"temp_c\": 21}").build())
                .build());
        assertTrue(next.usage().orElseThrow().promptTokens() > c.usage().orElseThrow().promptTokens() + 20);
    }

    @Test
    void toolChoiceNoneAndNamedAndBadToolsAre400sNamingTheField() throws Exception {
        ChatCompletion none = client().chat().completions().create(ask().toolChoice(
                com.openai.models.chat.completions.ChatCompletionToolChoiceOption.Auto.NONE).build());
        assertTrue(none.choices().get(0).message().toolCalls().map(List::isEmpty).orElse(true), "none: no call");
        assertEquals(ChatCompletion.Choice.FinishReason.STOP, none.choices().get(0).finishReason());

        BadRequestException unknown = org.junit.jupiter.api.Assertions.assertThrows(BadRequestException.class, () -> client()
                .chat().completions().create(ask().toolChoice(ChatCompletionNamedToolChoice.builder().function(
                        ChatCompletionNamedToolChoice.Function.builder().name("get_time").build()).build()).build()));
        assertTrue(unknown.getMessage().contains("get_time"), unknown.getMessage());

        BadRequestException noFormat = org.junit.jupiter.api.Assertions.assertThrows(BadRequestException.class, () -> client()
                .chat().completions().create(ask().model("plain").build()));
        assertTrue(noFormat.getMessage().contains("writes no tool calls"), noFormat.getMessage());
        assertEquals(Optional.of("tools"), noFormat.param());
        assertEquals(ChatCompletion.Choice.FinishReason.STOP, client().chat().completions().create(ask().model("plain")
                .toolChoice(com.openai.models.chat.completions.ChatCompletionToolChoiceOption.Auto.NONE).build()).choices().get(0)
                .finishReason(), "with tool_choice none, a model that cannot call still answers");

        String body = "{\"model\":\"tiny/chat\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"tools\":[{\"type\":"
                + "\"function\",\"function\":{\"name\":\"find\",\"parameters\":{\"type\":\"object\",\"properties\":{\"q\":"
                + "{\"type\":\"string\",\"pattern\":\"^a\"}}}}}]}";
        java.net.http.HttpResponse<String> r = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest
                .newBuilder(java.net.URI.create(server.baseUrl() + "/chat/completions")).header("Authorization", "Bearer k")
                .header("Content-Type", "application/json").POST(java.net.http.HttpRequest.BodyPublishers.ofString(body)).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertEquals(400, r.statusCode(), r.body());
        JsonNode error = JSON.readTree(r.body()).path("error");
        assertEquals("tools", error.path("param").asText());
        assertTrue(error.path("message").asText().contains("find") && error.path("message").asText().contains("pattern"),
                r.body());
    }
}
