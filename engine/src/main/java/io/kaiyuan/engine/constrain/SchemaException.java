package io.kaiyuan.engine.constrain;

/** A JSON schema that cannot be enforced: the message names the keyword or the place and says what to do. */
public final class SchemaException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public SchemaException(String message) {
        super(message);
    }
}
