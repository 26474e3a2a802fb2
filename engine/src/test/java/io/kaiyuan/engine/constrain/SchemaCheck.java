package io.kaiyuan.engine.constrain;

import com.networknt.schema.InputFormat;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.util.List;

/** An independent JSON Schema validator (networknt), to check what the constrained decoder writes. */
public final class SchemaCheck {
    private static final SchemaRegistry REGISTRY = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12);

    private SchemaCheck() {}

    /** The validator's complaints about {@code document} under {@code schema}; empty when valid. */
    public static List<String> errors(String schema, String document) {
        return REGISTRY.getSchema(schema, InputFormat.JSON).validate(document, InputFormat.JSON).stream()
                .map(Object::toString).toList();
    }
}
