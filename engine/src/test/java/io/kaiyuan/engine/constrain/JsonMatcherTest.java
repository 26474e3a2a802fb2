package io.kaiyuan.engine.constrain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

public class JsonMatcherTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Schemas that use every supported keyword. */
    public static final List<String> SCHEMAS = List.of(
            "{\"type\":\"object\",\"properties\":{\"name\":{\"type\":\"string\",\"minLength\":1,\"maxLength\":12},"
                    + "\"age\":{\"type\":\"integer\",\"minimum\":0,\"maximum\":150},\"city\":{\"enum\":[\"北京\",\"上海\","
                    + "\"Shenzhen\"]}},\"required\":[\"name\",\"age\",\"city\"],\"additionalProperties\":false}",
            "{\"type\":\"object\",\"properties\":{\"tags\":{\"type\":\"array\",\"items\":{\"type\":\"string\",\"maxLength\":8},"
                    + "\"minItems\":1,\"maxItems\":3},\"score\":{\"type\":\"number\",\"minimum\":-2.5,\"maximum\":10},"
                    + "\"ok\":{\"type\":\"boolean\"},\"note\":{\"type\":[\"string\",\"null\"],\"maxLength\":5}},"
                    + "\"required\":[\"tags\",\"ok\"]}",
            "{\"$defs\":{\"node\":{\"type\":\"object\",\"properties\":{\"v\":{\"const\":7},\"kids\":{\"type\":\"array\","
                    + "\"items\":{\"$ref\":\"#/$defs/node\"},\"maxItems\":2}},\"required\":[\"v\"],"
                    + "\"additionalProperties\":false}},\"$ref\":\"#/$defs/node\"}",
            "{\"anyOf\":[{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"integer\",\"minimum\":-20,\"maximum\":-3}},"
                    + "\"required\":[\"a\"],\"additionalProperties\":false},{\"type\":\"array\",\"items\":{\"type\":\"null\"},"
                    + "\"maxItems\":2}]}",
            "{\"type\":\"object\",\"properties\":{\"id\":{\"type\":\"integer\"}},\"required\":[\"id\"],"
                    + "\"additionalProperties\":{\"type\":\"number\",\"maximum\":1}}");

    private static JsonMatcher.State read(String schema, String document) throws Exception {
        return JsonMatcher.start(Schema.compile(JSON.readTree(schema))).advance(document.getBytes(StandardCharsets.UTF_8));
    }

    private static boolean valid(String schema, String document) throws Exception {
        JsonMatcher.State s = read(schema, document);
        return s != null && s.accepts();
    }

    @Test
    void documentsTheSchemaAllowsAreReadAndOthersAreNot() throws Exception {
        String person = SCHEMAS.get(0);
        assertTrue(valid(person, "{\"name\":\"李雷\",\"age\":30,\"city\":\"北京\"}"));
        assertTrue(valid(person, "{\n  \"name\": \"Li\",\n  \"age\": 0,\n  \"city\": \"Shenzhen\"\n}"));
        assertFalse(valid(person, "{\"name\":\"\",\"age\":30,\"city\":\"北京\"}"), "minLength");
        assertFalse(valid(person, "{\"name\":\"abcdefghijklm\",\"age\":30,\"city\":\"北京\"}"), "maxLength");
        assertFalse(valid(person, "{\"name\":\"Li\",\"age\":151,\"city\":\"北京\"}"), "maximum");
        assertFalse(valid(person, "{\"name\":\"Li\",\"age\":-1,\"city\":\"北京\"}"), "minimum");
        assertFalse(valid(person, "{\"name\":\"Li\",\"age\":3.5,\"city\":\"北京\"}"), "integer");
        assertFalse(valid(person, "{\"name\":\"Li\",\"age\":30,\"city\":\"广州\"}"), "enum");
        assertFalse(valid(person, "{\"name\":\"Li\",\"age\":30}"), "required");
        assertFalse(valid(person, "{\"name\":\"Li\",\"age\":30,\"city\":\"北京\",\"x\":1}"), "additionalProperties");
        assertFalse(valid(person, "{\"name\":\"Li\",\"age\":30,\"city\":\"北京\"}   "), "nothing after the document");
        assertNull(read(person, "{\"name\":\"Li\",\"age\":300"), "300 cannot end within 150: the 0 is refused");
        assertNull(read(person, "{         \"name\""), "a run of spaces is bounded");
        String two = SCHEMAS.get(1);
        assertTrue(valid(two, "{\"tags\":[\"a\",\"b\"],\"score\":-2.5,\"ok\":true,\"note\":null}"));
        assertTrue(valid(two, "{\"tags\":[\"a\"],\"ok\":false,\"extra\":[1,{\"x\":\"y\"}]}"));
        assertFalse(valid(two, "{\"tags\":[],\"ok\":true}"), "minItems");
        assertFalse(valid(two, "{\"tags\":[\"a\",\"b\",\"c\",\"d\"],\"ok\":true}"), "maxItems");
        assertFalse(valid(two, "{\"tags\":[\"a\"],\"score\":10.5,\"ok\":true}"), "number maximum");
        assertFalse(valid(two, "{\"tags\":[\"a\"],\"ok\":true,\"ok\":true}"), "a declared name is not an extra property");
        String tree = SCHEMAS.get(2);
        assertTrue(valid(tree, "{\"v\":7,\"kids\":[{\"v\":7},{\"v\":7,\"kids\":[]}]}"));
        assertFalse(valid(tree, "{\"v\":8}"), "const");
        assertTrue(valid(SCHEMAS.get(3), "[null,null]"));
        assertTrue(valid(SCHEMAS.get(3), "{\"a\":-20}"));
        assertFalse(valid(SCHEMAS.get(3), "{\"a\":-2}"));
        assertTrue(valid(SCHEMAS.get(4), "{\"id\":12,\"w\":0.5,\"z\":-300}"));
        assertFalse(valid(SCHEMAS.get(4), "{\"id\":12,\"w\":2}"));
    }

    @Test
    void anyObjectTakesEveryObjectAndNothingElse() {
        JsonMatcher.State start = JsonMatcher.start(Schema.anyObject());
        JsonMatcher.State s = start.advance("{\"a\":[1,-2.5e3,true,null,\"\\u4e2d\\n\"],\"b\":{}}".getBytes(StandardCharsets.UTF_8));
        assertNotNull(s);
        assertTrue(s.accepts());
        assertTrue(s.closed());
        assertNull(start.advance("[1]".getBytes(StandardCharsets.UTF_8)));
        assertNull(start.advance("\"x\"".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void unsupportedKeywordsAndBadSchemasAreRefusedByName() throws Exception {
        SchemaException e = assertThrows(SchemaException.class, () -> Schema.compile(JSON.readTree(
                "{\"type\":\"object\",\"properties\":{\"d\":{\"type\":\"string\",\"pattern\":\"^a\"}}}")));
        assertTrue(e.getMessage().contains("\"pattern\"") && e.getMessage().contains("#/properties/d"), e.getMessage());
        e = assertThrows(SchemaException.class, () -> Schema.compile(JSON.readTree("{\"$ref\":\"#/$defs/missing\"}")));
        assertTrue(e.getMessage().contains("#/$defs/missing"), e.getMessage());
        e = assertThrows(SchemaException.class, () -> Schema.compile(JSON.readTree("{\"type\":\"float\"}")));
        assertTrue(e.getMessage().contains("float"), e.getMessage());
        e = assertThrows(SchemaException.class, () -> Schema.compile(JSON.readTree(
                "{\"$defs\":{\"a\":{\"$ref\":\"#/$defs/b\"},\"b\":{\"$ref\":\"#/$defs/a\"}},\"$ref\":\"#/$defs/a\"}")));
        assertTrue(e.getMessage().contains("itself"), e.getMessage());
        e = assertThrows(SchemaException.class, () -> Schema.compile(JSON.readTree("{\"type\":\"integer\",\"minimum\":0.2,"
                + "\"maximum\":0.8}")));
        assertTrue(e.getMessage().contains("no integer"), e.getMessage());
    }

    /**
     * Walks random bytes through each schema, as a model whatever it prefers would: at every step some byte
     * may come or the document may end (no dead end), and every document that ends is valid by an
     * independent validator.
     */
    @Test
    void randomWalksNeverDeadEndAndAlwaysEndValid() throws Exception {
        SplittableRandom random = new SplittableRandom(2026);
        for (String schema : SCHEMAS) {
            JsonMatcher.State start = JsonMatcher.start(Schema.compile(JSON.readTree(schema)));
            int ended = 0;
            for (int walk = 0; walk < 200; walk++) {
                JsonMatcher.State s = start;
                java.io.ByteArrayOutputStream doc = new java.io.ByteArrayOutputStream();
                for (int step = 0; step < 4000; step++) {
                    List<Integer> next = new ArrayList<>();
                    List<JsonMatcher.State> states = new ArrayList<>();
                    for (int b = 0; b < 256; b++) {
                        JsonMatcher.State n = s.advance(b);
                        if (n != null) {
                            next.add(b);
                            states.add(n);
                        }
                    }
                    assertTrue(!next.isEmpty() || s.accepts(), "dead end after " + doc.toString(StandardCharsets.UTF_8));
                    if (s.accepts() && (next.isEmpty() || random.nextInt(4) == 0)) {
                        ended++;
                        String text = doc.toString(StandardCharsets.UTF_8);
                        JSON.readTree(text);
                        assertEquals(List.of(), SchemaCheck.errors(schema, text), text);
                        break;
                    }
                    // lean to the bytes that close things, so walks end
                    int pick = random.nextInt(next.size());
                    if (random.nextInt(3) == 0) {
                        for (int k = 0; k < next.size(); k++) {
                            int b = next.get(k);
                            if (b == '"' || b == '}' || b == ']') {
                                pick = k;
                                break;
                            }
                        }
                    }
                    doc.write(next.get(pick));
                    s = states.get(pick);
                }
            }
            assertTrue(ended > 150, schema + ": only " + ended + " of 200 walks ended");
        }
    }

    @Test
    void aRelaxedSchemaCompilesAndAllowsEverythingTheOriginalDoes() throws Exception {
        String original = "{\"type\":\"object\",\"properties\":{\"url\":{\"type\":\"string\",\"format\":\"uri\","
                + "\"pattern\":\"^https?://\"},\"mode\":{\"oneOf\":[{\"const\":\"fast\"},{\"const\":\"full\"}]},"
                + "\"n\":{\"type\":\"integer\",\"exclusiveMinimum\":0,\"maximum\":9},\"tags\":{\"type\":\"array\","
                + "\"items\":{\"type\":\"string\"},\"uniqueItems\":true}},\"required\":[\"url\"],\"allOf\":[{}]}";
        assertThrows(SchemaException.class, () -> Schema.compile(JSON.readTree(original)));
        Schema relaxed = Schema.compile(Schema.relax(JSON.readTree(original)));
        for (String doc : List.of("{\"url\":\"https://example.com\",\"mode\":\"full\",\"n\":3,\"tags\":[\"a\"]}",
                "{\"url\":\"http://x\"}")) {
            assertEquals(List.of(), SchemaCheck.errors(original, doc), doc);
            assertTrue(relaxed.accepts(doc.getBytes(StandardCharsets.UTF_8)), doc);
        }
        assertFalse(relaxed.accepts("{\"mode\":\"fast\"}".getBytes(StandardCharsets.UTF_8)), "what it can keep it keeps: url required");
    }
}
