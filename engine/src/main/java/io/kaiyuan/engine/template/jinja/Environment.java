package io.kaiyuan.engine.template.jinja;

import java.util.HashMap;
import java.util.Map;

/** A scope of variables with a parent; lookups fall back to the parent, then to undefined. */
final class Environment {
    final Environment parent;
    final Map<String, Object> variables = new HashMap<>();

    Environment(Environment parent) {
        this.parent = parent;
    }

    void set(String name, Object value) {
        variables.put(name, value);
    }

    Object lookup(String name) {
        for (Environment e = this; e != null; e = e.parent) {
            if (e.variables.containsKey(name)) {
                return e.variables.get(name);
            }
        }
        return Values.UNDEFINED;
    }
}
