package io.kaiyuan.engine.template.jinja;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The conformance corpus: 53 real chat templates with their contexts and the exact output of Hugging
 * Face's reference renderer (strftime_now fixed at 2025-07-10).
 */
class ConformanceTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Clock JULY_10_2025 = Clock.fixed(Instant.parse("2025-07-10T12:00:00Z"), ZoneOffset.UTC);

    static Stream<Arguments> cases() throws IOException {
        try (InputStream in = ConformanceTest.class.getResourceAsStream("/chat-templates/hf-jinja-e2e.json")) {
            JsonNode root = JSON.readTree(in);
            List<Arguments> out = new ArrayList<>();
            for (JsonNode c : root.get("cases")) {
                out.add(Arguments.of(c.get("name").asText(), c.get("chat_template").asText(), c.get("context"),
                        c.get("expected").asText()));
            }
            return out.stream();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void rendersExactlyAsTheReference(String name, String template, JsonNode context, String expected) {
        @SuppressWarnings("unchecked")
        Map<String, Object> variables = JSON.convertValue(context, Map.class);
        assertEquals(expected, JinjaTemplate.compile(template).render(variables, JULY_10_2025));
    }
}
