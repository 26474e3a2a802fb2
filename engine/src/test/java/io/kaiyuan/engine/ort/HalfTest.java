package io.kaiyuan.engine.ort;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class HalfTest {
    @Test
    void convertsNormalSubnormalAndSpecialValues() {
        assertEquals(1.0f, Half.toFloat((short) 0x3C00));
        assertEquals(-2.0f, Half.toFloat((short) 0xC000));
        assertEquals(65504f, Half.toFloat((short) 0x7BFF));
        assertEquals(0.333251953125f, Half.toFloat((short) 0x3555));
        assertEquals((float) Math.pow(2, -24), Half.toFloat((short) 0x0001), "smallest subnormal");
        assertEquals(-(float) Math.pow(2, -14) * 1023 / 1024, Half.toFloat((short) 0x83FF), "largest negative subnormal");
        assertEquals(0f, Half.toFloat((short) 0x0000));
        assertEquals(Float.floatToIntBits(-0f), Float.floatToIntBits(Half.toFloat((short) 0x8000)));
        assertEquals(Float.POSITIVE_INFINITY, Half.toFloat((short) 0x7C00));
        assertEquals(Float.NEGATIVE_INFINITY, Half.toFloat((short) 0xFC00));
        assertTrue(Float.isNaN(Half.toFloat((short) 0x7E00)));
    }
}
