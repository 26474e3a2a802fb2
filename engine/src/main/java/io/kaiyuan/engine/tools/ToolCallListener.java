package io.kaiyuan.engine.tools;

import io.kaiyuan.engine.api.ToolCall;
import io.kaiyuan.engine.api.TokenListener;
import io.kaiyuan.engine.api.ToolUse;
import java.util.ArrayList;
import java.util.List;

/**
 * Stands between the text stream and a caller's listener when tools are offered: answer text goes on as
 * text, call blocks as {@link TokenListener#onToolCall} (see {@link ToolCallStream}); reasoning passes as it is.
 */
public final class ToolCallListener implements TokenListener {
    private final TokenListener target;
    private final ToolCallStream stream;
    private final StringBuilder answer = new StringBuilder();
    private final List<ToolCall> calls = new ArrayList<>();

    public ToolCallListener(ToolCallFormat format, ToolUse tools, TokenListener target) {
        this.target = target;
        this.stream = new ToolCallStream(format, tools, new ToolCallStream.Sink() {
            @Override
            public void text(String text) {
                answer.append(text);
                target.onText(text);
            }

            @Override
            public void call(int index, ToolCall call) {
                calls.add(call);
                target.onToolCall(index, call);
            }
        });
    }

    @Override
    public void onText(String text) {
        stream.add(text);
    }

    @Override
    public void onReasoning(String text) {
        target.onReasoning(text);
    }

    @Override
    public void onPromptAccepted() {
        target.onPromptAccepted();
    }

    /** The answer has ended: text held back goes out. */
    public void finish() {
        stream.finish();
    }

    /** The answer's text without its call blocks (trimmed when it made calls). */
    public String answer() {
        return calls.isEmpty() ? answer.toString() : answer.toString().strip();
    }

    public List<ToolCall> calls() {
        return List.copyOf(calls);
    }
}
