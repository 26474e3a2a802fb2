package io.kaiyuan.engine.constrain;

/**
 * Well-formed UTF-8 (RFC 3629): which bytes may follow a lead byte, so no overlong form, surrogate or
 * code point beyond U+10FFFF is ever written. A "pending" value packs the continuation bytes still to
 * come (low byte) with the range the next one must lie in (bits 16-23 the lowest, 8-15 the highest).
 */
final class Utf8 {
    private Utf8() {}

    static int pending(int left, int lo, int hi) {
        return lo << 16 | hi << 8 | left;
    }

    /** What a lead byte leaves pending; 0 when {@code b} cannot start a character of two bytes or more. */
    static int afterLead(int b) {
        if (b >= 0xC2 && b <= 0xDF) {
            return pending(1, 0x80, 0xBF);
        }
        if (b == 0xE0) {
            return pending(2, 0xA0, 0xBF);
        }
        if (b >= 0xE1 && b <= 0xEC || b == 0xEE || b == 0xEF) {
            return pending(2, 0x80, 0xBF);
        }
        if (b == 0xED) {
            return pending(2, 0x80, 0x9F);
        }
        if (b == 0xF0) {
            return pending(3, 0x90, 0xBF);
        }
        if (b >= 0xF1 && b <= 0xF3) {
            return pending(3, 0x80, 0xBF);
        }
        if (b == 0xF4) {
            return pending(3, 0x80, 0x8F);
        }
        return 0;
    }

    /** The pending value after continuation byte {@code b}, or -1 when {@code b} cannot come here. */
    static int afterContinuation(int pending, int b) {
        if (b < (pending >>> 16 & 0xFF) || b > (pending >>> 8 & 0xFF)) {
            return -1;
        }
        int left = (pending & 0xFF) - 1;
        return left == 0 ? 0 : pending(left, 0x80, 0xBF);
    }
}
