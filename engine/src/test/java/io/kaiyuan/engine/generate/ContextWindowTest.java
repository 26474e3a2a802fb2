package io.kaiyuan.engine.generate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kaiyuan.engine.api.ChatMessage;
import io.kaiyuan.engine.api.ExecutionProvider;
import io.kaiyuan.engine.api.GenerationException;
import io.kaiyuan.engine.ort.OrtRuntime;
import io.kaiyuan.engine.testing.TestModels;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ContextWindowTest {
    @TempDir
    Path dir;

    private static List<ChatMessage> conversation(int turns) {
        List<ChatMessage> out = new java.util.ArrayList<>();
        out.add(ChatMessage.system("You are a helpful assistant. 你是一个有用的助手。"));
        for (int i = 0; i < turns; i++) {
            out.add(ChatMessage.user("Question " + i + ": tell me about the Yangtze river, 长江, in detail."));
            out.add(ChatMessage.assistant("Answer " + i + ": the Yangtze is the longest river in Asia. 长江是亚洲第一长河。"));
        }
        out.add(ChatMessage.user("And the Yellow River?"));
        return out;
    }

    @Test
    void theOldestTurnsGoFirstAndTheSystemPromptAndLastQuestionStay() throws Exception {
        try (LanguageModel model = LanguageModel.load(new OrtRuntime(),
                TestModels.withTokenizer(TestModels.chatSized().maxPositions(256), dir.resolve("m")),
                new LanguageModel.LoadOptions(Optional.empty(), ExecutionProvider.CPU, 1))) {
            List<ChatMessage> all = conversation(8);
            int full = model.promptTokens(all, Map.of());
            assertTrue(full > 256, "the whole conversation does not fit: " + full);

            ContextWindow.Fitted fitted = ContextWindow.fit(model, all, Map.of(), 64);
            assertTrue(fitted.promptTokens() <= 256 - 64, "leaves room for the answer: " + fitted.promptTokens());
            assertEquals(fitted.promptTokens(), model.promptTokens(fitted.messages(), Map.of()));
            assertEquals("system", fitted.messages().get(0).role());
            assertEquals("And the Yellow River?", fitted.messages().get(fitted.messages().size() - 1).content());
            assertEquals(all.size() - fitted.messages().size(), fitted.dropped());
            assertTrue(fitted.dropped() % 2 == 0 && fitted.dropped() > 0, "whole turns are dropped: " + fitted.dropped());
            assertEquals(all.subList(1 + fitted.dropped(), all.size()), fitted.messages().subList(1, fitted.messages().size()),
                    "the most recent turns are kept, in order");
            // One more turn would not have fitted: nothing was dropped that did not have to be.
            List<ChatMessage> oneMore = new java.util.ArrayList<>(fitted.messages());
            oneMore.addAll(1, all.subList(fitted.dropped() - 1, fitted.dropped() + 1));
            assertTrue(model.promptTokens(oneMore, Map.of()) > 256 - 64);

            ContextWindow.Fitted small = ContextWindow.fit(model, conversation(0), Map.of(), 64);
            assertEquals(0, small.dropped(), "a short conversation is sent whole");

            List<ChatMessage> huge = List.of(ChatMessage.user("长江".repeat(400)));
            GenerationException e = assertThrows(GenerationException.class, () -> ContextWindow.fit(model, huge, Map.of(), 64));
            assertTrue(e.getMessage().contains("shorten it"), e.getMessage());
        }
    }
}
