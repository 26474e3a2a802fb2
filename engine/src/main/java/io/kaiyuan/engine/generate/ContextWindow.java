package io.kaiyuan.engine.generate;

import io.kaiyuan.engine.api.CancellationToken;
import io.kaiyuan.engine.api.ChatMessage;
import io.kaiyuan.engine.api.GenerationException;
import io.kaiyuan.engine.api.GenerationRequest;
import io.kaiyuan.engine.api.GenerationResult;
import io.kaiyuan.engine.api.TokenListener;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.IntConsumer;
import java.util.function.ToIntFunction;

/**
 * Fits a conversation into the model's context: when the prompt plus room for the answer would not fit,
 * the oldest turns are left out (a turn being a user message and what answered it), never the system
 * prompt nor the last user message.
 */
public final class ContextWindow {
    /**
     * The messages to send and how many were left out.
     *
     * @param promptTokens the kept messages' prompt in tokens
     */
    public record Fitted(List<ChatMessage> messages, int dropped, int promptTokens) {}

    private ContextWindow() {}

    /**
     * Answers a chat request within the model's context: fits its messages (reporting how many were left
     * out to {@code dropped} before generating), then generates no more than the request's budget and the
     * room left in the context. Call on the model's thread.
     *
     * @throws IllegalArgumentException when the request's prompt is not a chat
     */
    public static GenerationResult answer(LanguageModel model, GenerationRequest request, TokenListener listener,
            CancellationToken cancel, IntConsumer dropped) {
        if (!(request.prompt() instanceof GenerationRequest.Prompt.Chat chat)) {
            throw new IllegalArgumentException("only chat prompts are fitted to the context");
        }
        int reserve = Math.min(request.maxNewTokens(), model.contextLimit() / 4);
        Fitted fitted = fit(model, chat.messages(), chat.variables(), reserve);
        if (fitted.dropped() > 0) {
            dropped.accept(fitted.dropped());
        }
        int room = Math.max(1, Math.min(request.maxNewTokens(), model.contextLimit() - fitted.promptTokens()));
        // everything else of the request stays: its format, tools, penalties
        return model.generate(request.withPrompt(new GenerationRequest.Prompt.Chat(fitted.messages(), chat.variables()), room),
                listener, cancel);
    }

    /** Fits {@code messages} so that their prompt leaves {@code reserve} tokens for the answer. */
    public static Fitted fit(LanguageModel model, List<ChatMessage> messages, Map<String, Object> variables, int reserve) {
        return fit(m -> model.promptTokens(m, variables), model.contextLimit(), messages, reserve);
    }

    /** As above with the token count and the limit given (for tests of the policy itself). */
    static Fitted fit(ToIntFunction<List<ChatMessage>> promptTokens, int limit, List<ChatMessage> messages, int reserve) {
        int budget = Math.max(1, limit - Math.max(0, reserve));
        List<ChatMessage> system = new ArrayList<>();
        List<ChatMessage> rest = new ArrayList<>();
        for (ChatMessage m : messages) {
            (m.role().equals("system") && rest.isEmpty() ? system : rest).add(m);
        }
        int dropped = 0;
        while (true) {
            List<ChatMessage> kept = new ArrayList<>(system);
            kept.addAll(rest);
            int tokens = promptTokens.applyAsInt(kept);
            if (tokens <= budget) {
                return new Fitted(kept, dropped, tokens);
            }
            int nextUser = nextTurnStart(rest);
            if (nextUser < 0) {
                throw new GenerationException("The last message alone needs " + tokens + " tokens, more than the "
                        + budget + " this model has room for with its answer: shorten it.");
            }
            rest.subList(0, nextUser).clear();
            dropped += nextUser;
        }
    }

    /** Where the second turn starts (the next user message after the first), or -1 when one turn is left. */
    private static int nextTurnStart(List<ChatMessage> rest) {
        for (int i = 1; i < rest.size(); i++) {
            if (rest.get(i).role().equals("user")) {
                return i;
            }
        }
        return -1;
    }
}
