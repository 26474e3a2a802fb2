package io.kaiyuan.engine.onnx;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** A minimal protocol-buffers encoder: just the wire types that ONNX's ModelProto needs. */
public final class Proto {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    private void varint(long value) {
        long v = value;
        while ((v & ~0x7FL) != 0) {
            out.write((int) ((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        out.write((int) v);
    }

    private void tag(int field, int wireType) {
        varint(((long) field << 3) | wireType);
    }

    public Proto int64(int field, long value) {
        tag(field, 0);
        varint(value);
        return this;
    }

    public Proto float32(int field, float value) {
        tag(field, 5);
        int bits = Float.floatToIntBits(value);
        for (int i = 0; i < 4; i++) {
            out.write((bits >>> (8 * i)) & 0xFF);
        }
        return this;
    }

    public Proto bytes(int field, byte[] value) {
        tag(field, 2);
        varint(value.length);
        out.write(value, 0, value.length);
        return this;
    }

    public Proto string(int field, String value) {
        return bytes(field, value.getBytes(StandardCharsets.UTF_8));
    }

    public Proto message(int field, Proto value) {
        return bytes(field, value.toByteArray());
    }

    public byte[] toByteArray() {
        return out.toByteArray();
    }
}
