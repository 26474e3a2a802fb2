package io.kaiyuan.engine.template.jinja;

import static io.kaiyuan.engine.template.jinja.Values.NONE;

import io.kaiyuan.engine.template.jinja.Values.Fn;
import io.kaiyuan.engine.template.jinja.Values.KwArgs;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Methods and attributes of strings, objects and arrays (message.content.startswith(...), d.get(...)). */
final class Builtins {
    private Builtins() {}

    private static final Pattern WORD_START = Pattern.compile("\\b\\w");
    private static final Pattern NON_SPACE = Pattern.compile("\\S+");

    /** The member {@code name} of a value, or null when it has none. */
    static Object member(Object object, String name) {
        if (object instanceof String s) {
            return stringMember(s, name);
        }
        if (object instanceof Map<?, ?> m) {
            return mapMember(cast(m), name);
        }
        if (object instanceof List<?> l) {
            return name.equals("length") ? (Object) (long) l.size() : null;
        }
        return null;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> cast(Map<?, ?> m) {
        return (Map<String, Object>) m;
    }

    static String titleCase(String s) {
        Matcher m = WORD_START.matcher(s);
        return m.replaceAll(r -> Matcher.quoteReplacement(r.group().toUpperCase(Locale.ROOT)));
    }

    /** Python's strip family: with no argument (or None) whitespace, else any of the given characters. */
    static String strip(String s, List<Object> args, boolean left, boolean right) {
        Object chars = args.isEmpty() ? NONE : args.get(0);
        int start = 0;
        int end = s.length();
        if (chars == NONE || chars == Values.UNDEFINED) {
            while (left && start < end && Character.isWhitespace(s.charAt(start))) {
                start++;
            }
            while (right && end > start && Character.isWhitespace(s.charAt(end - 1))) {
                end--;
            }
        } else if (chars instanceof String set) {
            while (left && start < end && set.indexOf(s.charAt(start)) >= 0) {
                start++;
            }
            while (right && end > start && set.indexOf(s.charAt(end - 1)) >= 0) {
                end--;
            }
        } else {
            throw new TemplateException("strip arg must be None or str");
        }
        return s.substring(start, end);
    }

    private static Object stringMember(String s, String name) {
        switch (name) {
            case "upper":
                return (Fn) (args, env) -> s.toUpperCase(Locale.ROOT);
            case "lower":
                return (Fn) (args, env) -> s.toLowerCase(Locale.ROOT);
            case "strip":
                return (Fn) (args, env) -> strip(s, args, true, true);
            case "lstrip":
                return (Fn) (args, env) -> strip(s, args, true, false);
            case "rstrip":
                return (Fn) (args, env) -> strip(s, args, false, true);
            case "title":
                return (Fn) (args, env) -> titleCase(s);
            case "capitalize":
                return (Fn) (args, env) -> s.isEmpty() ? s : s.substring(0, 1).toUpperCase(Locale.ROOT) + s.substring(1);
            case "length":
                return (long) s.length();
            case "startswith":
            case "endswith": {
                boolean start = name.equals("startswith");
                return (Fn) (args, env) -> {
                    if (args.isEmpty()) {
                        throw new TemplateException(name + "() requires at least one argument");
                    }
                    Object pattern = args.get(0);
                    if (pattern instanceof String p) {
                        return start ? s.startsWith(p) : s.endsWith(p);
                    }
                    if (pattern instanceof List<?> list) {
                        for (Object item : list) {
                            if (!(item instanceof String p)) {
                                throw new TemplateException(name + "() tuple elements must be strings");
                            }
                            if (start ? s.startsWith(p) : s.endsWith(p)) {
                                return true;
                            }
                        }
                        return false;
                    }
                    throw new TemplateException(name + "() argument must be a string or tuple of strings");
                };
            }
            case "split":
                return (Fn) (args, env) -> split(s, args);
            case "replace":
                return (Fn) (args, env) -> replace(s, args);
            default:
                return null;
        }
    }

    private static Object split(String s, List<Object> args) {
        Object sep = args.isEmpty() ? NONE : args.get(0);
        Object max = args.size() > 1 ? args.get(1) : (Object) (-1L);
        if (!(sep instanceof String || sep == NONE)) {
            throw new TemplateException("sep argument must be a string or null");
        }
        if (!(max instanceof Long)) {
            throw new TemplateException("maxsplit argument must be a number");
        }
        long maxsplit = (Long) max;
        List<Object> result = new ArrayList<>();
        if (sep == NONE) {
            String text = strip(s, List.of(), true, false);
            Matcher m = NON_SPACE.matcher(text);
            while (m.find()) {
                if (maxsplit != -1 && result.size() >= maxsplit) {
                    result.add(m.group() + text.substring(m.end()));
                    break;
                }
                result.add(m.group());
            }
        } else {
            String separator = (String) sep;
            if (separator.isEmpty()) {
                throw new TemplateException("empty separator");
            }
            List<String> parts = new ArrayList<>();
            int from = 0;
            int i;
            while ((i = s.indexOf(separator, from)) >= 0) {
                parts.add(s.substring(from, i));
                from = i + separator.length();
            }
            parts.add(s.substring(from));
            if (maxsplit != -1 && parts.size() > maxsplit) {
                List<String> head = new ArrayList<>(parts.subList(0, (int) maxsplit));
                head.add(String.join(separator, parts.subList((int) maxsplit, parts.size())));
                parts = head;
            }
            result.addAll(parts);
        }
        return result;
    }

    static String replace(String s, List<Object> args) {
        if (args.size() < 2) {
            throw new TemplateException("replace() requires at least two arguments");
        }
        if (!(args.get(0) instanceof String old) || !(args.get(1) instanceof String replacement)) {
            throw new TemplateException("replace() arguments must be strings");
        }
        Object count = NONE;
        if (args.size() > 2) {
            count = args.get(2) instanceof KwArgs k ? k.getOrDefault("count", NONE) : args.get(2);
        }
        if (!(count instanceof Long || count == NONE)) {
            throw new TemplateException("replace() count argument must be a number or null");
        }
        long remaining = count == NONE || (Long) count < 0 ? Long.MAX_VALUE : (Long) count;
        if (remaining == 0) {
            return s;
        }
        Budget budget = Budget.current();
        if (old.isEmpty()) {
            StringBuilder out = new StringBuilder();
            for (int i = 0; i <= s.length(); i++) {
                budget.chars((long) out.length() + replacement.length() + 1);
                if (remaining > 0) {
                    out.append(replacement);
                    remaining--;
                }
                if (i < s.length()) {
                    out.append(s.charAt(i));
                }
            }
            return out.toString();
        }
        StringBuilder out = new StringBuilder();
        int from = 0;
        int i;
        while (remaining > 0 && (i = s.indexOf(old, from)) >= 0) {
            budget.chars((long) out.length() + (i - from) + replacement.length());
            out.append(s, from, i).append(replacement);
            from = i + old.length();
            remaining--;
        }
        return out.append(s.substring(from)).toString();
    }

    private static Object mapMember(Map<String, Object> map, String name) {
        switch (name) {
            case "get":
                return (Fn) (args, env) -> {
                    Object key = args.isEmpty() ? Values.UNDEFINED : args.get(0);
                    if (!(key instanceof String k)) {
                        throw new TemplateException("Object key must be a string: got " + Values.typeName(key));
                    }
                    if (map.containsKey(k)) {
                        return map.get(k);
                    }
                    return args.size() > 1 ? args.get(1) : NONE;
                };
            case "items":
                return (Fn) (args, env) -> items(map);
            case "keys":
                return (Fn) (args, env) -> new ArrayList<Object>(map.keySet());
            case "values":
                return (Fn) (args, env) -> new ArrayList<>(map.values());
            case "dictsort":
                return (Fn) (args, env) -> dictsort(map, args);
            default:
                return null;
        }
    }

    static List<Object> items(Map<String, Object> map) {
        List<Object> out = new ArrayList<>();
        for (Map.Entry<String, Object> e : map.entrySet()) {
            List<Object> pair = new ArrayList<>();
            pair.add(e.getKey());
            pair.add(e.getValue());
            out.add(pair);
        }
        return out;
    }

    private static Object dictsort(Map<String, Object> map, List<Object> args) {
        Map<String, Object> kwargs = new LinkedHashMap<>();
        List<Object> positional = new ArrayList<>();
        for (Object a : args) {
            if (a instanceof KwArgs k) {
                kwargs = k;
            } else {
                positional.add(a);
            }
        }
        Object caseSensitive = !positional.isEmpty() ? positional.get(0) : kwargs.getOrDefault("case_sensitive", false);
        Object by = positional.size() > 1 ? positional.get(1) : kwargs.getOrDefault("by", "key");
        Object reverse = positional.size() > 2 ? positional.get(2) : kwargs.getOrDefault("reverse", false);
        if (!(caseSensitive instanceof Boolean cs) || !(by instanceof String b) || !(reverse instanceof Boolean rev)) {
            throw new TemplateException("dictsort: case_sensitive and reverse must be booleans, by a string");
        }
        if (!b.equals("key") && !b.equals("value")) {
            throw new TemplateException("by must be either 'key' or 'value'");
        }
        int index = b.equals("key") ? 0 : 1;
        List<Object> entries = items(map);
        entries.sort((x, y) -> {
            int r = compare(((List<?>) x).get(index), ((List<?>) y).get(index), cs);
            return rev ? -r : r;
        });
        return entries;
    }

    /** The reference's ordering for sort and dictsort. */
    static int compare(Object a, Object b, boolean caseSensitive) {
        if (a == NONE && b == NONE) {
            return 0;
        }
        if (a == NONE || b == NONE || a == Values.UNDEFINED || b == Values.UNDEFINED) {
            if (a == b) {
                return 0;
            }
            throw new TemplateException("Cannot compare " + Values.typeName(a) + " with " + Values.typeName(b));
        }
        if (Values.isNumericLike(a) && Values.isNumericLike(b)) {
            return Double.compare(Values.numeric(a), Values.numeric(b));
        }
        if (a instanceof String x && b instanceof String y) {
            if (!caseSensitive) {
                x = x.toLowerCase(Locale.ROOT);
                y = y.toLowerCase(Locale.ROOT);
            }
            return x.compareTo(y);
        }
        throw new TemplateException("Cannot compare " + Values.typeName(a) + " with " + Values.typeName(b));
    }

    /** Python slicing, as the reference implements it. */
    static List<Object> slice(List<Object> array, Long startArg, Long stopArg, Long stepArg) {
        long step = stepArg == null ? 1 : stepArg;
        if (step == 0) {
            throw new TemplateException("slice step cannot be zero");
        }
        long n = array.size();
        long start;
        long stop;
        if (step > 0) {
            start = startArg == null ? 0 : startArg < 0 ? Math.max(n + startArg, 0) : Math.min(startArg, n);
            stop = stopArg == null ? n : stopArg < 0 ? Math.max(n + stopArg, 0) : Math.min(stopArg, n);
        } else {
            start = startArg == null ? n - 1 : startArg < 0 ? Math.max(n + startArg, -1) : Math.min(startArg, n - 1);
            stop = stopArg == null ? -1 : stopArg < -1 ? Math.max(n + stopArg, -1) : Math.min(stopArg, n - 1);
        }
        List<Object> out = new ArrayList<>();
        for (long i = start; step > 0 ? i < stop : i > stop; i += step) {
            out.add(array.get((int) i));
        }
        return out;
    }
}
