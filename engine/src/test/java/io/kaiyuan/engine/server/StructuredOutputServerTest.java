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
import com.openai.models.ResponseFormatJsonObject;
import com.openai.models.ResponseFormatJsonSchema;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import io.kaiyuan.engine.constrain.SchemaCheck;
import io.kaiyuan.engine.testing.TestModels;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** response_format end to end with the official OpenAI Java client against a random-weight model. */
class StructuredOutputServerTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PERSON = "{\"type\":\"object\",\"properties\":{\"name\":{\"type\":\"string\",\"maxLength\":10},"
            + "\"age\":{\"type\":\"integer\",\"minimum\":0,\"maximum\":120},\"languages\":{\"type\":\"array\",\"items\":"
            + "{\"enum\":[\"zh\",\"en\",\"yue\"]},\"minItems\":1,\"maxItems\":3}},\"required\":[\"name\",\"age\",\"languages\"],"
            + "\"additionalProperties\":false}";

    @TempDir
    static Path dir;
    static OpenAiServer server;

    static final java.util.concurrent.atomic.AtomicReference<Path> city = new java.util.concurrent.atomic.AtomicReference<>();

    @BeforeAll
    static void start() throws Exception {
        Path model = TestModels.withTokenizer(TestModels.chatSized(), dir.resolve("tiny"));
        Path probe = TestModels.scripted(dir.resolve("probe"), new int[] {151645}, 1);
        ModelPool pool = new ModelPool(new io.kaiyuan.engine.ort.OrtRuntime(), () -> List.of("tiny/chat", "probe", "city"),
                id -> switch (id) {
                    case "tiny/chat" -> java.util.Optional.of(model);
                    case "probe" -> java.util.Optional.of(probe);
                    case "city" -> java.util.Optional.ofNullable(city.get());
                    default -> java.util.Optional.empty();
                }, new io.kaiyuan.engine.generate.LanguageModel.LoadOptions(java.util.Optional.empty(),
                        io.kaiyuan.engine.api.ExecutionProvider.CPU, 1), 4, () -> 16L << 30);
        server = OpenAiServer.start(ServerConfig.defaults().withPort(0).withApiKey("k").withAllowed(Set.of(), Set.of()), pool);
        // a model that answers the city question with a city, its properties in an order of its own
        long prompt = client().chat().completions().create(cityQuestion("probe")).usage().orElseThrow().promptTokens();
        int[] script;
        try (io.kaiyuan.engine.tokenize.Tokenizer t = io.kaiyuan.engine.tokenize.Tokenizer.load(probe)) {
            script = t.encode("{\"population\": 21893095, \"name\": \"北京\", \"capital\": true}");
        }
        city.set(TestModels.scripted(dir.resolve("city"), script, (int) prompt));
    }

    private static ChatCompletionCreateParams cityQuestion(String model) {
        return ChatCompletionCreateParams.builder().model(model).addUserMessage("A city as JSON.").maxCompletionTokens(60)
                .temperature(0.0).responseFormat(City.class).build().rawParams();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static OpenAIClient client() {
        return OpenAIOkHttpClient.builder().baseUrl(server.baseUrl()).apiKey("k").maxRetries(0).build();
    }

    private static ResponseFormatJsonSchema person() throws Exception {
        ResponseFormatJsonSchema.JsonSchema.Schema.Builder schema = ResponseFormatJsonSchema.JsonSchema.Schema.builder();
        JSON.readTree(PERSON).properties().forEach(e -> schema.putAdditionalProperty(e.getKey(),
                JsonValue.from(JSON.convertValue(e.getValue(), Object.class))));
        return ResponseFormatJsonSchema.builder().jsonSchema(ResponseFormatJsonSchema.JsonSchema.builder().name("person")
                .schema(schema.build()).strict(true).build()).build();
    }

    private static ChatCompletionCreateParams.Builder ask(double temperature, long seed) {
        return ChatCompletionCreateParams.builder().model("tiny/chat").addUserMessage("Who are you? 用 JSON 回答。")
                .maxCompletionTokens(300).temperature(temperature).seed(seed);
    }

    @Test
    void aJsonSchemaAnswerParsesAndValidatesStreamedOrNot() throws Exception {
        int ended = 0;
        for (long seed = 1; seed <= 4; seed++) {
            ChatCompletion c = client().chat().completions().create(ask(seed == 1 ? 0.0 : 1.0, seed).responseFormat(person()).build());
            ChatCompletion.Choice choice = c.choices().get(0);
            String content = choice.message().content().orElseThrow();
            if (ChatCompletion.Choice.FinishReason.STOP.equals(choice.finishReason())) {
                ended++;
                assertEquals(List.of(), SchemaCheck.errors(PERSON, content), content);
            } else {
                assertEquals(ChatCompletion.Choice.FinishReason.LENGTH, choice.finishReason(), content);
            }
            if (seed == 1) { // greedy: the stream is the same answer
                StringBuilder streamed = new StringBuilder();
                try (StreamResponse<ChatCompletionChunk> s = client().chat().completions().createStreaming(
                        ask(0.0, 1).responseFormat(person()).build())) {
                    s.stream().forEach(chunk -> chunk.choices().forEach(ch -> ch.delta().content().ifPresent(streamed::append)));
                }
                assertEquals(content, streamed.toString());
            }
        }
        assertTrue(ended >= 2, ended + " of 4 answers ended on their own");
    }

    @Test
    void jsonObjectGivesAnObject() throws Exception {
        ChatCompletion c = client().chat().completions().create(ask(0.0, 3)
                .responseFormat(ResponseFormatJsonObject.builder().build()).build());
        String content = c.choices().get(0).message().content().orElseThrow();
        assertTrue(content.startsWith("{"), content);
        if (ChatCompletion.Choice.FinishReason.STOP.equals(c.choices().get(0).finishReason())) {
            assertTrue(JSON.readTree(content).isObject());
        }
    }

    /**
     * The client's own structured outputs: a schema derived from a Java class; a model that writes the city
     * with its properties in another order than the class declares gets it through, and the client reads
     * the answer back into the class.
     */
    @Test
    void theClientsClassBasedStructuredOutputReadsTheAnswerBack() {
        var params = ChatCompletionCreateParams.builder().model("city").addUserMessage("A city as JSON.")
                .maxCompletionTokens(60).temperature(0.0).responseFormat(City.class).build();
        var choice = client().chat().completions().create(params).choices().get(0);
        assertEquals(ChatCompletion.Choice.FinishReason.STOP, choice.finishReason());
        City read = choice.message().content().orElseThrow(); // the client parses it into the class
        assertEquals("北京", read.name);
        assertEquals(21893095L, read.population);
        assertTrue(read.capital);
    }

    /** A city, as a client application would declare it. */
    public static class City {
        public String name;
        public long population;
        public boolean capital;
    }

    @Test
    void aSchemaKeywordThatCannotBeEnforcedIsA400NamingIt() throws Exception {
        String body = "{\"model\":\"tiny/chat\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"response_format\":"
                + "{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"x\",\"schema\":{\"type\":\"object\",\"properties\":"
                + "{\"mail\":{\"type\":\"string\",\"format\":\"email\"}}}}}}";
        java.net.http.HttpResponse<String> r = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest
                .newBuilder(java.net.URI.create(server.baseUrl() + "/chat/completions")).header("Authorization", "Bearer k")
                .header("Content-Type", "application/json").POST(java.net.http.HttpRequest.BodyPublishers.ofString(body)).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertEquals(400, r.statusCode(), r.body());
        JsonNode error = JSON.readTree(r.body()).path("error");
        assertEquals("response_format", error.path("param").asText());
        assertTrue(error.path("message").asText().contains("\"format\""), r.body());
        BadRequestException e = org.junit.jupiter.api.Assertions.assertThrows(BadRequestException.class, () -> client().chat()
                .completions().create(ask(0.0, 1).responseFormat(ResponseFormatJsonSchema.builder().jsonSchema(
                        ResponseFormatJsonSchema.JsonSchema.builder().name("x").schema(ResponseFormatJsonSchema.JsonSchema
                                .Schema.builder().putAdditionalProperty("type", JsonValue.from("object"))
                                .putAdditionalProperty("patternProperties", JsonValue.from(Map.of())).build()).build())
                        .build()).build()));
        assertTrue(e.getMessage().contains("patternProperties"), e.getMessage());
    }
}
