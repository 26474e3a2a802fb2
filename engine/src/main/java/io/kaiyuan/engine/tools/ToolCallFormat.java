package io.kaiyuan.engine.tools;

import java.util.Optional;

/**
 * How a model writes a tool call, as its chat template shows it. Hermes-style, as Qwen2.5, Qwen2.5-Coder
 * and Qwen3 write them: {@code <tool_call>\n{"name": ..., "arguments": {...}}\n</tool_call>}, one block per call.
 */
public record ToolCallFormat(String open, String close) {
    public static final ToolCallFormat HERMES = new ToolCallFormat("<tool_call>", "</tool_call>");

    /** The format a chat template's text writes calls in, if Kaiyuan reads it. */
    public static Optional<ToolCallFormat> of(String template) {
        if (template.contains(HERMES.open) && template.contains(HERMES.close)) {
            return Optional.of(HERMES);
        }
        return Optional.empty();
    }
}
