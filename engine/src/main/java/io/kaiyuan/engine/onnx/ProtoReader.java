package io.kaiyuan.engine.onnx;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * Protocol-buffers varints and field skips over a file (read where needed, never whole) or a byte array. Every
 * length is checked against the end it must stay within, so a hostile file gives an {@link IOException}, not a
 * huge allocation or a read past its end.
 */
public final class ProtoReader {
    private final FileChannel channel;
    private final byte[] bytes;
    private long pos;
    private final ByteBuffer one = ByteBuffer.allocate(1);

    public ProtoReader(FileChannel channel) {
        this.channel = channel;
        this.bytes = null;
    }

    public ProtoReader(byte[] bytes) {
        this.channel = null;
        this.bytes = bytes;
    }

    public long position() {
        return pos;
    }

    public void seek(long p) {
        pos = p;
    }

    private int next() throws IOException {
        if (bytes != null) {
            if (pos >= bytes.length) {
                throw new IOException("a field ends early");
            }
            return bytes[(int) pos++] & 0xff;
        }
        one.clear();
        if (channel.read(one, pos) != 1) {
            throw new IOException("the graph file ends early");
        }
        pos++;
        return one.get(0) & 0xff;
    }

    public long varint() throws IOException {
        long value = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            int b = next();
            value |= (long) (b & 0x7f) << shift;
            if ((b & 0x80) == 0) {
                return value;
            }
        }
        throw new IOException("a number longer than 10 bytes");
    }

    /** The length of a length-delimited field, checked to end within {@code end}. */
    public long length(long end) throws IOException {
        long length = varint();
        if (length < 0 || length > end - pos) {
            throw new IOException("a field runs past its end");
        }
        return length;
    }

    public void skipField(int wire, long end) throws IOException {
        switch (wire) {
            case 0 -> varint();
            case 1 -> pos += 8;
            case 5 -> pos += 4;
            case 2 -> {
                long n = length(end); // read before pos is, as pos += length(end) would not
                pos += n;
            }
            default -> throw new IOException("wire type " + wire + " is not in an ONNX model");
        }
        if (pos > end) {
            throw new IOException("a field runs past its end");
        }
    }
}
