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

    @BeforeAll
    static void start() throws Exception {
        Path model = TestModels.withTokenizer(TestModels.chatSized(), dir.resolve("tiny"));
        server = OpenAiServer.start(ServerConfig.defaults().withPort(0).withApiKey("k").withAllowed(Set.of(), Set.of()),
                OpenAiServerTest.pool(model, 0));
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

    /** The client's own structured outputs: a schema derived from a Java class, the answer read back into it. */
    @Test
    void theClientsClassBasedStructuredOutputReadsTheAnswerBack() {
        int read = 0;
        for (long seed = 1; seed <= 6; seed++) {
            var params = ChatCompletionCreateParams.builder().model("tiny/chat").addUserMessage("A city as JSON.")
                    .maxCompletionTokens(200).temperature(1.0).seed(seed).responseFormat(City.class).build();
            var choice = client().chat().completions().create(params).choices().get(0);
            if (ChatCompletion.Choice.FinishReason.STOP.equals(choice.finishReason())) {
                City city = choice.message().content().orElseThrow(); // the client parses it into the class
                assertTrue(city.name != null, "the answer was read into the class");
                read++;
            }
        }
        assertTrue(read >= 1, "some answers end (a random model's strings can run to the budget)");
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
