package io.kaiyuan.engine.template;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ReasoningParserTest {
    record Parsed(String reasoning, String answer, boolean unclosed) {}

    private static Parsed feed(boolean startsInside, List<String> chunks) {
        ReasoningParser p = new ReasoningParser(startsInside);
        StringBuilder reasoning = new StringBuilder();
        StringBuilder answer = new StringBuilder();
        for (String c : chunks) {
            ReasoningParser.Delta d = p.add(c);
            reasoning.append(d.reasoning());
            answer.append(d.answer());
        }
        ReasoningParser.Delta d = p.finish();
        reasoning.append(d.reasoning());
        answer.append(d.answer());
        return new Parsed(reasoning.toString(), answer.toString(), p.unclosed());
    }

    static List<Arguments> outputs() {
        return List.of(
                Arguments.of("qwen3 thinking", false, "<think>\nLet me think.\nStep 2.\n</think>\n\nThe answer.",
                        new Parsed("Let me think.\nStep 2.", "The answer.", false)),
                Arguments.of("deepseek-r1 starts inside", true, "Reasoning here.\n</think>\n\n答案是 42。",
                        new Parsed("Reasoning here.", "答案是 42。", false)),
                Arguments.of("no reasoning", false, "Just an answer.\nWith lines.", new Parsed("", "Just an answer.\nWith lines.", false)),
                Arguments.of("never closed", false, "<think>\nthinking forever\n", new Parsed("thinking forever", "", true)),
                Arguments.of("qwen3 empty block (/no_think)", false, "<think>\n\n</think>\n\n你好 👋",
                        new Parsed("", "你好 👋", false)),
                Arguments.of("angle brackets inside", false, "<think>a < b and </th is not </think>ok",
                        new Parsed("a < b and </th is not ", "ok", false)),
                Arguments.of("a tag later in the answer is text", false, "Hi <think> there </think>",
                        new Parsed("", "Hi <think> there </think>", false)),
                Arguments.of("leading whitespace before the tag", false, "\n <think>x</think>y", new Parsed("x", "y", false)),
                Arguments.of("starts inside, never closed", true, "\nstill thinking", new Parsed("still thinking", "", true)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("outputs")
    void everySplitGivesTheSameParts(String name, boolean startsInside, String output, Parsed expected) {
        assertEquals(expected, feed(startsInside, List.of(output)), "whole");
        for (int i = 0; i <= output.length(); i++) {
            assertEquals(expected, feed(startsInside, List.of(output.substring(0, i), output.substring(i))), "split at " + i);
        }
        for (int i = 0; i < output.length(); i++) {
            for (int j = i; j <= output.length(); j++) {
                assertEquals(expected, feed(startsInside, List.of(output.substring(0, i), output.substring(i, j),
                        output.substring(j))), "split at " + i + " and " + j);
            }
        }
        List<String> chars = output.codePoints().mapToObj(Character::toString).toList();
        assertEquals(expected, feed(startsInside, chars), "character by character");
    }

    @Test
    void reasoningStreamsBeforeItCloses() {
        ReasoningParser p = new ReasoningParser(false);
        assertEquals("", p.add("<thi").reasoning());
        assertEquals("Thinking", p.add("nk>\nThinking").reasoning());
        assertEquals(" more", p.add(" more\n").reasoning());
        assertFalse(p.reasoningEnded());
        ReasoningParser.Delta d = p.add("</think>\n\nDone");
        assertEquals("", d.reasoning());
        assertEquals("Done", d.answer());
        assertTrue(p.reasoningEnded());
    }

    @Test
    void promptsThatOpenTheBlockAreRecognised() {
        assertTrue(ReasoningParser.promptOpensReasoning("<｜Assistant｜><think>\n"));
        assertFalse(ReasoningParser.promptOpensReasoning("<|im_start|>assistant\n<think>\n\n</think>\n\n"));
        assertFalse(ReasoningParser.promptOpensReasoning("<|im_start|>assistant\n"));
    }
}
