package io.kaiyuan.ui.common;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The pump keeps the order of text, thinking and actions, and batches what comes between two drains. */
class AnswerPumpTest {
    @Test
    void piecesAndActionsArriveInTheOrderTheyWereMadeOneDrainAtATime() {
        List<Runnable> fx = new ArrayList<>();
        List<String> seen = new ArrayList<>();
        AnswerPump pump = new AnswerPump(fx::add, t -> seen.add("text " + t), t -> seen.add("thinking " + t));
        pump.reasoning("a");
        pump.reasoning("b");
        pump.text("Let me ");
        pump.text("add.");
        pump.then(() -> seen.add("round"));
        pump.text("42");
        pump.text("");
        assertEquals(1, fx.size(), "one drain scheduled for all of it");
        fx.remove(0).run();
        assertEquals(List.of("thinking ab", "text Let me add.", "round", "text 42"), seen);
        pump.text("!");
        assertEquals(1, fx.size(), "the next piece schedules the next drain");
        pump.drain(); // at the end of a turn, before the scheduled one runs
        fx.remove(0).run();
        assertEquals("text !", seen.get(seen.size() - 1));
        assertEquals(5, seen.size(), "nothing delivered twice");
    }
}
