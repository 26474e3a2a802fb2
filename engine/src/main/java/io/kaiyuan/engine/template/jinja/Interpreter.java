package io.kaiyuan.engine.template.jinja;

import static io.kaiyuan.engine.template.jinja.Values.NONE;
import static io.kaiyuan.engine.template.jinja.Values.UNDEFINED;
import static io.kaiyuan.engine.template.jinja.Values.isAttributeContainer;
import static io.kaiyuan.engine.template.jinja.Values.truthy;

import io.kaiyuan.engine.template.jinja.Node.*;
import io.kaiyuan.engine.template.jinja.Values.Fn;
import io.kaiyuan.engine.template.jinja.Values.KwArgs;
import io.kaiyuan.engine.template.jinja.Values.Namespace;
import io.kaiyuan.engine.template.jinja.Values.Tuple;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiPredicate;

/** Evaluates a parsed template, construct by construct as the reference renderer does. */
final class Interpreter {
    private static final class BreakSignal extends RuntimeException {
        BreakSignal() {
            super(null, null, false, false);
        }
    }

    private static final class ContinueSignal extends RuntimeException {
        ContinueSignal() {
            super(null, null, false, false);
        }
    }

    private static final BreakSignal BREAK = new BreakSignal();
    private static final ContinueSignal CONTINUE = new ContinueSignal();

    private final Budget budget;

    Interpreter(Budget budget) {
        this.budget = budget;
    }

    Budget budget() {
        return budget;
    }

    String run(Program program, Environment env) {
        return block(program.body(), env);
    }

    private String block(List<Node> statements, Environment env) {
        StringBuilder out = new StringBuilder();
        for (Node statement : statements) {
            Object value = evaluate(statement, env);
            if (value != NONE && value != UNDEFINED) {
                String text = Values.str(value);
                budget.chars((long) out.length() + text.length());
                out.append(text);
            }
        }
        return out.toString();
    }

    Object evaluate(Node node, Environment env) {
        if (node == null) {
            return UNDEFINED;
        }
        budget.enter();
        try {
            Object value = evaluateNode(node, env);
            if (builds(node)) {
                budget.built(value);
            }
            return value;
        } finally {
            budget.leave();
        }
    }

    /** Whether a construct's value is new (not a variable, a member or a literal read as it is). */
    private static boolean builds(Node node) {
        return !(node instanceof Identifier || node instanceof MemberExpression || node instanceof StringLiteral
                || node instanceof IntegerLiteral || node instanceof FloatLiteral || node instanceof Comment);
    }

    private Object evaluateNode(Node node, Environment env) {
        if (node instanceof Program p) {
            return run(p, env);
        } else if (node instanceof SetStatement s) {
            return evaluateSet(s, env);
        } else if (node instanceof If i) {
            return block(truthy(evaluate(i.test(), env)) ? i.body() : i.alternate(), env);
        } else if (node instanceof For f) {
            return evaluateFor(f, env);
        } else if (node instanceof Macro m) {
            return evaluateMacro(m, env);
        } else if (node instanceof CallStatement c) {
            return evaluateCallStatement(c, env);
        } else if (node instanceof Break) {
            throw BREAK;
        } else if (node instanceof Continue) {
            throw CONTINUE;
        } else if (node instanceof IntegerLiteral l) {
            return l.value();
        } else if (node instanceof FloatLiteral f) {
            return f.value();
        } else if (node instanceof StringLiteral s) {
            return s.value();
        } else if (node instanceof ArrayLiteral a) {
            List<Object> out = new ArrayList<>();
            for (Node x : a.value()) {
                out.add(evaluate(x, env));
            }
            return out;
        } else if (node instanceof TupleLiteral t) {
            List<Object> out = new ArrayList<>();
            for (Node x : t.value()) {
                out.add(evaluate(x, env));
            }
            return new Tuple(out);
        } else if (node instanceof ObjectLiteral o) {
            Map<String, Object> out = new LinkedHashMap<>();
            for (Map.Entry<Node, Node> e : o.value()) {
                Object key = evaluate(e.getKey(), env);
                if (!(key instanceof String k)) {
                    throw new TemplateException("Object keys must be strings: got " + Values.typeName(key));
                }
                out.put(k, evaluate(e.getValue(), env));
            }
            return out;
        } else if (node instanceof Identifier id) {
            return env.lookup(id.value());
        } else if (node instanceof CallExpression c) {
            return evaluateCall(c, env);
        } else if (node instanceof MemberExpression m) {
            return evaluateMember(m, env);
        } else if (node instanceof UnaryExpression u) {
            return evaluateUnary(u, env);
        } else if (node instanceof BinaryExpression b) {
            return evaluateBinary(b, env);
        } else if (node instanceof FilterExpression f) {
            return Filters.apply(this, evaluate(f.operand(), env), f.filter(), env);
        } else if (node instanceof FilterStatement f) {
            return Filters.apply(this, block(f.body(), env), f.filter(), env);
        } else if (node instanceof TestExpression t) {
            BiPredicate<Object, Object> test = Tests.get(t.test().value());
            boolean result = test.test(evaluate(t.operand(), env), UNDEFINED);
            return t.negate() != result;
        } else if (node instanceof SelectExpression s) {
            return truthy(evaluate(s.test(), env)) ? evaluate(s.lhs(), env) : UNDEFINED;
        } else if (node instanceof Ternary t) {
            return truthy(evaluate(t.condition(), env)) ? evaluate(t.trueExpr(), env) : evaluate(t.falseExpr(), env);
        } else if (node instanceof Comment) {
            return NONE;
        }
        throw new TemplateException("Unknown node type: " + node.getClass().getSimpleName());
    }

    private Object evaluateBinary(BinaryExpression node, Environment env) {
        String op = node.operator();
        Object left = evaluate(node.left(), env);
        if (op.equals("and")) {
            return truthy(left) ? evaluate(node.right(), env) : left;
        }
        if (op.equals("or")) {
            return truthy(left) ? left : evaluate(node.right(), env);
        }
        Object right = evaluate(node.right(), env);
        if (op.equals("==")) {
            return Values.looseEquals(left, right);
        }
        if (op.equals("!=")) {
            return !Values.looseEquals(left, right);
        }
        if (left == UNDEFINED || right == UNDEFINED) {
            if (right == UNDEFINED && (op.equals("in") || op.equals("not in"))) {
                return op.equals("not in");
            }
            throw new TemplateException("Cannot perform operation " + op + " on undefined values");
        }
        if (left == NONE || right == NONE) {
            throw new TemplateException("Cannot perform operation on null values");
        }
        if (op.equals("~")) {
            return concat(Values.jsString(left), Values.jsString(right));
        }
        if (op.equals("**") && Values.isNumericLike(left) && Values.isNumericLike(right)) {
            double a = Values.numeric(left);
            double b = Values.numeric(right);
            if (a == 0 && b < 0) {
                throw new TemplateException("0.0 cannot be raised to a negative power");
            }
            double result = Math.pow(a, b);
            boolean isFloat = left instanceof Double || right instanceof Double || b < 0;
            return isFloat ? (Object) result : (Object) (long) result;
        }
        if (Values.isNumber(left) && Values.isNumber(right)) {
            double a = Values.numeric(left);
            double b = Values.numeric(right);
            boolean isFloat = left instanceof Double || right instanceof Double;
            switch (op) {
                case "+", "-", "*": {
                    if (!isFloat) {
                        long x = (Long) left;
                        long y = (Long) right;
                        return op.equals("+") ? x + y : op.equals("-") ? x - y : x * y;
                    }
                    return op.equals("+") ? a + b : op.equals("-") ? a - b : a * b;
                }
                case "/":
                    return a / b;
                case "//": {
                    double r = Math.floor(a / b);
                    return isFloat ? (Object) r : (Object) (long) r;
                }
                case "%": {
                    double r = a % b;
                    return isFloat ? (Object) r : (Object) (long) r;
                }
                case "<":
                    return a < b;
                case ">":
                    return a > b;
                case ">=":
                    return a >= b;
                case "<=":
                    return a <= b;
                default:
                    break;
            }
        } else if (left instanceof List<?> l && right instanceof List<?> r) {
            if (op.equals("+")) {
                budget.items((long) l.size() + r.size());
                List<Object> out = new ArrayList<>(l);
                out.addAll(r);
                return out;
            }
        } else if (right instanceof List<?> r) {
            boolean member = false;
            for (Object x : r) {
                if (Values.strictEquals(x, left)) {
                    member = true;
                    break;
                }
            }
            if (op.equals("in")) {
                return member;
            }
            if (op.equals("not in")) {
                return !member;
            }
        }
        if ((left instanceof String || right instanceof String) && op.equals("+")) {
            return concat(Values.jsString(left), Values.jsString(right));
        }
        if (left instanceof String l && right instanceof String r) {
            if (op.equals("in")) {
                return r.contains(l);
            }
            if (op.equals("not in")) {
                return !r.contains(l);
            }
        }
        if (left instanceof String l && right instanceof Map<?, ?> r) {
            if (op.equals("in")) {
                return r.containsKey(l);
            }
            if (op.equals("not in")) {
                return !r.containsKey(l);
            }
        }
        throw new TemplateException("Unknown operator \"" + op + "\" between " + Values.typeName(left) + " and "
                + Values.typeName(right));
    }

    private String concat(String a, String b) {
        budget.chars((long) a.length() + b.length());
        return a + b;
    }

    /** Positional arguments, and keyword arguments in order. */
    record Arguments(List<Object> positional, Map<String, Object> keywords) {}

    Arguments arguments(List<Node> args, Environment env) {
        List<Object> positional = new ArrayList<>();
        Map<String, Object> keywords = new LinkedHashMap<>();
        for (Node a : args) {
            if (a instanceof Spread s) {
                Object v = evaluate(s.argument(), env);
                if (!(v instanceof List<?> l)) {
                    throw new TemplateException("Cannot unpack non-iterable type: " + Values.typeName(v));
                }
                positional.addAll(l);
            } else if (!(a instanceof KeywordArgument) && !(a instanceof KeywordSpread)) {
                positional.add(evaluate(a, env));
            }
        }
        for (Node a : args) {
            if (a instanceof KeywordArgument k) {
                addKeyword(keywords, k.key().value(), evaluate(k.value(), env));
            } else if (a instanceof KeywordSpread s) {
                Object v = evaluate(s.argument(), env);
                if (!(v instanceof Map<?, ?> m)) {
                    throw new TemplateException("Argument after ** must be a mapping, not " + Values.typeName(v));
                }
                for (Map.Entry<?, ?> e : m.entrySet()) {
                    addKeyword(keywords, (String) e.getKey(), e.getValue());
                }
            }
        }
        return new Arguments(positional, keywords);
    }

    private static void addKeyword(Map<String, Object> keywords, String key, Object value) {
        if (keywords.containsKey(key)) {
            throw new TemplateException("Got multiple values for keyword argument '" + key + "'");
        }
        keywords.put(key, value);
    }

    private Object evaluateCall(CallExpression node, Environment env) {
        Arguments a = arguments(node.args(), env);
        List<Object> args = new ArrayList<>(a.positional());
        if (!a.keywords().isEmpty()) {
            args.add(new KwArgs(a.keywords()));
        }
        Object fn = evaluate(node.callee(), env);
        if (!(fn instanceof Fn f)) {
            throw new TemplateException("Cannot call something that is not a function: got " + Values.typeName(fn));
        }
        return f.call(args, env);
    }

    private Object evaluateUnary(UnaryExpression node, Environment env) {
        Object argument = evaluate(node.argument(), env);
        switch (node.operator()) {
            case "not":
                return !truthy(argument);
            case "+", "-": {
                int sign = node.operator().equals("-") ? -1 : 1;
                if (argument instanceof Double d) {
                    return sign * d;
                }
                if (argument instanceof Long l) {
                    return sign * l;
                }
                if (argument instanceof Boolean b) {
                    return (long) sign * (b ? 1 : 0);
                }
                throw new TemplateException("Unknown operator \"" + node.operator() + "\" for " + Values.typeName(argument));
            }
            default:
                throw new TemplateException("Unknown operator: " + node.operator());
        }
    }

    private Object evaluateMember(MemberExpression expr, Environment env) {
        Object object = evaluate(expr.object(), env);
        Object property;
        if (expr.computed()) {
            if (expr.property() instanceof SliceExpression s) {
                return slice(object, s, env);
            }
            property = evaluate(expr.property(), env);
        } else if (expr.property() instanceof IntegerLiteral l) {
            property = l.value();
        } else {
            property = ((Identifier) expr.property()).value();
        }
        Object value;
        if (isAttributeContainer(object)) {
            if (!(property instanceof String p)) {
                throw new TemplateException("Cannot access property with non-string: got " + Values.typeName(property));
            }
            Map<String, Object> attributes = Values.attributes(object);
            value = attributes.containsKey(p) ? attributes.get(p)
                    : object instanceof Map ? Builtins.member(object, p) : null;
        } else if (object instanceof List || object instanceof String) {
            if (property instanceof Long index) {
                int size = object instanceof String s ? s.length() : ((List<?>) object).size();
                int i = (int) (index < 0 ? size + index : index);
                if (i < 0 || i >= size) {
                    value = null;
                } else {
                    value = object instanceof String s ? String.valueOf(s.charAt(i)) : ((List<?>) object).get(i);
                }
            } else if (property instanceof String p) {
                value = Builtins.member(object, p);
            } else {
                throw new TemplateException("Cannot access property with non-string/non-number: got "
                        + Values.typeName(property));
            }
        } else {
            if (!(property instanceof String p)) {
                throw new TemplateException("Cannot access property with non-string: got " + Values.typeName(property));
            }
            value = Builtins.member(object, p);
        }
        return value == null ? UNDEFINED : value;
    }

    private Object slice(Object object, SliceExpression expr, Environment env) {
        if (!(object instanceof List || object instanceof String)) {
            throw new TemplateException("Slice object must be an array or string");
        }
        Long start = sliceBound(evaluate(expr.start(), env), "start");
        Long stop = sliceBound(evaluate(expr.stop(), env), "stop");
        Long step = sliceBound(evaluate(expr.step(), env), "step");
        if (object instanceof String s) {
            List<Object> chars = new ArrayList<>();
            for (int i = 0; i < s.length(); i++) {
                chars.add(String.valueOf(s.charAt(i)));
            }
            StringBuilder out = new StringBuilder();
            for (Object c : Builtins.slice(chars, start, stop, step)) {
                out.append((String) c);
            }
            return out.toString();
        }
        @SuppressWarnings("unchecked")
        List<Object> list = (List<Object>) object;
        return Builtins.slice(list, start, stop, step);
    }

    private static Long sliceBound(Object v, String what) {
        if (v == UNDEFINED) {
            return null;
        }
        if (v instanceof Long l) {
            return l;
        }
        throw new TemplateException("Slice " + what + " must be numeric or undefined");
    }

    private Object evaluateSet(SetStatement node, Environment env) {
        Object rhs = node.value() != null ? evaluate(node.value(), env) : block(node.body(), env);
        if (node.assignee() instanceof Identifier id) {
            env.set(id.value(), rhs);
        } else if (node.assignee() instanceof TupleLiteral tuple) {
            if (!(rhs instanceof List<?> values)) {
                throw new TemplateException("Cannot unpack non-iterable type in set: " + Values.typeName(rhs));
            }
            if (values.size() != tuple.value().size()) {
                throw new TemplateException("Too " + (tuple.value().size() > values.size() ? "few" : "many")
                        + " items to unpack in set");
            }
            for (int i = 0; i < values.size(); i++) {
                if (!(tuple.value().get(i) instanceof Identifier id)) {
                    throw new TemplateException("Cannot unpack to non-identifier in set");
                }
                env.set(id.value(), values.get(i));
            }
        } else if (node.assignee() instanceof MemberExpression member) {
            Object object = evaluate(member.object(), env);
            if (!(object instanceof Namespace ns)) {
                throw new TemplateException("cannot assign attribute on non-namespace object");
            }
            if (!(member.property() instanceof Identifier id)) {
                throw new TemplateException("Cannot assign to member with non-identifier property");
            }
            ns.values.put(id.value(), rhs);
        } else {
            throw new TemplateException("Invalid left-hand side in set");
        }
        return NONE;
    }

    private Object evaluateFor(For node, Environment env) {
        Environment scope = new Environment(env);
        Node test = null;
        Object iterable;
        if (node.iterable() instanceof SelectExpression select) {
            iterable = evaluate(select.lhs(), scope);
            test = select.test();
        } else {
            iterable = evaluate(node.iterable(), scope);
        }
        if (!(iterable instanceof List || iterable instanceof Map)) {
            throw new TemplateException("Expected iterable or object type in for loop: got " + Values.typeName(iterable));
        }
        List<Object> values = iterable instanceof Map<?, ?> m ? new ArrayList<>(m.keySet()) : castList(iterable);
        budget.steps(values.size());
        List<Object> items = new ArrayList<>();
        for (Object current : values) {
            if (test != null) {
                Environment loopScope = new Environment(scope);
                bindLoopVariable(node.loopVar(), current, loopScope);
                if (!truthy(evaluate(test, loopScope))) {
                    continue;
                }
            }
            items.add(current);
        }
        StringBuilder result = new StringBuilder();
        boolean noIteration = true;
        for (int i = 0; i < items.size(); i++) {
            Map<String, Object> loop = new LinkedHashMap<>();
            loop.put("index", (long) i + 1);
            loop.put("index0", (long) i);
            loop.put("revindex", (long) (items.size() - i));
            loop.put("revindex0", (long) (items.size() - i - 1));
            loop.put("first", i == 0);
            loop.put("last", i == items.size() - 1);
            loop.put("length", (long) items.size());
            loop.put("previtem", i > 0 ? items.get(i - 1) : UNDEFINED);
            loop.put("nextitem", i < items.size() - 1 ? items.get(i + 1) : UNDEFINED);
            scope.set("loop", loop);
            bindLoopVariable(node.loopVar(), items.get(i), scope);
            try {
                String text = block(node.body(), scope);
                budget.chars((long) result.length() + text.length());
                result.append(text);
            } catch (ContinueSignal c) {
                continue;
            } catch (BreakSignal b) {
                break;
            }
            noIteration = false;
        }
        if (noIteration) {
            result.append(block(node.defaultBlock(), scope));
        }
        return result.toString();
    }

    @SuppressWarnings("unchecked")
    private static List<Object> castList(Object o) {
        return (List<Object>) o;
    }

    private static void bindLoopVariable(Node loopVar, Object current, Environment scope) {
        if (loopVar instanceof Identifier id) {
            scope.set(id.value(), current);
        } else if (loopVar instanceof TupleLiteral tuple) {
            if (!(current instanceof List<?> c)) {
                throw new TemplateException("Cannot unpack non-iterable type: " + Values.typeName(current));
            }
            if (tuple.value().size() != c.size()) {
                throw new TemplateException("Too " + (tuple.value().size() > c.size() ? "few" : "many") + " items to unpack");
            }
            for (int j = 0; j < c.size(); j++) {
                if (!(tuple.value().get(j) instanceof Identifier id)) {
                    throw new TemplateException("Cannot unpack non-identifier type");
                }
                scope.set(id.value(), c.get(j));
            }
        } else {
            throw new TemplateException("Invalid loop variable(s)");
        }
    }

    private void bindMacroArguments(String name, List<Node> parameters, Set<String> special, List<Object> args,
            Environment scope) {
        List<Object> positional = new ArrayList<>(args);
        Map<String, Object> keywords = new LinkedHashMap<>();
        if (!positional.isEmpty() && positional.get(positional.size() - 1) instanceof KwArgs k) {
            positional.remove(positional.size() - 1);
            keywords.putAll(k);
        }
        List<Map.Entry<String, Node>> pendingDefaults = new ArrayList<>();
        for (int i = 0; i < parameters.size(); i++) {
            Node p = parameters.get(i);
            String pname = p instanceof Identifier id ? id.value() : ((KeywordArgument) p).key().value();
            Node defaultValue = p instanceof KeywordArgument k ? k.value() : null;
            Object value = i < positional.size() ? positional.get(i) : null;
            if (value == null && keywords.containsKey(pname)) {
                value = keywords.remove(pname);
            }
            if (value == null && defaultValue != null) {
                pendingDefaults.add(Map.entry(pname, defaultValue));
            }
            scope.set(pname, value == null ? UNDEFINED : value);
        }
        if (special.contains("kwargs")) {
            scope.set("kwargs", new LinkedHashMap<>(keywords));
        } else if (!keywords.isEmpty()) {
            throw new TemplateException("macro " + name + " takes no keyword argument '" + keywords.keySet().iterator().next() + "'");
        }
        if (special.contains("varargs")) {
            scope.set("varargs", new ArrayList<>(positional.subList(Math.min(parameters.size(), positional.size()),
                    positional.size())));
        } else if (positional.size() > parameters.size()) {
            throw new TemplateException("macro " + name + " takes not more than " + parameters.size() + " argument(s)");
        }
        for (Map.Entry<String, Node> d : pendingDefaults) {
            scope.set(d.getKey(), evaluate(d.getValue(), scope));
        }
    }

    private Object evaluateMacro(Macro node, Environment env) {
        Set<String> special = specialArguments(node.args(), node.body());
        String name = "'" + node.name().value() + "'";
        env.set(node.name().value(), (Fn) (args, scope) -> {
            Environment macroScope = new Environment(scope);
            bindMacroArguments(name, node.args(), special, args, macroScope);
            return block(node.body(), macroScope);
        });
        return NONE;
    }

    private Object evaluateCallStatement(CallStatement node, Environment env) {
        List<Node> parameters = node.callerArgs() != null ? node.callerArgs() : List.of();
        Set<String> special = specialArguments(parameters, node.body());
        Fn caller = (callerArgs, ignored) -> {
            Environment callEnv = new Environment(env);
            bindMacroArguments("None", parameters, special, callerArgs, callEnv);
            return block(node.body(), callEnv);
        };
        Arguments a = arguments(node.call().args(), env);
        List<Object> args = new ArrayList<>(a.positional());
        args.add(new KwArgs(a.keywords()));
        Object fn = evaluate(node.call().callee(), env);
        if (!(fn instanceof Fn f)) {
            throw new TemplateException("Cannot call something that is not a function: got " + Values.typeName(fn));
        }
        Environment newEnv = new Environment(env);
        newEnv.set("caller", caller);
        return f.call(args, newEnv);
    }

    /** Which of kwargs and varargs the macro body reads without declaring them. */
    private static Set<String> specialArguments(List<Node> parameters, List<Node> body) {
        Set<String> declared = new HashSet<>();
        for (Node p : parameters) {
            String name = p instanceof Identifier id ? id.value() : p instanceof KeywordArgument k ? k.key().value() : "";
            declared.add(name);
        }
        Set<String> accessed = new HashSet<>();
        collectIdentifiers(body, accessed);
        accessed.retainAll(Set.of("kwargs", "varargs"));
        accessed.removeAll(declared);
        return accessed;
    }

    private static void collectIdentifiers(Object node, Set<String> out) {
        if (node instanceof Identifier id) {
            out.add(id.value());
        } else if (node instanceof List<?> list) {
            for (Object x : list) {
                collectIdentifiers(x, out);
            }
        } else if (node instanceof Map.Entry<?, ?> e) {
            collectIdentifiers(e.getKey(), out);
            collectIdentifiers(e.getValue(), out);
        } else if (node instanceof Record r) {
            for (var component : r.getClass().getRecordComponents()) {
                try {
                    collectIdentifiers(component.getAccessor().invoke(r), out);
                } catch (ReflectiveOperationException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
    }
}
