package io.kaiyuan.app.mcp;

import io.kaiyuan.engine.api.CancellationToken;
import io.kaiyuan.engine.api.ChatMessage;
import io.kaiyuan.engine.api.GenerationRequest;
import io.kaiyuan.engine.api.GenerationResult;
import io.kaiyuan.engine.api.TokenListener;
import io.kaiyuan.engine.api.ToolCall;
import io.kaiyuan.engine.api.ToolUse;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * A chat turn with MCP tools: the model answers with the servers' tools offered; each call it makes is
 * asked about ({@link Approver}), run on its server, and its result (or why it did not run) goes back as a
 * {@code tool} message; then the model answers again, until it answers without calls or
 * {@link #MAX_ROUNDS} rounds have run. Runs on the caller's thread (the model's).
 */
public final class ToolLoop {
    /** The most answers one turn may take (each after the results of the calls before it). */
    public static final int MAX_ROUNDS = 8;

    /** Whether a call may run: asked before each, on the generation thread (it may wait for the user). */
    @FunctionalInterface
    public interface Approver {
        boolean approve(String server, ToolCall call);
    }

    /** What the turn did, as it does it (the generation thread). */
    public interface Events {
        /**
         * A call ran (or was denied, or failed: {@code result.error()}).
         *
         * @param round the answer it came from, from 0; the calls of one answer share it
         */
        void called(int round, String server, ToolCall call, McpConnection.Result result);
    }

    /**
     * The turn: its last answer, and the messages it added to the conversation (each answer that called
     * tools, with its {@code tool_calls}, and each call's {@code tool} result), in order.
     */
    public record Turn(GenerationResult last, List<ChatMessage> added) {}

    private ToolLoop() {}

    /**
     * @param generate answers one request (the model's generate, on this thread)
     * @param request the turn's request: a chat prompt, without tools
     * @param servers the connected servers; a tool name two servers share goes to the first
     */
    public static Turn run(Function<GenerationRequest, GenerationResult> generate, GenerationRequest request,
            List<McpConnection> servers, Map<McpConnection, List<ToolUse.Function>> tools, Approver approver, Events events,
            CancellationToken cancel) {
        Map<String, McpConnection> owner = new LinkedHashMap<>();
        List<ToolUse.Function> functions = new ArrayList<>();
        for (McpConnection s : servers) {
            for (ToolUse.Function f : tools.getOrDefault(s, List.of())) {
                if (owner.putIfAbsent(f.name(), s) == null) {
                    functions.add(f);
                }
            }
        }
        if (!(request.prompt() instanceof GenerationRequest.Prompt.Chat chat)) {
            throw new IllegalArgumentException("tools need a chat prompt");
        }
        if (functions.isEmpty()) {
            return new Turn(generate.apply(request), List.of());
        }
        ToolUse use = new ToolUse(functions, ToolUse.Choice.AUTO, Optional.empty(), true);
        Map<String, Object> variables = new LinkedHashMap<>(chat.variables());
        variables.put("tools", functions.stream().map(ToolLoop::openAiForm).toList());
        List<ChatMessage> added = new ArrayList<>();
        GenerationResult last = null;
        for (int round = 0; round < MAX_ROUNDS && !cancel.isCancelled(); round++) {
            List<ChatMessage> messages = new ArrayList<>(chat.messages());
            messages.addAll(added);
            last = generate.apply(request.withPrompt(new GenerationRequest.Prompt.Chat(messages, variables),
                    request.maxNewTokens()).withTools(use));
            if (last.toolCalls().isEmpty()) {
                break;
            }
            added.add(ChatMessage.toolCalls(last.answer(), last.reasoning(), last.toolCalls()));
            for (ToolCall call : last.toolCalls()) {
                McpConnection server = owner.get(call.name());
                McpConnection.Result result;
                if (cancel.isCancelled()) {
                    result = new McpConnection.Result("The user stopped the answer before this call ran.", true, 0);
                } else if (!approver.approve(server.config().name(), call)) {
                    result = new McpConnection.Result("The user did not allow this call.", true, 0);
                } else {
                    result = server.call(call.name(), call.arguments());
                }
                events.called(round, server.config().name(), call, result);
                added.add(ChatMessage.toolResult(call, result.text(), result.error()));
            }
        }
        return new Turn(last, added);
    }

    /** A function as the template's {@code tools} variable holds it (OpenAI's form). */
    private static Map<String, Object> openAiForm(ToolUse.Function f) {
        Map<String, Object> function = new LinkedHashMap<>();
        function.put("name", f.name());
        function.put("description", f.description());
        function.put("parameters", parse(f.parameters()));
        return Map.of("type", "function", "function", function);
    }

    private static Object parse(String json) {
        try {
            return new com.fasterxml.jackson.databind.ObjectMapper().readValue(json, LinkedHashMap.class);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            return Map.of();
        }
    }
}
