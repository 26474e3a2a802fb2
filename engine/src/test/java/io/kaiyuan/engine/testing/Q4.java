package io.kaiyuan.engine.testing;

/**
 * A K x N weight matrix held in symmetric 4-bit blocks, as ONNX Runtime's MatMul4BitsQuantizer writes the
 * onnx-community q4 exports and as GGUF's Q4_0 holds weights: for each output column, blocks of
 * {@link TinyQwen#Q4_BLOCK} values along K with one scale each, value = (q - 8) x scale, q in 0..15. The scale
 * is a float16 value (GGUF stores it so; MatMulNBits gets the same value as float32), so both formats hold the
 * same numbers exactly.
 *
 * @param k rows (the input dimension)
 * @param n columns (the output dimension)
 * @param q the 4-bit values, column by column: q[c * k + r] for row r of column c
 * @param scales the float16 bits of each block's scale: scales[c * (k / block) + b]
 */
public record Q4(int k, int n, byte[] q, short[] scales) {

    /** Quantizes {@code w} (row-major, k rows of n): per block, the value of largest magnitude maps to -8. */
    public static Q4 quantize(float[] w, int k, int n) {
        int block = TinyQwen.Q4_BLOCK;
        if (k % block != 0) {
            throw new IllegalArgumentException("K = " + k + " is not a multiple of " + block);
        }
        int blocks = k / block;
        byte[] q = new byte[k * n];
        short[] scales = new short[blocks * n];
        for (int c = 0; c < n; c++) {
            for (int b = 0; b < blocks; b++) {
                float max = 0;
                for (int r = b * block; r < (b + 1) * block; r++) {
                    float v = w[r * n + c];
                    if (Math.abs(v) > Math.abs(max)) {
                        max = v;
                    }
                }
                short half = toHalf(max / -8f);
                float scale = toFloat(half);
                scales[c * blocks + b] = half;
                float inverse = scale == 0 ? 0 : 1f / scale;
                for (int r = b * block; r < (b + 1) * block; r++) {
                    int v = Math.round(w[r * n + c] * inverse) + 8;
                    q[c * k + r] = (byte) Math.max(0, Math.min(15, v));
                }
            }
        }
        return new Q4(k, n, q, scales);
    }

    /** The values the blocks hold, row-major (k rows of n), as float32 MatMul weights. */
    public float[] dequantized() {
        int blocks = k / TinyQwen.Q4_BLOCK;
        float[] out = new float[k * n];
        for (int c = 0; c < n; c++) {
            for (int r = 0; r < k; r++) {
                out[r * n + c] = (q[c * k + r] - 8) * toFloat(scales[c * blocks + r / TinyQwen.Q4_BLOCK]);
            }
        }
        return out;
    }

    /** MatMulNBits' B: [N][K / block][block / 2] bytes, two values a byte, the even one in the low 4 bits. */
    public byte[] matMulNBitsData() {
        byte[] out = new byte[k * n / 2];
        for (int c = 0; c < n; c++) {
            for (int r = 0; r < k; r += 2) {
                out[(c * k + r) / 2] = (byte) (q[c * k + r] & 0xf | (q[c * k + r + 1] & 0xf) << 4);
            }
        }
        return out;
    }

    /** MatMulNBits' scales as float32, [N * K / block]. */
    public float[] matMulNBitsScales() {
        float[] out = new float[scales.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = toFloat(scales[i]);
        }
        return out;
    }

    /**
     * GGUF Q4_0 blocks of this matrix as a tensor of ne[0] = K, ne[1] = N (a row per output column): each block
     * a float16 scale then 16 bytes, byte j holding value j (low 4 bits) and value j + 16 (high 4 bits).
     */
    public byte[] q4_0() {
        int block = TinyQwen.Q4_BLOCK;
        int blocks = k / block;
        byte[] out = new byte[n * blocks * (2 + block / 2)];
        int at = 0;
        for (int c = 0; c < n; c++) {
            for (int b = 0; b < blocks; b++) {
                short s = scales[c * blocks + b];
                out[at++] = (byte) s;
                out[at++] = (byte) (s >> 8);
                int base = c * k + b * block;
                for (int j = 0; j < block / 2; j++) {
                    out[at++] = (byte) (q[base + j] & 0xf | (q[base + j + block / 2] & 0xf) << 4);
                }
            }
        }
        return out;
    }

    /** IEEE 754 binary16 bits of {@code f}, rounded to nearest even. */
    public static short toHalf(float f) {
        int bits = Float.floatToRawIntBits(f);
        int sign = bits >>> 16 & 0x8000;
        int exp = (bits >>> 23 & 0xff) - 127 + 15;
        int mantissa = bits & 0x7fffff;
        if ((bits & 0x7fffffff) > 0x7f800000) {
            return (short) (sign | 0x7e00);
        }
        if (exp >= 0x1f) {
            return (short) (sign | 0x7c00);
        }
        if (exp <= 0) {
            if (exp < -10) {
                return (short) sign;
            }
            mantissa |= 0x800000;
            int shift = 14 - exp;
            int half = mantissa >> shift;
            int rest = mantissa & ((1 << shift) - 1);
            int mid = 1 << (shift - 1);
            if (rest > mid || rest == mid && (half & 1) == 1) {
                half++;
            }
            return (short) (sign | half);
        }
        int half = exp << 10 | mantissa >> 13;
        int rest = mantissa & 0x1fff;
        if (rest > 0x1000 || rest == 0x1000 && (half & 1) == 1) {
            half++;
        }
        return (short) (sign | half);
    }

    /** The float value of binary16 bits. */
    public static float toFloat(short h) {
        int bits = h & 0xffff;
        int sign = (bits & 0x8000) << 16;
        int exp = bits >>> 10 & 0x1f;
        int mantissa = bits & 0x3ff;
        if (exp == 0) {
            return Float.intBitsToFloat(sign) + (sign != 0 ? -1 : 1) * mantissa * 0x1p-24f;
        }
        if (exp == 0x1f) {
            return Float.intBitsToFloat(sign | 0x7f800000 | mantissa << 13);
        }
        return Float.intBitsToFloat(sign | (exp - 15 + 127) << 23 | mantissa << 13);
    }
}
