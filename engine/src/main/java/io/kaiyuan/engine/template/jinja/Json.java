package io.kaiyuan.engine.template.jinja;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The tojson filter and the printing of arrays and objects, as the reference renderer writes them. */
final class Json {
    private Json() {}

    static String write(Object input, Integer indent, boolean ensureAscii, String[] separators, boolean sortKeys,
            int depth, boolean undefinedAsNull) {
        String itemSeparator;
        String keySeparator;
        if (separators != null) {
            itemSeparator = separators[0];
            keySeparator = separators[1];
        } else if (indent != null && indent != 0) {
            itemSeparator = ",";
            keySeparator = ": ";
        } else {
            itemSeparator = ", ";
            keySeparator = ": ";
        }
        if (input == Values.NONE) {
            return "null";
        }
        if (input == Values.UNDEFINED) {
            return undefinedAsNull ? "null" : "undefined";
        }
        if (input instanceof Long l) {
            return Long.toString(l);
        }
        if (input instanceof Double d) {
            return Double.isFinite(d) ? Values.jsNumber(d) : "null";
        }
        if (input instanceof Boolean b) {
            return b.toString();
        }
        if (input instanceof String s) {
            return quote(s, ensureAscii);
        }
        Budget budget = Budget.current();
        budget.valueDepth(depth);
        boolean pretty = indent != null && indent != 0;
        String indentValue = pretty ? " ".repeat(indent) : "";
        String basePadding = "\n" + indentValue.repeat(depth);
        String childrenPadding = basePadding + indentValue;
        if (input instanceof List<?> list) {
            List<String> core = new ArrayList<>();
            for (Object x : list) {
                String item = write(x, indent, ensureAscii, separators, sortKeys, depth + 1, undefinedAsNull);
                budget.charge(item.length() + childrenPadding.length() + itemSeparator.length());
                core.add(item);
            }
            return pretty && !core.isEmpty()
                    ? "[" + childrenPadding + String.join(itemSeparator + childrenPadding, core) + basePadding + "]"
                    : "[" + String.join(itemSeparator, core) + "]";
        }
        if (input instanceof Map || input instanceof Values.Namespace) {
            List<Map.Entry<String, Object>> entries = new ArrayList<>(Values.attributes(input).entrySet());
            if (sortKeys) {
                entries.sort(Map.Entry.comparingByKey());
            }
            List<String> core = new ArrayList<>();
            for (Map.Entry<String, Object> e : entries) {
                String v = quote(e.getKey(), ensureAscii) + keySeparator
                        + write(e.getValue(), indent, ensureAscii, separators, sortKeys, depth + 1, undefinedAsNull);
                budget.charge(v.length() + childrenPadding.length() + itemSeparator.length());
                core.add(pretty ? childrenPadding + v : v);
            }
            return pretty && !core.isEmpty()
                    ? "{" + String.join(itemSeparator, core) + basePadding + "}"
                    : "{" + String.join(itemSeparator, core) + "}";
        }
        throw new TemplateException("Cannot convert to JSON: " + Values.typeName(input));
    }

    /** JSON.stringify of a string, optionally escaping everything beyond ASCII (0x7f and up). */
    static String quote(String s, boolean ensureAscii) {
        StringBuilder out = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    boolean loneSurrogate = Character.isSurrogate(c) && !(Character.isHighSurrogate(c)
                            && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1)))
                            && !(Character.isLowSurrogate(c) && i > 0 && Character.isHighSurrogate(s.charAt(i - 1)));
                    if (c < 0x20 || loneSurrogate || (ensureAscii && c >= 0x7f)) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }
}
