package io.kaiyuan.engine.constrain;

import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * Whether the start of a number can still end within a schema's minimum and maximum, so the decoder never
 * writes digits it cannot finish. Numbers are written with at most {@link #INT_DIGITS} digits before the
 * point and {@link #FRACTION_DIGITS} after it (and no exponent where there are bounds).
 */
final class NumberBounds {
    static final int INT_DIGITS = 16;
    static final int FRACTION_DIGITS = 15;
    static final int EXPONENT_DIGITS = 2;
    /** The largest bound a schema may give. */
    static final BigDecimal LIMIT = new BigDecimal("1e15");
    private static final BigDecimal STEP = BigDecimal.ONE.movePointLeft(FRACTION_DIGITS);

    private NumberBounds() {}

    /**
     * @param text a valid start of a number without exponent: "", "-", "12", "-0.", "3.25"
     * @param integer whether only integers may complete it
     * @param min the least value allowed, or null
     * @param max the greatest, or null
     */
    static boolean feasible(String text, boolean integer, BigDecimal min, BigDecimal max) {
        boolean negative = text.startsWith("-");
        String body = negative ? text.substring(1) : text;
        if (body.isEmpty()) {
            // any magnitude of this sign: 0 up to almost 10^16
            BigDecimal big = BigDecimal.TEN.pow(INT_DIGITS).subtract(BigDecimal.ONE);
            return negative ? meets(big.negate(), BigDecimal.ZERO, integer, min, max)
                    : meets(BigDecimal.ZERO, big, integer, min, max);
        }
        int dot = body.indexOf('.');
        if (dot >= 0) {
            String fraction = body.substring(dot + 1);
            BigDecimal at = new BigDecimal(body.substring(0, dot) + "." + (fraction.isEmpty() ? "0" : fraction));
            BigDecimal width = BigDecimal.ONE.movePointLeft(fraction.length());
            return magnitudes(at, at.add(width).subtract(STEP), negative, false, min, max);
        }
        BigDecimal d = new BigDecimal(body);
        // the number as it is, or with a fraction
        if (magnitudes(d, integer ? d : d.add(BigDecimal.ONE).subtract(STEP), negative, integer, min, max)) {
            return true;
        }
        if (body.equals("0")) {
            return false; // no digit may follow a leading zero
        }
        // more digits before the point
        for (int k = 1; body.length() + k <= INT_DIGITS; k++) {
            BigDecimal scale = BigDecimal.TEN.pow(k);
            BigDecimal lo = d.multiply(scale);
            BigDecimal hi = d.add(BigDecimal.ONE).multiply(scale).subtract(integer ? BigDecimal.ONE : STEP);
            if (magnitudes(lo, hi, negative, integer, min, max)) {
                return true;
            }
        }
        return false;
    }

    /** Whether a complete number's value lies within the bounds. */
    static boolean within(String text, BigDecimal min, BigDecimal max) {
        BigDecimal v = new BigDecimal(text);
        return (min == null || v.compareTo(min) >= 0) && (max == null || v.compareTo(max) <= 0);
    }

    private static boolean magnitudes(BigDecimal lo, BigDecimal hi, boolean negative, boolean integer, BigDecimal min,
            BigDecimal max) {
        return negative ? meets(hi.negate(), lo.negate(), integer, min, max) : meets(lo, hi, integer, min, max);
    }

    /** Whether [lo, hi] and [min, max] share a value written on the grid (whole numbers, or 10^-15). */
    private static boolean meets(BigDecimal lo, BigDecimal hi, boolean integer, BigDecimal min, BigDecimal max) {
        BigDecimal a = min == null ? lo : lo.max(min);
        BigDecimal b = max == null ? hi : hi.min(max);
        if (a.compareTo(b) > 0) {
            return false;
        }
        if (!integer) {
            return true; // bounds have at most 15 decimals: a and b are on the grid
        }
        return a.setScale(0, RoundingMode.CEILING).compareTo(b.setScale(0, RoundingMode.FLOOR)) <= 0;
    }
}
