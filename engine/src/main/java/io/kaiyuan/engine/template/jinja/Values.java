package io.kaiyuan.engine.template.jinja;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runtime values. Strings, Long (integers), Double (floats), Boolean, {@link List} (arrays; {@link Tuple}
 * for tuples), {@link Map} (objects, keys in insertion order; {@link KwArgs} for keyword arguments),
 * {@link Namespace}, {@link Fn}, and the singletons {@link Special#NONE} and {@link Special#UNDEFINED}.
 * Printing, truth and JSON follow the reference renderer.
 */
final class Values {
    private Values() {}

    enum Special { NONE, UNDEFINED }

    static final Special NONE = Special.NONE;
    static final Special UNDEFINED = Special.UNDEFINED;

    /** A callable: macros, globals such as range, and methods of strings and objects. */
    @FunctionalInterface
    interface Fn {
        Object call(List<Object> args, Environment env);
    }

    /** A tuple literal's value: an array. */
    static final class Tuple extends ArrayList<Object> {
        Tuple(Collection<Object> values) {
            super(values);
        }
    }

    /** Keyword arguments passed to a function, last in its argument list. */
    static final class KwArgs extends LinkedHashMap<String, Object> {
        KwArgs(Map<String, Object> values) {
            super(values);
        }
    }

    /** namespace(): an object whose attributes {@code set} can assign. */
    static final class Namespace {
        final LinkedHashMap<String, Object> values = new LinkedHashMap<>();
    }

    static boolean isNumber(Object o) {
        return o instanceof Long || o instanceof Double;
    }

    static boolean isNumericLike(Object o) {
        return isNumber(o) || o instanceof Boolean;
    }

    static double numeric(Object o) {
        if (o instanceof Boolean b) {
            return b ? 1 : 0;
        }
        return ((Number) o).doubleValue();
    }

    static boolean isAttributeContainer(Object o) {
        return o instanceof Map || o instanceof Namespace;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> attributes(Object o) {
        return o instanceof Namespace ns ? ns.values : (Map<String, Object>) o;
    }

    static String typeName(Object o) {
        if (o == NONE) {
            return "NullValue";
        }
        if (o == UNDEFINED) {
            return "UndefinedValue";
        }
        if (o instanceof String) {
            return "StringValue";
        }
        if (o instanceof Long) {
            return "IntegerValue";
        }
        if (o instanceof Double) {
            return "FloatValue";
        }
        if (o instanceof Boolean) {
            return "BooleanValue";
        }
        if (o instanceof Tuple) {
            return "TupleValue";
        }
        if (o instanceof List) {
            return "ArrayValue";
        }
        if (o instanceof KwArgs) {
            return "KeywordArgumentsValue";
        }
        if (o instanceof Map) {
            return "ObjectValue";
        }
        if (o instanceof Namespace) {
            return "NamespaceValue";
        }
        return "FunctionValue";
    }

    /** Truth as the reference's __bool__. */
    static boolean truthy(Object o) {
        if (o == NONE || o == UNDEFINED) {
            return false;
        }
        if (o instanceof Boolean b) {
            return b;
        }
        if (o instanceof Long l) {
            return l != 0;
        }
        if (o instanceof Double d) {
            return d != 0 && !d.isNaN();
        }
        if (o instanceof String s) {
            return !s.isEmpty();
        }
        if (o instanceof List<?> l) {
            return !l.isEmpty();
        }
        if (o instanceof Map<?, ?> m) {
            return !m.isEmpty();
        }
        return true;
    }

    /** The text a value renders as in output. */
    static String str(Object o) {
        if (o instanceof String s) {
            return s;
        }
        if (o instanceof Long l) {
            return Long.toString(l);
        }
        if (o instanceof Double d) {
            if (d == 0 && 1 / d < 0) {
                return "-0.0";
            }
            if (d % 1 == 0 && !d.isInfinite()) {
                return BigDecimal.valueOf(d).setScale(1).toPlainString();
            }
            return jsNumber(d);
        }
        if (o instanceof Boolean b) {
            return b ? "true" : "false";
        }
        if (o instanceof List || o instanceof Map || o instanceof Namespace) {
            return Json.write(o, null, false, null, false, 0, false);
        }
        if (o == NONE) {
            return "null";
        }
        if (o == UNDEFINED) {
            return "undefined";
        }
        return "function";
    }

    /** JavaScript's String(value) of the underlying value, used by the + and ~ operators. */
    static String jsString(Object o) {
        if (o instanceof Double d) {
            return jsNumber(d);
        }
        return str(o);
    }

    /** JavaScript's Number.prototype.toString. */
    static String jsNumber(double d) {
        if (Double.isNaN(d)) {
            return "NaN";
        }
        if (Double.isInfinite(d)) {
            return d > 0 ? "Infinity" : "-Infinity";
        }
        if (d == Math.rint(d) && Math.abs(d) < 1e21) {
            return BigDecimal.valueOf(d).toBigInteger().toString();
        }
        BigDecimal bd = new BigDecimal(Double.toString(d)).stripTrailingZeros();
        double abs = Math.abs(d);
        if (abs >= 1e-7 && abs < 1e21) {
            return bd.toPlainString();
        }
        String s = bd.toString().replace("E", "e");
        return s.contains("e-") ? s : s.replace("e", "e+");
    }

    /** The reference's loose equality on the underlying values. */
    static boolean looseEquals(Object a, Object b) {
        boolean aNull = a == NONE || a == UNDEFINED;
        boolean bNull = b == NONE || b == UNDEFINED;
        if (aNull || bNull) {
            return aNull && bNull;
        }
        if (isNumericLike(a) && isNumericLike(b)) {
            return numeric(a) == numeric(b);
        }
        if (a instanceof String && b instanceof String) {
            return a.equals(b);
        }
        if (a instanceof String s && isNumber(b)) {
            return looseNumber(s, numeric(b));
        }
        if (b instanceof String s && isNumber(a)) {
            return looseNumber(s, numeric(a));
        }
        return a == b;
    }

    private static boolean looseNumber(String s, double n) {
        try {
            return Double.parseDouble(s.trim().isEmpty() ? "0" : s.trim()) == n;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    /** The reference's strict equality (===) on the underlying values. */
    static boolean strictEquals(Object a, Object b) {
        if (isNumber(a) && isNumber(b)) {
            return numeric(a) == numeric(b);
        }
        if (a instanceof String || a instanceof Boolean) {
            return a.equals(b);
        }
        return a == b;
    }
}
