package io.kaiyuan.engine.api;

import java.util.Objects;

/**
 * What shape the answer must have: free text, any JSON object, or a document valid for a JSON schema
 * (enforced token by token while generating, so the answer always parses and validates unless the token
 * budget cuts it, which its finish reason then says).
 *
 * @param schema the JSON schema's text for {@link Kind#JSON_SCHEMA}; empty otherwise
 */
public record ResponseFormat(Kind kind, String schema) {
    /** Free text. */
    public static final ResponseFormat TEXT = new ResponseFormat(Kind.TEXT, "");
    /** Any JSON object. */
    public static final ResponseFormat JSON_OBJECT = new ResponseFormat(Kind.JSON_OBJECT, "");

    public enum Kind { TEXT, JSON_OBJECT, JSON_SCHEMA }

    public ResponseFormat {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(schema, "schema");
        if (kind == Kind.JSON_SCHEMA && schema.isBlank()) {
            throw new IllegalArgumentException("a JSON schema response format needs the schema");
        }
    }

    /** A document valid for {@code schema} (its JSON text). */
    public static ResponseFormat jsonSchema(String schema) {
        return new ResponseFormat(Kind.JSON_SCHEMA, schema);
    }

    public boolean isText() {
        return kind == Kind.TEXT;
    }
}
