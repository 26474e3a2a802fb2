package io.kaiyuan.engine.template.jinja;

import io.kaiyuan.engine.template.jinja.Values.Fn;
import io.kaiyuan.engine.template.jinja.Values.KwArgs;
import io.kaiyuan.engine.template.jinja.Values.Namespace;
import java.time.Clock;
import java.time.ZonedDateTime;
import java.time.format.TextStyle;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A compiled chat template. Rendering is thread-safe: each call has its own scope. Context values are
 * plain Java data: String, Number, Boolean, null, {@link List}, {@link Map} (keys kept in order), as
 * Jackson reads JSON into with {@code Map.class}/{@code Object.class}.
 */
public final class JinjaTemplate {
    private final Node.Program program;

    private JinjaTemplate(Node.Program program) {
        this.program = program;
    }

    /** Parses a template (trim_blocks and lstrip_blocks on, as transformers renders chat templates). */
    public static JinjaTemplate compile(String source) {
        return new JinjaTemplate(Parser.parse(Lexer.tokenize(source)));
    }

    /** Renders with the given variables; strftime_now uses the system clock. */
    public String render(Map<String, ?> context) {
        return render(context, Clock.systemDefaultZone());
    }

    /** Renders with the given variables and the clock strftime_now reads. */
    public String render(Map<String, ?> context, Clock clock) {
        Environment env = new Environment(null);
        env.set("namespace", (Fn) JinjaTemplate::namespace);
        env.set("raise_exception", (Fn) (args, e) -> {
            throw new TemplateException(args.isEmpty() ? "raise_exception" : Values.str(args.get(0)));
        });
        env.set("range", (Fn) JinjaTemplate::range);
        env.set("strftime_now", (Fn) (args, e) -> strftime(ZonedDateTime.now(clock), Values.str(args.get(0))));
        env.set("false", false);
        env.set("true", true);
        env.set("none", Values.NONE);
        env.set("False", false);
        env.set("True", true);
        env.set("None", Values.NONE);
        for (Map.Entry<String, ?> e : context.entrySet()) {
            env.set(e.getKey(), toRuntime(e.getValue()));
        }
        return new Interpreter().run(program, env);
    }

    /** Converts plain Java data to runtime values (integral numbers are integers, as in JavaScript). */
    static Object toRuntime(Object value) {
        if (value == null) {
            return Values.NONE;
        }
        if (value instanceof String || value instanceof Boolean) {
            return value;
        }
        if (value instanceof Number n) {
            double d = n.doubleValue();
            if (value instanceof Double || value instanceof Float || value instanceof java.math.BigDecimal) {
                return d == Math.rint(d) && !Double.isInfinite(d) && Math.abs(d) < 9.007199254740992E15 ? (Object) (long) d : (Object) d;
            }
            return n.longValue();
        }
        if (value instanceof Map<?, ?> m) {
            Map<String, Object> out = new LinkedHashMap<>();
            for (Map.Entry<?, ?> e : m.entrySet()) {
                out.put(String.valueOf(e.getKey()), toRuntime(e.getValue()));
            }
            return out;
        }
        if (value instanceof List<?> l) {
            List<Object> out = new ArrayList<>();
            for (Object x : l) {
                out.add(toRuntime(x));
            }
            return out;
        }
        throw new IllegalArgumentException("cannot pass " + value.getClass() + " to a template");
    }

    private static Object namespace(List<Object> args, Environment env) {
        List<Object> positional = new ArrayList<>(args);
        KwArgs kwargs = null;
        if (!positional.isEmpty() && positional.get(positional.size() - 1) instanceof KwArgs k) {
            kwargs = k;
            positional.remove(positional.size() - 1);
        }
        if (positional.size() > 1) {
            throw new TemplateException("namespace expected at most 1 argument, got " + positional.size());
        }
        Namespace ns = new Namespace();
        if (positional.size() == 1) {
            Object source = positional.get(0);
            if (source instanceof Map<?, ?> m) {
                for (Map.Entry<?, ?> e : m.entrySet()) {
                    ns.values.put((String) e.getKey(), e.getValue());
                }
            } else if (source instanceof List<?> pairs) {
                for (Object pair : pairs) {
                    if (!(pair instanceof List<?> kv) || kv.size() != 2 || !(kv.get(0) instanceof String key)) {
                        throw new TemplateException("namespace expected an object or an iterable of [key, value] pairs");
                    }
                    ns.values.put(key, kv.get(1));
                }
            } else {
                throw new TemplateException("'" + Values.typeName(source) + "' object is not iterable");
            }
        }
        if (kwargs != null) {
            ns.values.putAll(kwargs);
        }
        return ns;
    }

    private static Object range(List<Object> args, Environment env) {
        long start;
        long stop;
        long step = args.size() > 2 ? (Long) args.get(2) : 1;
        if (args.size() == 1) {
            start = 0;
            stop = (Long) args.get(0);
        } else {
            start = (Long) args.get(0);
            stop = (Long) args.get(1);
        }
        if (step == 0) {
            throw new TemplateException("range() step must not be zero");
        }
        List<Object> out = new ArrayList<>();
        for (long i = start; step > 0 ? i < stop : i > stop; i += step) {
            out.add(i);
        }
        return out;
    }

    /** strftime with the directives templates use: %Y %m %d %b %B %H %M %%. */
    static String strftime(ZonedDateTime t, String format) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < format.length(); i++) {
            char c = format.charAt(i);
            if (c != '%' || i + 1 >= format.length()) {
                out.append(c);
                continue;
            }
            char d = format.charAt(++i);
            switch (d) {
                case 'Y' -> out.append(t.getYear());
                case 'm' -> out.append(String.format("%02d", t.getMonthValue()));
                case 'd' -> out.append(String.format("%02d", t.getDayOfMonth()));
                case 'b' -> out.append(t.getMonth().getDisplayName(TextStyle.SHORT, Locale.ENGLISH));
                case 'B' -> out.append(t.getMonth().getDisplayName(TextStyle.FULL, Locale.ENGLISH));
                case 'H' -> out.append(String.format("%02d", t.getHour()));
                case 'M' -> out.append(String.format("%02d", t.getMinute()));
                case '%' -> out.append('%');
                default -> out.append('%').append(d);
            }
        }
        return out.toString();
    }
}
