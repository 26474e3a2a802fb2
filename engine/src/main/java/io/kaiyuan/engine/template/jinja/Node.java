package io.kaiyuan.engine.template.jinja;

import java.util.List;
import java.util.Map;

/** The template's syntax tree: statements and expressions. */
sealed interface Node {
    record Program(List<Node> body) implements Node {}

    record If(Node test, List<Node> body, List<Node> alternate) implements Node {}

    record For(Node loopVar, Node iterable, List<Node> body, List<Node> defaultBlock) implements Node {}

    record Break() implements Node {}

    record Continue() implements Node {}

    record SetStatement(Node assignee, Node value, List<Node> body) implements Node {}

    record Macro(Identifier name, List<Node> args, List<Node> body) implements Node {}

    record CallStatement(CallExpression call, List<Node> callerArgs, List<Node> body) implements Node {}

    record FilterStatement(Node filter, List<Node> body) implements Node {}

    record Comment(String value) implements Node {}

    record StringLiteral(String value) implements Node {}

    record IntegerLiteral(long value) implements Node {}

    record FloatLiteral(double value) implements Node {}

    record ArrayLiteral(List<Node> value) implements Node {}

    record TupleLiteral(List<Node> value) implements Node {}

    /** Keys and values in source order. */
    record ObjectLiteral(List<Map.Entry<Node, Node>> value) implements Node {}

    record Identifier(String value) implements Node {}

    record MemberExpression(Node object, Node property, boolean computed) implements Node {}

    record CallExpression(Node callee, List<Node> args) implements Node {}

    record BinaryExpression(String operator, Node left, Node right) implements Node {}

    record UnaryExpression(String operator, Node argument) implements Node {}

    record FilterExpression(Node operand, Node filter) implements Node {}

    record TestExpression(Node operand, boolean negate, Identifier test) implements Node {}

    record SelectExpression(Node lhs, Node test) implements Node {}

    record Ternary(Node condition, Node trueExpr, Node falseExpr) implements Node {}

    record SliceExpression(Node start, Node stop, Node step) implements Node {}

    record KeywordArgument(Identifier key, Node value) implements Node {}

    record Spread(Node argument) implements Node {}

    record KeywordSpread(Node argument) implements Node {}
}
