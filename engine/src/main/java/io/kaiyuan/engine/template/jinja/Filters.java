package io.kaiyuan.engine.template.jinja;

import static io.kaiyuan.engine.template.jinja.Values.NONE;
import static io.kaiyuan.engine.template.jinja.Values.UNDEFINED;

import io.kaiyuan.engine.template.jinja.Node.CallExpression;
import io.kaiyuan.engine.template.jinja.Node.Identifier;
import io.kaiyuan.engine.template.jinja.Node.StringLiteral;
import io.kaiyuan.engine.template.jinja.Values.Fn;
import io.kaiyuan.engine.template.jinja.Values.KwArgs;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiPredicate;

/** The filters of {@code value | name(args)}, as the reference renderer applies them. */
final class Filters {
    private Filters() {}

    static Object apply(Interpreter interpreter, Object operand, Node filterNode, Environment env) {
        if (filterNode instanceof Identifier id) {
            return simple(operand, id.value(), env);
        }
        if (!(filterNode instanceof CallExpression call) || !(call.callee() instanceof Identifier callee)) {
            throw new TemplateException("Unknown filter");
        }
        return withArguments(interpreter, operand, callee.value(), call, env);
    }

    private static Object simple(Object operand, String name, Environment env) {
        if (name.equals("safe")) {
            return operand;
        }
        if (name.equals("tojson")) {
            return Json.write(operand, null, false, null, false, 0, true);
        }
        if (operand instanceof List<?> list) {
            switch (name) {
                case "list":
                    return operand;
                case "first":
                    return list.isEmpty() ? UNDEFINED : list.get(0);
                case "last":
                    return list.isEmpty() ? UNDEFINED : list.get(list.size() - 1);
                case "length":
                    return (long) list.size();
                case "reverse": {
                    List<Object> out = new ArrayList<>(list);
                    java.util.Collections.reverse(out);
                    return out;
                }
                case "sort": {
                    List<Object> out = new ArrayList<>(list);
                    out.sort((a, b) -> Builtins.compare(a, b, false));
                    return out;
                }
                case "join": {
                    StringBuilder s = new StringBuilder();
                    for (Object x : list) {
                        s.append(Values.jsString(x));
                    }
                    return s.toString();
                }
                case "string":
                    return Json.write(operand, null, false, null, false, 0, false);
                case "select", "reject":
                    return selectOrReject(new ArrayList<>(list), name.equals("select"), null, List.of());
                case "unique": {
                    List<Object> out = new ArrayList<>();
                    for (Object x : list) {
                        boolean seen = false;
                        for (Object y : out) {
                            if (Values.strictEquals(x, y)) {
                                seen = true;
                                break;
                            }
                        }
                        if (!seen) {
                            out.add(x);
                        }
                    }
                    return out;
                }
                default:
                    throw new TemplateException("Unknown ArrayValue filter: " + name);
            }
        }
        if (operand instanceof String s) {
            switch (name) {
                case "length", "upper", "lower", "title", "capitalize": {
                    Object builtin = Builtins.member(s, name);
                    return builtin instanceof Fn f ? f.call(List.of(), env) : builtin;
                }
                case "trim":
                    return Builtins.strip(s, List.of(), true, true);
                case "indent":
                    return indent(s, 4, false, false);
                case "join", "string":
                    return s;
                case "int":
                    return parseInt(s, 0L);
                case "float":
                    return parseFloat(s, 0.0);
                default:
                    throw new TemplateException("Unknown StringValue filter: " + name);
            }
        }
        if (Values.isNumber(operand)) {
            switch (name) {
                case "abs":
                    return operand instanceof Long l ? (Object) Math.abs(l) : (Object) Math.abs((Double) operand);
                case "round":
                    return round(Values.numeric(operand), 0, "common");
                case "int":
                    return (long) Math.floor(Values.numeric(operand));
                case "float":
                    return Values.numeric(operand);
                case "string":
                    return Values.str(operand);
                default:
                    throw new TemplateException("Unknown NumericValue filter: " + name);
            }
        }
        if (operand instanceof Map<?, ?> map) {
            switch (name) {
                case "items":
                    return Builtins.items(cast(map));
                case "length":
                    return (long) map.size();
                default: {
                    Object builtin = Builtins.member(operand, name);
                    if (builtin != null) {
                        return builtin instanceof Fn f ? f.call(List.of(), env) : builtin;
                    }
                    throw new TemplateException("Unknown ObjectValue filter: " + name);
                }
            }
        }
        if (operand instanceof Boolean b) {
            switch (name) {
                case "bool":
                    return b;
                case "int":
                    return b ? 1L : 0L;
                case "float":
                    return b ? 1.0 : 0.0;
                case "string":
                    return b ? "true" : "false";
                default:
                    throw new TemplateException("Unknown BooleanValue filter: " + name);
            }
        }
        throw new TemplateException("Cannot apply filter \"" + name + "\" to type: " + Values.typeName(operand));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> cast(Map<?, ?> m) {
        return (Map<String, Object>) m;
    }

    /** JavaScript's parseInt(s, 10): leading whitespace, optional sign, digits; NaN when none. */
    private static Object parseInt(String s, Object fallback) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("^\\s*([+-]?\\d+)").matcher(s);
        return m.find() ? (Object) Long.parseLong(m.group(1).replace("+", "")) : fallback;
    }

    /** JavaScript's parseFloat. */
    private static Object parseFloat(String s, Object fallback) {
        java.util.regex.Matcher m = java.util.regex.Pattern
                .compile("^\\s*([+-]?(?:\\d+\\.?\\d*(?:[eE][+-]?\\d+)?|\\.\\d+(?:[eE][+-]?\\d+)?))").matcher(s);
        return m.find() ? (Object) Double.parseDouble(m.group(1)) : fallback;
    }

    static String indent(String s, long width, boolean first, boolean blank) {
        Budget budget = Budget.current();
        budget.chars(Math.max(0, width));
        String pad = " ".repeat((int) Math.max(0, width));
        String[] lines = s.split("\n", -1);
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < lines.length; i++) {
            if (i > 0) {
                out.append('\n');
            }
            String x = lines[i];
            boolean padded = !((!first && i == 0) || (!blank && x.isEmpty()));
            budget.chars((long) out.length() + x.length() + (padded ? pad.length() : 0));
            out.append(padded ? pad + x : x);
        }
        return out.toString();
    }

    private static Object arg(Interpreter.Arguments a, int index, String keyword, Object fallback) {
        if (index < a.positional().size()) {
            return a.positional().get(index);
        }
        return a.keywords().getOrDefault(keyword, fallback);
    }

    private static Object withArguments(Interpreter interpreter, Object operand, String name, CallExpression call,
            Environment env) {
        switch (name) {
            case "tojson": {
                Interpreter.Arguments a = interpreter.arguments(call.args(), env);
                Object indent = a.keywords().getOrDefault("indent", NONE);
                Object ensureAscii = a.keywords().getOrDefault("ensure_ascii", false);
                Object sortKeys = a.keywords().getOrDefault("sort_keys", false);
                Object separatorsArg = a.keywords().getOrDefault("separators", NONE);
                if (!(indent instanceof Long || indent == NONE)) {
                    throw new TemplateException("If set, indent must be a number");
                }
                if (!(ensureAscii instanceof Boolean ea) || !(sortKeys instanceof Boolean sk)) {
                    throw new TemplateException("ensure_ascii and sort_keys must be booleans");
                }
                String[] separators = null;
                if (separatorsArg instanceof List<?> seps) {
                    if (seps.size() != 2 || !(seps.get(0) instanceof String i) || !(seps.get(1) instanceof String k)) {
                        throw new TemplateException("separators must be a tuple of two strings");
                    }
                    separators = new String[] {i, k};
                } else if (separatorsArg != NONE) {
                    throw new TemplateException("If set, separators must be a tuple of two strings");
                }
                if (indent instanceof Long w && (w < 0 || w > 64)) {
                    throw new TemplateException("tojson indent must be between 0 and 64, got " + w);
                }
                Integer width = indent == NONE ? null : (int) (long) (Long) indent;
                return Json.write(operand, width, ea, separators, sk, 0, true);
            }
            case "join": {
                List<Object> values = new ArrayList<>();
                if (operand instanceof String s) {
                    s.codePoints().forEach(cp -> values.add(new String(Character.toChars(cp))));
                } else if (operand instanceof List<?> l) {
                    values.addAll(l);
                } else {
                    throw new TemplateException("Cannot apply filter \"join\" to type: " + Values.typeName(operand));
                }
                Interpreter.Arguments a = interpreter.arguments(call.args(), env);
                Object separator = arg(a, 0, "separator", "");
                if (!(separator instanceof String sep)) {
                    throw new TemplateException("separator must be a string");
                }
                Budget budget = interpreter.budget();
                StringBuilder out = new StringBuilder();
                for (int i = 0; i < values.size(); i++) {
                    String item = Values.jsString(values.get(i));
                    budget.chars((long) out.length() + sep.length() + item.length());
                    if (i > 0) {
                        out.append(sep);
                    }
                    out.append(item);
                }
                return out.toString();
            }
            case "int", "float": {
                Interpreter.Arguments a = interpreter.arguments(call.args(), env);
                boolean isInt = name.equals("int");
                Object fallback = arg(a, 0, "default", isInt ? (Object) 0L : (Object) 0.0);
                if (operand instanceof String s) {
                    return isInt ? parseInt(s, fallback) : parseFloat(s, fallback);
                }
                if (Values.isNumber(operand)) {
                    return operand;
                }
                if (operand instanceof Boolean b) {
                    return isInt ? (Object) (b ? 1L : 0L) : (Object) (b ? 1.0 : 0.0);
                }
                throw new TemplateException("Cannot apply filter \"" + name + "\" to type: " + Values.typeName(operand));
            }
            case "default": {
                Interpreter.Arguments a = interpreter.arguments(call.args(), env);
                Object fallback = a.positional().isEmpty() ? "" : a.positional().get(0);
                Object booleanFlag = a.positional().size() > 1 ? a.positional().get(1)
                        : a.keywords().getOrDefault("boolean", false);
                if (!(booleanFlag instanceof Boolean flag)) {
                    throw new TemplateException("`default` filter flag must be a boolean");
                }
                if (operand == UNDEFINED || (flag && !Values.truthy(operand))) {
                    return fallback;
                }
                return operand;
            }
            default:
                break;
        }
        if (operand instanceof List<?> rawList) {
            @SuppressWarnings("unchecked")
            List<Object> list = (List<Object>) rawList;
            switch (name) {
                case "sort": {
                    Interpreter.Arguments a = interpreter.arguments(call.args(), env);
                    Object reverse = arg(a, 0, "reverse", false);
                    Object caseSensitive = arg(a, 1, "case_sensitive", false);
                    Object attribute = arg(a, 2, "attribute", NONE);
                    if (!(reverse instanceof Boolean rev) || !(caseSensitive instanceof Boolean cs)) {
                        throw new TemplateException("reverse and case_sensitive must be booleans");
                    }
                    List<Object> out = new ArrayList<>(list);
                    out.sort((x, y) -> {
                        Object xv = attribute == NONE ? x : attributeValue(x, Values.str(attribute));
                        Object yv = attribute == NONE ? y : attributeValue(y, Values.str(attribute));
                        int r = Builtins.compare(xv, yv, cs);
                        return rev ? -r : r;
                    });
                    return out;
                }
                case "selectattr", "rejectattr": {
                    boolean select = name.equals("selectattr");
                    for (Object item : list) {
                        if (!Values.isAttributeContainer(item)) {
                            throw new TemplateException("`" + name + "` can only be applied to array of objects");
                        }
                    }
                    for (Node argNode : call.args()) {
                        if (!(argNode instanceof StringLiteral)) {
                            throw new TemplateException("arguments of `" + name + "` must be strings");
                        }
                    }
                    List<Object> args = new ArrayList<>();
                    for (Node argNode : call.args()) {
                        args.add(interpreter.evaluate(argNode, env));
                    }
                    String attr = (String) args.get(0);
                    BiPredicate<Object, Object> test = args.size() > 1 ? Tests.get((String) args.get(1))
                            : (x, y) -> Values.truthy(x);
                    Object value = args.size() > 2 ? args.get(2) : UNDEFINED;
                    List<Object> out = new ArrayList<>();
                    for (Object item : list) {
                        Object a = Values.attributes(item).get(attr);
                        boolean result = a != null && test.test(a, value);
                        if (select == result) {
                            out.add(item);
                        }
                    }
                    return out;
                }
                case "select", "reject": {
                    Interpreter.Arguments a = interpreter.arguments(call.args(), env);
                    if (a.positional().isEmpty()) {
                        return selectOrReject(list, name.equals("select"), null, List.of());
                    }
                    return selectOrReject(list, name.equals("select"), Values.str(a.positional().get(0)),
                            a.positional().subList(1, a.positional().size()));
                }
                case "map": {
                    Interpreter.Arguments a = interpreter.arguments(call.args(), env);
                    if (!a.keywords().containsKey("attribute")) {
                        throw new TemplateException("`map` expressions without `attribute` set are not supported");
                    }
                    Object attr = a.keywords().get("attribute");
                    if (!(attr instanceof String attribute)) {
                        throw new TemplateException("attribute must be a string");
                    }
                    Object fallback = a.keywords().getOrDefault("default", UNDEFINED);
                    List<Object> out = new ArrayList<>();
                    for (Object item : list) {
                        if (!Values.isAttributeContainer(item)) {
                            throw new TemplateException("items in map must be an object");
                        }
                        Object v = attributeValue(item, attribute);
                        out.add(v == UNDEFINED ? fallback : v);
                    }
                    return out;
                }
                default:
                    throw new TemplateException("Unknown ArrayValue filter: " + name);
            }
        }
        if (Values.isNumber(operand) && name.equals("round")) {
            Interpreter.Arguments a = interpreter.arguments(call.args(), env);
            Object precision = arg(a, 0, "precision", 0L);
            Object method = arg(a, 1, "method", "common");
            if (!(precision instanceof Long p) || !(method instanceof String m)) {
                throw new TemplateException("round: precision must be an integer and method a string");
            }
            return round(Values.numeric(operand), p, m);
        }
        if (operand instanceof String s) {
            switch (name) {
                case "indent": {
                    Interpreter.Arguments a = interpreter.arguments(call.args(), env);
                    Object width = arg(a, 0, "width", 4L);
                    if (!(width instanceof Long w)) {
                        throw new TemplateException("width must be a number");
                    }
                    Object first = arg(a, 1, "first", false);
                    Object blank = arg(a, 2, "blank", false);
                    return indent(s, w, Values.truthy(first), Values.truthy(blank));
                }
                case "replace": {
                    Interpreter.Arguments a = interpreter.arguments(call.args(), env);
                    List<Object> args = new ArrayList<>(a.positional());
                    args.add(new KwArgs(a.keywords()));
                    return Builtins.replace(s, args);
                }
                default:
                    throw new TemplateException("Unknown StringValue filter: " + name);
            }
        }
        if (operand instanceof Map<?, ?>) {
            Object builtin = Builtins.member(operand, name);
            if (builtin instanceof Fn f) {
                Interpreter.Arguments a = interpreter.arguments(call.args(), env);
                List<Object> args = new ArrayList<>(a.positional());
                if (!a.keywords().isEmpty()) {
                    args.add(new KwArgs(a.keywords()));
                }
                return f.call(args, env);
            }
            throw new TemplateException("Unknown ObjectValue filter: " + name);
        }
        throw new TemplateException("Cannot apply filter \"" + name + "\" to type: " + Values.typeName(operand));
    }

    /** Jinja2's select/reject: keep (or drop) the items passing a test, or truthy items without one. */
    private static List<Object> selectOrReject(List<Object> list, boolean select, String test, List<Object> testArgs) {
        BiPredicate<Object, Object> predicate = test == null ? (x, y) -> Values.truthy(x) : Tests.get(test);
        Object argument = testArgs.isEmpty() ? UNDEFINED : testArgs.get(0);
        List<Object> out = new ArrayList<>();
        for (Object item : list) {
            if (predicate.test(item, argument) == select) {
                out.add(item);
            }
        }
        return out;
    }

    /** Jinja2's round: a float, rounded half away from zero ("common"), up ("ceil") or down ("floor"). */
    static double round(double value, long precision, String method) {
        double scale = Math.pow(10, precision);
        double scaled = value * scale;
        double r = switch (method) {
            case "common" -> Math.signum(scaled) * Math.floor(Math.abs(scaled) + 0.5);
            case "ceil" -> Math.ceil(scaled);
            case "floor" -> Math.floor(scaled);
            default -> throw new TemplateException("method must be common, ceil or floor");
        };
        return r / scale;
    }

    /** item.a.b or item.0 for arrays; undefined when missing. */
    static Object attributeValue(Object item, String path) {
        Object value = item;
        for (String part : path.split("\\.", -1)) {
            if (Values.isAttributeContainer(value)) {
                Map<String, Object> attrs = Values.attributes(value);
                value = attrs.containsKey(part) ? attrs.get(part) : UNDEFINED;
            } else if (value instanceof List<?> l) {
                try {
                    int index = Integer.parseInt(part);
                    if (index < 0 || index >= l.size()) {
                        return UNDEFINED;
                    }
                    value = l.get(index);
                } catch (NumberFormatException e) {
                    return UNDEFINED;
                }
            } else {
                return UNDEFINED;
            }
        }
        return value;
    }

}
