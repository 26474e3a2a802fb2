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
        return compile(source, TemplateLimits.DEFAULT);
    }

    /**
     * Parses a template within the limits on its length and nesting.
     *
     * @throws TemplateLimitException when the source is longer or nests deeper than the limits allow
     */
    public static JinjaTemplate compile(String source, TemplateLimits limits) {
        if (source.length() > limits.maxSourceChars()) {
            throw new TemplateLimitException(TemplateLimitException.Kind.LARGE, String.format(java.util.Locale.ROOT,
                    "it is %,d characters long, more than %,d", source.length(), limits.maxSourceChars()));
        }
        try {
            return new JinjaTemplate(Parser.parse(Lexer.tokenize(source), limits.maxNesting()));
        } catch (StackOverflowError e) {
            throw new TemplateLimitException(TemplateLimitException.Kind.DEEP, "it nests too deeply to be read");
        }
    }

    /** Renders with the given variables; strftime_now uses the system clock. */
    public String render(Map<String, ?> context) {
        return render(context, Clock.systemDefaultZone());
    }

    /** Renders with the given variables and the clock strftime_now reads, within the default limits. */
    public String render(Map<String, ?> context, Clock clock) {
        return render(context, clock, TemplateLimits.DEFAULT);
    }

    /**
     * Renders with the given variables and the clock strftime_now reads.
     *
     * @throws TemplateLimitException when the render goes past one of the limits
     */
    public String render(Map<String, ?> context, Clock clock, TemplateLimits limits) {
        return measure(context, clock, limits).text();
    }

    /** A render's text and what it used of its limits. */
    record Measured(String text, Budget.Usage usage) {}

    Measured measure(Map<String, ?> context, Clock clock, TemplateLimits limits) {
        Budget budget = new Budget(limits);
        Budget previous = budget.install();
        try {
            String text = run(context, clock, budget);
            return new Measured(text, budget.usage());
        } catch (StackOverflowError e) {
            throw new TemplateLimitException(TemplateLimitException.Kind.DEEP,
                    "it nests too deeply when run (a macro that calls itself without end?)");
        } finally {
            Budget.restore(previous);
        }
    }

    private String run(Map<String, ?> context, Clock clock, Budget budget) {
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
        return new Interpreter(budget).run(program, env);
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
        if (args.isEmpty() || args.size() > 3) {
            throw new TemplateException("range expected 1 to 3 arguments, got " + args.size());
        }
        for (Object a : args) {
            if (!(a instanceof Long)) {
                throw new TemplateException("range() arguments must be integers, got " + Values.typeName(a));
            }
        }
        long step = args.size() > 2 ? (Long) args.get(2) : 1;
        long start = args.size() == 1 ? 0 : (Long) args.get(0);
        long stop = args.size() == 1 ? (Long) args.get(0) : (Long) args.get(1);
        if (step == 0) {
            throw new TemplateException("range() step must not be zero");
        }
        double span = ((double) stop - (double) start) / step;
        Budget.current().items(span <= 0 ? 0 : (long) Math.ceil(span));
        List<Object> out = new ArrayList<>();
        for (long i = start; step > 0 ? i < stop : i > stop; i += step) {
            out.add(i);
            if (step > 0 ? i > Long.MAX_VALUE - step : i < Long.MIN_VALUE - step) {
                break;
            }
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
