package io.kaiyuan.engine.template.jinja;

import static io.kaiyuan.engine.template.jinja.Values.NONE;
import static io.kaiyuan.engine.template.jinja.Values.UNDEFINED;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BiPredicate;

/** The tests of {@code x is name}: the reference renderer's set. */
final class Tests {
    private Tests() {}

    private static final Map<String, BiPredicate<Object, Object>> TESTS = Map.ofEntries(
            Map.entry("boolean", (a, b) -> a instanceof Boolean),
            Map.entry("callable", (a, b) -> a instanceof Values.Fn),
            Map.entry("odd", (a, b) -> integer(a, "odd") % 2 != 0),
            Map.entry("even", (a, b) -> integer(a, "even") % 2 == 0),
            Map.entry("false", (a, b) -> Boolean.FALSE.equals(a)),
            Map.entry("true", (a, b) -> Boolean.TRUE.equals(a)),
            Map.entry("none", (a, b) -> a == NONE),
            Map.entry("string", (a, b) -> a instanceof String),
            Map.entry("number", (a, b) -> Values.isNumber(a)),
            Map.entry("integer", (a, b) -> a instanceof Long),
            Map.entry("iterable", (a, b) -> a instanceof List || a instanceof String),
            Map.entry("mapping", (a, b) -> a instanceof Map),
            Map.entry("sequence", (a, b) -> a instanceof List || a instanceof Map || a instanceof String),
            Map.entry("lower", (a, b) -> a instanceof String s && s.equals(s.toLowerCase(Locale.ROOT))),
            Map.entry("upper", (a, b) -> a instanceof String s && s.equals(s.toUpperCase(Locale.ROOT))),
            Map.entry("defined", (a, b) -> a != UNDEFINED),
            Map.entry("undefined", (a, b) -> a == UNDEFINED),
            Map.entry("equalto", Values::strictEquals),
            Map.entry("eq", Values::strictEquals));

    private static long integer(Object a, String test) {
        if (!(a instanceof Long l)) {
            throw new TemplateException("cannot " + test + " on " + Values.typeName(a));
        }
        return l;
    }

    static BiPredicate<Object, Object> get(String name) {
        BiPredicate<Object, Object> test = TESTS.get(name);
        if (test == null) {
            throw new TemplateException("Unknown test: " + name);
        }
        return test;
    }
}
