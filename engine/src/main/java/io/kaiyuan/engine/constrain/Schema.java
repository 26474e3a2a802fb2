package io.kaiyuan.engine.constrain;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A JSON schema compiled into what the decoder enforces. The supported keywords are {@link #SUPPORTED}
 * (plus the annotations in {@link #IGNORED}, which constrain nothing); any other keyword is refused with a
 * {@link SchemaException} naming it, so a schema is never silently half-enforced.
 *
 * <p>An object's declared properties may come in any order, each at most once (those in {@code required}
 * exactly once); extra properties, where {@code additionalProperties} allows them, come once the required
 * ones are written (so the object can end after each) and never repeat a declared name.
 */
public final class Schema {
    /** The keywords that constrain the document. */
    public static final Set<String> SUPPORTED = Set.of("type", "properties", "required", "additionalProperties", "enum",
            "const", "items", "minItems", "maxItems", "minLength", "maxLength", "minimum", "maximum", "anyOf", "$ref",
            "$defs", "definitions");
    /** Keywords that describe and constrain nothing. */
    public static final Set<String> IGNORED = Set.of("title", "description", "$schema", "$id", "$comment", "default",
            "examples", "strict");
    /** The deepest nesting a document may have (objects and arrays), so any recursion ends. */
    public static final int MAX_DEPTH = 24;
    /** The most properties one object may declare. */
    public static final int MAX_PROPERTIES = 64;
    /** The most characters a schema may hold (its JSON text). */
    public static final int MAX_SCHEMA_CHARS = 200_000;

    /** What a value must be. */
    sealed interface Node permits AnyValue, ObjectNode, ArrayNode, StringNode, NumberNode, Literals, AnyOf, Ref {}

    /** Any JSON value. */
    record AnyValue() implements Node {}

    /** An object; {@code additional} null means no other properties. */
    record ObjectNode(List<String> names, List<Node> values, List<Boolean> required, Node additional) implements Node {}

    /** An array; {@code maxItems} -1 for no limit. */
    record ArrayNode(Node items, int minItems, int maxItems) implements Node {}

    /** A string of {@code minLength..maxLength} characters (code points; -1 for no limit). */
    record StringNode(int minLength, int maxLength) implements Node {}

    /** A number; an integer when {@code integer}; null bounds for none. */
    record NumberNode(boolean integer, BigDecimal minimum, BigDecimal maximum) implements Node {}

    /** One of these exact JSON texts (enum, const, true, false, null). */
    record Literals(List<byte[]> texts) implements Node {}

    /** Any of these. */
    record AnyOf(List<Node> options) implements Node {}

    /** A definition of the schema, resolved when a value starts. */
    record Ref(String name, Map<String, Node> definitions) implements Node {
        Node target() {
            return definitions.get(name);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Ref r && r.name.equals(name) && r.definitions == definitions;
        }

        @Override
        public int hashCode() {
            return name.hashCode();
        }
    }

    private static final ObjectMapper CANONICAL = new ObjectMapper().configure(SerializationFeature.INDENT_OUTPUT, false);

    private final Node root;

    private Schema(Node root) {
        this.root = root;
    }

    Node root() {
        return root;
    }

    /**
     * A tool call as Hermes-style templates write it, {@code {"name": NAME, "arguments": {...}}}: one of
     * {@code names}, with the arguments valid for that function's parameter schema.
     */
    public static Schema toolCall(List<String> names, List<Schema> parameters) {
        if (names.isEmpty() || names.size() != parameters.size()) {
            throw new IllegalArgumentException("one parameter schema per function name");
        }
        List<Node> options = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            Node args = parameters.get(i).root;
            options.add(new ObjectNode(List.of("name", "arguments"),
                    List.of(new Literals(List.of(json(com.fasterxml.jackson.databind.node.TextNode.valueOf(names.get(i))))), args),
                    List.of(true, true), null));
        }
        return new Schema(options.size() == 1 ? options.get(0) : new AnyOf(options));
    }

    /** The parameters of a function: an object schema; {@code {}} (or none) for any object. */
    public static Schema parameters(JsonNode schema) {
        if (schema == null || schema.isMissingNode() || schema.isNull() || schema.isObject() && schema.isEmpty()) {
            return anyObject();
        }
        Schema s = compile(schema);
        Node root = s.root;
        while (root instanceof Ref r) {
            root = r.target();
        }
        if (!(root instanceof ObjectNode) && !(root instanceof AnyValue)) {
            throw new SchemaException("A function's parameters must be an object schema ({\"type\": \"object\", ...}).");
        }
        return root instanceof AnyValue ? anyObject() : s;
    }

    /**
     * {@code schema} with what the decoder cannot enforce taken out, so that it allows at least every document
     * the original allows: unsupported keywords are dropped ({@code format}, {@code pattern}, {@code allOf},
     * ...), {@code oneOf} becomes {@code anyOf}. For schemas Kaiyuan does not own (an MCP server's tools), whose
     * owner checks the rest; a request's own schema is refused instead ({@link #compile}).
     */
    public static JsonNode relax(JsonNode schema) {
        return relax(schema, 0);
    }

    private static JsonNode relax(JsonNode schema, int depth) {
        if (schema == null || !schema.isObject() || depth > 64) {
            return schema != null && schema.isBoolean() ? schema : com.fasterxml.jackson.databind.node.BooleanNode.TRUE;
        }
        com.fasterxml.jackson.databind.node.ObjectNode out = CANONICAL.createObjectNode();
        for (Iterator<Map.Entry<String, JsonNode>> it = schema.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String k = e.getKey();
            JsonNode v = e.getValue();
            switch (k) {
                case "properties", "$defs", "definitions" -> {
                    com.fasterxml.jackson.databind.node.ObjectNode m = out.putObject(k);
                    v.fields().forEachRemaining(p -> m.set(p.getKey(), relax(p.getValue(), depth + 1)));
                }
                case "items", "additionalProperties" -> out.set(k, v.isBoolean() ? v : relax(v, depth + 1));
                case "anyOf", "oneOf" -> {
                    com.fasterxml.jackson.databind.node.ArrayNode a = out.putArray("anyOf");
                    v.forEach(o -> a.add(relax(o, depth + 1)));
                }
                default -> {
                    if (SUPPORTED.contains(k) || IGNORED.contains(k)) {
                        out.set(k, v);
                    }
                }
            }
        }
        if (out.has("items") && out.get("items").isArray()) {
            out.remove("items"); // the tuple form: any items
        }
        if (out.has("anyOf") && (out.has("type") || out.has("enum") || out.has("const"))) {
            out.remove("anyOf"); // a schema that says both: keep the simpler, wider part
        }
        if (out.has("$ref") && out.size() > 1) {
            for (String k : List.of("type", "properties", "required", "items")) {
                out.remove(k);
            }
        }
        return out;
    }

    /** Whether {@code document} (UTF-8, written as the decoder writes documents) is valid for this schema. */
    public boolean accepts(byte[] document) {
        JsonMatcher.State s = JsonMatcher.start(this).advance(document);
        return s != null && s.accepts();
    }

    /** Any JSON object ({@code response_format: json_object}). */
    public static Schema anyObject() {
        return new Schema(new ObjectNode(List.of(), List.of(), List.of(), new AnyValue()));
    }

    /**
     * Compiles {@code schema}.
     *
     * @throws SchemaException for a keyword that is not supported, a malformed value or a $ref that names no
     *     definition, with where it is
     */
    public static Schema compile(JsonNode schema) {
        if (schema == null || !schema.isObject()) {
            throw new SchemaException("The schema must be a JSON object, such as {\"type\": \"object\", ...}.");
        }
        if (schema.toString().length() > MAX_SCHEMA_CHARS) {
            throw new SchemaException("The schema is longer than " + MAX_SCHEMA_CHARS + " characters.");
        }
        Map<String, Node> definitions = new HashMap<>();
        Map<String, JsonNode> raw = new LinkedHashMap<>();
        for (String key : List.of("$defs", "definitions")) {
            JsonNode defs = schema.get(key);
            if (defs != null) {
                if (!defs.isObject()) {
                    throw new SchemaException(key + " must be an object of named schemas.");
                }
                defs.fields().forEachRemaining(e -> raw.put("#/" + key + "/" + e.getKey(), e.getValue()));
            }
        }
        Compiler c = new Compiler(definitions, raw.keySet());
        for (Map.Entry<String, JsonNode> e : raw.entrySet()) {
            definitions.put(e.getKey(), c.node(e.getValue(), e.getKey(), 0));
        }
        Node root = c.node(schema, "#", 0);
        checkRefsEnd(definitions);
        return new Schema(root);
    }

    /** A $ref cycle that never reaches a value ({@code a: {$ref: b}, b: {$ref: a}}) would never end. */
    private static void checkRefsEnd(Map<String, Node> definitions) {
        for (String name : definitions.keySet()) {
            Node n = definitions.get(name);
            for (int hops = 0; n instanceof Ref r; hops++) {
                if (hops > definitions.size()) {
                    throw new SchemaException("$ref " + name + " refers to itself without a value in between.");
                }
                n = r.target();
            }
        }
    }

    private static final class Compiler {
        private final Map<String, Node> definitions;
        private final Set<String> names;

        Compiler(Map<String, Node> definitions, Set<String> names) {
            this.definitions = definitions;
            this.names = names;
        }

        Node node(JsonNode s, String at, int depth) {
            if (depth > 64) {
                throw new SchemaException("The schema nests deeper than 64 levels at " + at + ".");
            }
            if (s.isBoolean()) {
                if (s.booleanValue()) {
                    return new AnyValue();
                }
                throw new SchemaException("The schema at " + at + " is false: no value can match it.");
            }
            if (!s.isObject()) {
                throw new SchemaException("The schema at " + at + " must be an object or true.");
            }
            for (Iterator<String> it = s.fieldNames(); it.hasNext(); ) {
                String k = it.next();
                if (!SUPPORTED.contains(k) && !IGNORED.contains(k)) {
                    throw new SchemaException("The keyword \"" + k + "\" (at " + at + ") is not supported; supported are: "
                            + String.join(", ", SUPPORTED.stream().sorted().toList()) + ".");
                }
            }
            if (s.has("$ref")) {
                String ref = text(s, "$ref", at);
                {
                    for (Iterator<String> it = s.fieldNames(); it.hasNext(); ) {
                        String k = it.next();
                        if (!k.equals("$ref") && !k.equals("$defs") && !k.equals("definitions") && !IGNORED.contains(k)) {
                            throw new SchemaException("At " + at + ", \"" + k + "\" beside \"$ref\" is not supported: "
                                    + "move it into the definition.");
                        }
                    }
                }
                if (!names.contains(ref)) {
                    throw new SchemaException("\"$ref\": \"" + ref + "\" (at " + at + ") names no definition: use #/$defs/NAME"
                            + " with NAME under $defs.");
                }
                return new Ref(ref, definitions);
            }
            List<Node> all = new ArrayList<>();
            if (s.has("const")) {
                all.add(new Literals(List.of(json(s.get("const")))));
            }
            if (s.has("enum")) {
                JsonNode e = s.get("enum");
                if (!e.isArray() || e.isEmpty()) {
                    throw new SchemaException("\"enum\" at " + at + " must be a non-empty array.");
                }
                List<byte[]> texts = new ArrayList<>();
                e.forEach(v -> texts.add(json(v)));
                all.add(new Literals(texts));
            }
            if (s.has("anyOf")) {
                JsonNode a = s.get("anyOf");
                if (!a.isArray() || a.isEmpty()) {
                    throw new SchemaException("\"anyOf\" at " + at + " must be a non-empty array of schemas.");
                }
                List<Node> options = new ArrayList<>();
                for (int i = 0; i < a.size(); i++) {
                    options.add(node(a.get(i), at + "/anyOf/" + i, depth + 1));
                }
                all.add(options.size() == 1 ? options.get(0) : new AnyOf(options));
            }
            Node typed = typed(s, at, depth);
            if (typed != null) {
                all.add(typed);
            }
            if (all.isEmpty()) {
                return new AnyValue();
            }
            if (all.size() > 1) {
                // enum or const beside a type: the literals already say the value; the type must agree
                if (all.get(0) instanceof Literals l && all.stream().skip(1).allMatch(n -> n instanceof StringNode
                        || n instanceof NumberNode || n instanceof Literals)) {
                    return l;
                }
                throw new SchemaException("At " + at + ", combine \"anyOf\", \"enum\", \"const\" and \"type\" by nesting them "
                        + "(one of them per schema).");
            }
            return all.get(0);
        }

        private Node typed(JsonNode s, String at, int depth) {
            JsonNode type = s.get("type");
            if (type == null) {
                if (s.has("properties") || s.has("additionalProperties") || s.has("required")) {
                    return object(s, at, depth);
                }
                if (s.has("items") || s.has("minItems") || s.has("maxItems")) {
                    return array(s, at, depth);
                }
                if (s.has("minLength") || s.has("maxLength")) {
                    return string(s, at);
                }
                if (s.has("minimum") || s.has("maximum")) {
                    return number(s, at, false);
                }
                return null;
            }
            if (type.isArray()) {
                List<Node> options = new ArrayList<>();
                for (JsonNode t : type) {
                    options.add(one(s, t.asText(), at, depth));
                }
                if (options.isEmpty()) {
                    throw new SchemaException("\"type\" at " + at + " is an empty array.");
                }
                return options.size() == 1 ? options.get(0) : new AnyOf(options);
            }
            return one(s, type.asText(), at, depth);
        }

        private Node one(JsonNode s, String type, String at, int depth) {
            return switch (type) {
                case "object" -> object(s, at, depth);
                case "array" -> array(s, at, depth);
                case "string" -> string(s, at);
                case "integer" -> number(s, at, true);
                case "number" -> number(s, at, false);
                case "boolean" -> new Literals(List.of(bytes("true"), bytes("false")));
                case "null" -> new Literals(List.of(bytes("null")));
                default -> throw new SchemaException("\"type\": \"" + type + "\" (at " + at + ") is not a JSON schema type: use "
                        + "object, array, string, integer, number, boolean or null.");
            };
        }

        private Node object(JsonNode s, String at, int depth) {
            List<String> names = new ArrayList<>();
            List<Node> values = new ArrayList<>();
            List<Boolean> required = new ArrayList<>();
            Set<String> req = new java.util.HashSet<>();
            JsonNode r = s.get("required");
            if (r != null) {
                if (!r.isArray()) {
                    throw new SchemaException("\"required\" at " + at + " must be an array of property names.");
                }
                r.forEach(n -> req.add(n.asText()));
            }
            JsonNode props = s.get("properties");
            if (props != null) {
                if (!props.isObject()) {
                    throw new SchemaException("\"properties\" at " + at + " must be an object.");
                }
                for (Iterator<Map.Entry<String, JsonNode>> it = props.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> e = it.next();
                    names.add(e.getKey());
                    values.add(node(e.getValue(), at + "/properties/" + e.getKey(), depth + 1));
                    required.add(req.contains(e.getKey()));
                }
            }
            if (names.size() > MAX_PROPERTIES) {
                throw new SchemaException("The object at " + at + " declares " + names.size() + " properties; at most "
                        + MAX_PROPERTIES + " are supported.");
            }
            for (String name : req) {
                if (!names.contains(name)) {
                    throw new SchemaException("\"required\" at " + at + " names \"" + name + "\", which is not under "
                            + "\"properties\": describe it there.");
                }
            }
            JsonNode add = s.get("additionalProperties");
            Node additional;
            if (add == null || add.isBoolean() && add.booleanValue()) {
                additional = new AnyValue();
            } else if (add.isBoolean()) {
                additional = null;
            } else {
                additional = node(add, at + "/additionalProperties", depth + 1);
            }
            return new ObjectNode(List.copyOf(names), List.copyOf(values), List.copyOf(required), additional);
        }

        private Node array(JsonNode s, String at, int depth) {
            JsonNode items = s.get("items");
            if (items != null && items.isArray()) {
                throw new SchemaException("\"items\" at " + at + " is an array (tuple form): give one schema for every item.");
            }
            Node item = items == null ? new AnyValue() : node(items, at + "/items", depth + 1);
            int min = count(s, "minItems", at, 0);
            int max = count(s, "maxItems", at, -1);
            if (max >= 0 && max < min) {
                throw new SchemaException("At " + at + ", maxItems " + max + " is below minItems " + min + ".");
            }
            return new ArrayNode(item, min, max);
        }

        private Node string(JsonNode s, String at) {
            int min = count(s, "minLength", at, 0);
            int max = count(s, "maxLength", at, -1);
            if (max >= 0 && max < min) {
                throw new SchemaException("At " + at + ", maxLength " + max + " is below minLength " + min + ".");
            }
            return new StringNode(min, max);
        }

        private Node number(JsonNode s, String at, boolean integer) {
            BigDecimal min = bound(s, "minimum", at);
            BigDecimal max = bound(s, "maximum", at);
            if (min != null && max != null && max.compareTo(min) < 0) {
                throw new SchemaException("At " + at + ", maximum " + max + " is below minimum " + min + ".");
            }
            if (integer && min != null && max != null
                    && min.setScale(0, java.math.RoundingMode.CEILING).compareTo(max.setScale(0, java.math.RoundingMode.FLOOR)) > 0) {
                throw new SchemaException("At " + at + ", no integer lies between minimum " + min + " and maximum " + max + ".");
            }
            return new NumberNode(integer, min, max);
        }

        private static BigDecimal bound(JsonNode s, String key, String at) {
            JsonNode v = s.get(key);
            if (v == null) {
                return null;
            }
            if (!v.isNumber()) {
                throw new SchemaException("\"" + key + "\" at " + at + " must be a number.");
            }
            BigDecimal d = v.decimalValue();
            if (d.abs().compareTo(NumberBounds.LIMIT) > 0 || d.scale() > NumberBounds.FRACTION_DIGITS) {
                throw new SchemaException("\"" + key + "\" at " + at + " must lie within ±1e15 with at most "
                        + NumberBounds.FRACTION_DIGITS + " decimals.");
            }
            return d;
        }

        private static int count(JsonNode s, String key, String at, int absent) {
            JsonNode v = s.get(key);
            if (v == null) {
                return absent;
            }
            if (!v.canConvertToInt() || !v.isIntegralNumber() || v.intValue() < 0 || v.intValue() > 100_000) {
                throw new SchemaException("\"" + key + "\" at " + at + " must be a whole number from 0 to 100000.");
            }
            return v.intValue();
        }

        private static String text(JsonNode s, String key, String at) {
            JsonNode v = s.get(key);
            if (v == null || !v.isTextual()) {
                throw new SchemaException("\"" + key + "\" at " + at + " must be a string.");
            }
            return v.asText();
        }
    }

    private static byte[] json(JsonNode v) {
        try {
            return CANONICAL.writeValueAsBytes(v);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new SchemaException("A value in the schema cannot be written as JSON: " + e.getOriginalMessage());
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
