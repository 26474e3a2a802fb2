package io.kaiyuan.engine.template.jinja;

import io.kaiyuan.engine.template.jinja.Lexer.Token;
import io.kaiyuan.engine.template.jinja.Lexer.Type;
import io.kaiyuan.engine.template.jinja.Node.*;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Builds the syntax tree from tokens, with the reference renderer's grammar and precedence. */
final class Parser {
    private final List<Token> tokens;
    private final int maxNesting;
    private int current;
    private int depth;

    private Parser(List<Token> tokens, int maxNesting) {
        this.tokens = tokens;
        this.maxNesting = maxNesting;
    }

    /** Parses, refusing statements and expressions nested deeper than {@code maxNesting}. */
    static Program parse(List<Token> tokens, int maxNesting) {
        Parser p = new Parser(tokens, maxNesting);
        List<Node> body = new ArrayList<>();
        while (p.current < tokens.size()) {
            body.add(p.parseAny());
        }
        return new Program(body);
    }

    private Token token(int i) {
        return i < tokens.size() ? tokens.get(i) : null;
    }

    private Token expect(Type type, String error) {
        Token t = token(current++);
        if (t == null || t.type() != type) {
            throw new TemplateException("Parser error: " + error + " (got " + (t == null ? "end" : t.type()) + ")");
        }
        return t;
    }

    private void expectIdentifier(String name) {
        if (!isIdentifier(name)) {
            throw new TemplateException("Expected " + name);
        }
        current++;
    }

    private boolean is(Type... types) {
        if (current + types.length > tokens.size()) {
            return false;
        }
        for (int i = 0; i < types.length; i++) {
            if (tokens.get(current + i).type() != types[i]) {
                return false;
            }
        }
        return true;
    }

    private boolean isStatement(String... names) {
        Token open = token(current);
        Token name = token(current + 1);
        if (open == null || open.type() != Type.OPEN_STATEMENT || name == null || name.type() != Type.IDENTIFIER) {
            return false;
        }
        for (String n : names) {
            if (n.equals(name.value())) {
                return true;
            }
        }
        return false;
    }

    private boolean isIdentifier(String... names) {
        if (current + names.length > tokens.size()) {
            return false;
        }
        for (int i = 0; i < names.length; i++) {
            Token t = tokens.get(current + i);
            if (t.type() != Type.IDENTIFIER || !names[i].equals(t.value())) {
                return false;
            }
        }
        return true;
    }

    private void deeper() {
        if (++depth > maxNesting) {
            throw new TemplateLimitException(TemplateLimitException.Kind.DEEP, "it nests more than " + maxNesting
                    + " levels deep");
        }
    }

    private Node parseAny() {
        Token t = tokens.get(current);
        deeper();
        try {
            return switch (t.type()) {
                case COMMENT -> new Comment(tokens.get(current++).value());
                case TEXT -> new StringLiteral(expect(Type.TEXT, "Expected text token").value());
                case OPEN_STATEMENT -> parseStatement();
                case OPEN_EXPRESSION -> parseJinjaExpression();
                default -> throw new TemplateException("Unexpected token type: " + t.type());
            };
        } finally {
            depth--;
        }
    }

    private List<Node> bodyUntil(String... names) {
        List<Node> body = new ArrayList<>();
        while (!isStatement(names)) {
            if (current >= tokens.size()) {
                throw new TemplateException("Missing {% " + String.join(" / ", names) + " %}");
            }
            body.add(parseAny());
        }
        return body;
    }

    private void end(String name) {
        expect(Type.OPEN_STATEMENT, "Expected {% token");
        expectIdentifier(name);
        expect(Type.CLOSE_STATEMENT, "Expected %} token");
    }

    private Node parseStatement() {
        expect(Type.OPEN_STATEMENT, "Expected opening statement token");
        Token t = tokens.get(current);
        if (t.type() != Type.IDENTIFIER) {
            throw new TemplateException("Unknown statement, got " + t.type());
        }
        String name = t.value();
        switch (name) {
            case "set": {
                current++;
                return parseSet();
            }
            case "if": {
                current++;
                Node result = parseIf();
                end("endif");
                return result;
            }
            case "macro": {
                current++;
                Node n = parsePrimary();
                if (!(n instanceof Identifier id)) {
                    throw new TemplateException("Expected identifier following macro statement");
                }
                List<Node> args = parseArgs(true);
                expect(Type.CLOSE_STATEMENT, "Expected closing statement token");
                List<Node> body = bodyUntil("endmacro");
                end("endmacro");
                return new Macro(id, args, body);
            }
            case "for": {
                current++;
                Node result = parseFor();
                end("endfor");
                return result;
            }
            case "call": {
                current++;
                List<Node> callerArgs = null;
                if (is(Type.OPEN_PAREN)) {
                    callerArgs = parseArgs(true);
                }
                Node callee = parsePrimary();
                if (!(callee instanceof Identifier)) {
                    throw new TemplateException("Expected identifier following call statement");
                }
                List<Node> callArgs = parseArgs(false);
                expect(Type.CLOSE_STATEMENT, "Expected closing statement token");
                List<Node> body = bodyUntil("endcall");
                end("endcall");
                return new CallStatement(new CallExpression(callee, callArgs), callerArgs, body);
            }
            case "break": {
                current++;
                expect(Type.CLOSE_STATEMENT, "Expected closing statement token");
                return new Break();
            }
            case "continue": {
                current++;
                expect(Type.CLOSE_STATEMENT, "Expected closing statement token");
                return new Continue();
            }
            case "filter": {
                current++;
                Node filter = parsePrimary();
                if (filter instanceof Identifier && is(Type.OPEN_PAREN)) {
                    filter = parseCall(filter);
                }
                expect(Type.CLOSE_STATEMENT, "Expected closing statement token");
                List<Node> body = bodyUntil("endfilter");
                end("endfilter");
                return new FilterStatement(filter, body);
            }
            default:
                throw new TemplateException("Unknown statement type: " + name);
        }
    }

    private Node parseJinjaExpression() {
        expect(Type.OPEN_EXPRESSION, "Expected opening expression token");
        Node result = parseExpression();
        expect(Type.CLOSE_EXPRESSION, "Expected closing expression token");
        return result;
    }

    private Node parseSet() {
        Node left = parseExpressionSequence(false);
        Node value = null;
        List<Node> body = new ArrayList<>();
        if (is(Type.EQUALS)) {
            current++;
            value = parseExpressionSequence(false);
        } else {
            expect(Type.CLOSE_STATEMENT, "Expected %} token");
            body = bodyUntil("endset");
            expect(Type.OPEN_STATEMENT, "Expected {% token");
            expectIdentifier("endset");
        }
        expect(Type.CLOSE_STATEMENT, "Expected closing statement token");
        return new SetStatement(left, value, body);
    }

    private If parseIf() {
        Node test = parseExpression();
        expect(Type.CLOSE_STATEMENT, "Expected closing statement token");
        List<Node> body = bodyUntil("elif", "else", "endif");
        List<Node> alternate = new ArrayList<>();
        if (isStatement("elif")) {
            current += 2;
            alternate.add(parseIf());
        } else if (isStatement("else")) {
            current += 2;
            expect(Type.CLOSE_STATEMENT, "Expected closing statement token");
            alternate = bodyUntil("endif");
        }
        return new If(test, body, alternate);
    }

    private Node parseExpressionSequence(boolean primary) {
        List<Node> expressions = new ArrayList<>();
        expressions.add(primary ? parsePrimary() : parseExpression());
        boolean isTuple = is(Type.COMMA);
        while (isTuple) {
            current++;
            expressions.add(primary ? parsePrimary() : parseExpression());
            if (!is(Type.COMMA)) {
                break;
            }
        }
        return isTuple ? new TupleLiteral(expressions) : expressions.get(0);
    }

    private For parseFor() {
        Node loopVar = parseExpressionSequence(true);
        if (!(loopVar instanceof Identifier || loopVar instanceof TupleLiteral)) {
            throw new TemplateException("Expected identifier/tuple for the loop variable");
        }
        if (!isIdentifier("in")) {
            throw new TemplateException("Expected `in` keyword following loop variable");
        }
        current++;
        Node iterable = parseExpression();
        expect(Type.CLOSE_STATEMENT, "Expected closing statement token");
        List<Node> body = bodyUntil("endfor", "else");
        List<Node> alternative = new ArrayList<>();
        if (isStatement("else")) {
            current += 2;
            expect(Type.CLOSE_STATEMENT, "Expected closing statement token");
            alternative = bodyUntil("endfor");
        }
        return new For(loopVar, iterable, body, alternative);
    }

    private Node parseExpression() {
        deeper();
        try {
            return parseIfExpression();
        } finally {
            depth--;
        }
    }

    private Node parseIfExpression() {
        Node a = parseOr();
        if (isIdentifier("if")) {
            current++;
            Node test = parseOr();
            if (isIdentifier("else")) {
                current++;
                return new Ternary(test, a, parseExpression());
            }
            return new SelectExpression(a, test);
        }
        return a;
    }

    private Node parseOr() {
        Node left = parseAnd();
        while (isIdentifier("or")) {
            current++;
            left = new BinaryExpression("or", left, parseAnd());
        }
        return left;
    }

    private Node parseAnd() {
        Node left = parseNot();
        while (isIdentifier("and")) {
            current++;
            left = new BinaryExpression("and", left, parseNot());
        }
        return left;
    }

    private Node parseNot() {
        Node right = null;
        while (isIdentifier("not")) {
            current++;
            deeper();
            try {
                right = new UnaryExpression("not", parseNot());
            } finally {
                depth--;
            }
        }
        return right != null ? right : parseComparison();
    }

    private Node parseComparison() {
        Node left = parseAdditive();
        while (true) {
            String operator;
            if (isIdentifier("not", "in")) {
                operator = "not in";
                current += 2;
            } else if (isIdentifier("in")) {
                operator = "in";
                current++;
            } else if (is(Type.COMPARISON)) {
                operator = tokens.get(current++).value();
            } else {
                break;
            }
            left = new BinaryExpression(operator, left, parseAdditive());
        }
        return left;
    }

    private Node parseAdditive() {
        Node left = parseMultiplicative();
        while (is(Type.ADDITIVE)) {
            String operator = tokens.get(current++).value();
            left = new BinaryExpression(operator, left, parseMultiplicative());
        }
        return left;
    }

    private Node parseMultiplicative() {
        Node left = parsePower();
        while (is(Type.MULTIPLICATIVE)) {
            String operator = tokens.get(current++).value();
            left = new BinaryExpression(operator, left, parsePower());
        }
        return left;
    }

    private Node parsePower() {
        Node left = parseTest();
        while (is(Type.EXPONENT)) {
            String operator = tokens.get(current++).value();
            left = new BinaryExpression(operator, left, parseTest());
        }
        return left;
    }

    private Node parseTest() {
        Node operand = parseFilter();
        while (isIdentifier("is")) {
            current++;
            boolean negate = isIdentifier("not");
            if (negate) {
                current++;
            }
            Node test = parsePrimary();
            if (!(test instanceof Identifier id)) {
                throw new TemplateException("Expected identifier for the test");
            }
            operand = new TestExpression(operand, negate, id);
        }
        return operand;
    }

    private Node parseFilter() {
        Node operand = parseUnarySign();
        while (is(Type.PIPE)) {
            current++;
            Node filter = parsePrimary();
            if (!(filter instanceof Identifier)) {
                throw new TemplateException("Expected identifier for the filter");
            }
            if (is(Type.OPEN_PAREN)) {
                filter = parseCall(filter);
            }
            operand = new FilterExpression(operand, filter);
        }
        return operand;
    }

    private Node parseUnarySign() {
        Token t = token(current);
        if (t != null && (t.type() == Type.UNARY || t.type() == Type.ADDITIVE)
                && (t.value().equals("-") || t.value().equals("+"))) {
            current++;
            deeper();
            try {
                return new UnaryExpression(t.value(), parseUnarySign());
            } finally {
                depth--;
            }
        }
        return parseCallMember();
    }

    private Node parseCallMember() {
        Node member = parseMember(parsePrimary());
        return is(Type.OPEN_PAREN) ? parseCall(member) : member;
    }

    private Node parseCall(Node callee) {
        Node expression = new CallExpression(callee, parseArgs(false));
        expression = parseMember(expression);
        if (is(Type.OPEN_PAREN)) {
            deeper();
            try {
                expression = parseCall(expression);
            } finally {
                depth--;
            }
        }
        return expression;
    }

    private List<Node> parseArgs(boolean parameters) {
        expect(Type.OPEN_PAREN, "Expected opening parenthesis for arguments list");
        List<Node> args = new ArrayList<>();
        Set<String> names = new HashSet<>();
        boolean sawKeyword = false;
        boolean sawSpread = false;
        while (!is(Type.CLOSE_PAREN)) {
            boolean keywordSpread = is(Type.EXPONENT);
            boolean positionalSpread = is(Type.MULTIPLICATIVE) && tokens.get(current).value().equals("*");
            if (parameters && (keywordSpread || positionalSpread)) {
                throw new TemplateException("Argument unpacking is not allowed in parameter declarations");
            }
            if (keywordSpread) {
                current++;
                args.add(new KeywordSpread(parseExpression()));
                if (is(Type.COMMA)) {
                    current++;
                }
                if (!is(Type.CLOSE_PAREN)) {
                    throw new TemplateException("`**` must be applied to the final argument");
                }
                break;
            }
            Node argument;
            if (positionalSpread) {
                if (sawSpread) {
                    throw new TemplateException("Only one `*` argument unpacking is allowed");
                }
                sawSpread = true;
                current++;
                argument = new Spread(parseExpression());
            } else {
                argument = parseExpression();
                if (is(Type.EQUALS)) {
                    current++;
                    if (!(argument instanceof Identifier id)) {
                        throw new TemplateException("Expected identifier for keyword argument");
                    }
                    argument = new KeywordArgument(id, parseExpression());
                }
                if (parameters) {
                    String name = argument instanceof Identifier id ? id.value()
                            : argument instanceof KeywordArgument k ? k.key().value() : null;
                    if (name == null) {
                        throw new TemplateException("Expected identifier for parameter declaration");
                    }
                    if (!names.add(name)) {
                        throw new TemplateException("Duplicate parameter name: " + name);
                    }
                }
                if (argument instanceof KeywordArgument) {
                    sawKeyword = true;
                } else if (sawKeyword) {
                    throw new TemplateException(parameters ? "Non-default argument follows default argument"
                            : "Positional arguments must come before keyword arguments");
                } else if (sawSpread) {
                    throw new TemplateException("Positional arguments must not follow `*` argument unpacking");
                }
            }
            args.add(argument);
            if (is(Type.COMMA)) {
                current++;
            }
        }
        expect(Type.CLOSE_PAREN, "Expected closing parenthesis for arguments list");
        return args;
    }

    private Node parseMemberArguments() {
        List<Node> slices = new ArrayList<>();
        boolean isSlice = false;
        while (!is(Type.CLOSE_SQUARE)) {
            if (is(Type.COLON)) {
                slices.add(null);
                current++;
                isSlice = true;
            } else {
                slices.add(parseExpression());
                if (is(Type.COLON)) {
                    current++;
                    isSlice = true;
                }
            }
        }
        if (slices.isEmpty()) {
            throw new TemplateException("Expected at least one argument for member/slice expression");
        }
        if (isSlice) {
            if (slices.size() > 3) {
                throw new TemplateException("Expected 0-3 arguments for slice expression");
            }
            return new SliceExpression(slices.get(0), slices.size() > 1 ? slices.get(1) : null,
                    slices.size() > 2 ? slices.get(2) : null);
        }
        return slices.get(0);
    }

    private Node parseMember(Node object) {
        while (is(Type.DOT) || is(Type.OPEN_SQUARE)) {
            Token operator = tokens.get(current++);
            boolean computed = operator.type() == Type.OPEN_SQUARE;
            Node property;
            if (computed) {
                property = parseMemberArguments();
                expect(Type.CLOSE_SQUARE, "Expected closing square bracket");
            } else {
                property = parsePrimary();
                if (!(property instanceof Identifier) && !(property instanceof IntegerLiteral)) {
                    throw new TemplateException("Expected identifier or integer following dot operator");
                }
            }
            object = new MemberExpression(object, property, computed);
        }
        return object;
    }

    private Node parsePrimary() {
        Token t = token(current++);
        if (t == null) {
            throw new TemplateException("Unexpected end of template");
        }
        switch (t.type()) {
            case NUMERIC: {
                String num = t.value();
                return num.contains(".") ? new FloatLiteral(Double.parseDouble(num)) : new IntegerLiteral(Long.parseLong(num));
            }
            case STRING: {
                StringBuilder value = new StringBuilder(t.value());
                while (is(Type.STRING)) {
                    value.append(tokens.get(current++).value());
                }
                return new StringLiteral(value.toString());
            }
            case IDENTIFIER:
                return new Identifier(t.value());
            case OPEN_PAREN: {
                Node expression = parseExpressionSequence(false);
                expect(Type.CLOSE_PAREN, "Expected closing parenthesis");
                return expression;
            }
            case OPEN_SQUARE: {
                List<Node> values = new ArrayList<>();
                while (!is(Type.CLOSE_SQUARE)) {
                    values.add(parseExpression());
                    if (is(Type.COMMA)) {
                        current++;
                    }
                }
                current++;
                return new ArrayLiteral(values);
            }
            case OPEN_CURLY: {
                List<Map.Entry<Node, Node>> values = new ArrayList<>();
                while (!is(Type.CLOSE_CURLY)) {
                    Node key = parseExpression();
                    expect(Type.COLON, "Expected colon between key and value in object literal");
                    values.add(new AbstractMap.SimpleImmutableEntry<>(key, parseExpression()));
                    if (is(Type.COMMA)) {
                        current++;
                    }
                }
                current++;
                return new ObjectLiteral(values);
            }
            default:
                throw new TemplateException("Unexpected token: " + t.type());
        }
    }
}
