package io.kaiyuan.engine.ort;

import io.kaiyuan.engine.onnx.ModelIndex;
import io.kaiyuan.engine.onnx.Proto;
import io.kaiyuan.engine.onnx.ProtoReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Rewrites an ONNX graph file without loading it: the ModelProto is read field by field from the file, the graph's
 * nodes are decoded and re-encoded when changed, and everything else (initializers of hundreds of megabytes
 * included) is copied byte for byte. External data files stay where they are, named relative to the graph, so the
 * rewritten graph goes in the same folder.
 *
 * <p>The one rewrite so far: MatMulNBits nodes get {@code accuracy_level} 4, ONNX Runtime's int8 compute for 4-bit
 * weights (activations quantized per block to 8 bits, as llama.cpp does for Q4_0), faster on CPUs with VNNI or
 * AMX; the logits move by about 1% against float32 compute.
 *
 * <p>A graph whose weights are inside it (the onnx-community exports of small models are single files of up to
 * 2 GB) need not be copied: with {@code referenceWeights} each large initializer of the rewritten graph points at
 * its bytes inside the original file as external data, so the rewrite takes kilobytes on disk and the original
 * must stay beside it.
 */
public final class GraphRewrite {
    /** Fields of a ModelProto, GraphProto and NodeProto this reads. */
    private static final int MODEL_GRAPH = 7;
    private static final int GRAPH_NODE = 1;
    private static final int GRAPH_INITIALIZER = 5;
    private static final int GRAPH_INPUT = 11;
    private static final int NODE_OP_TYPE = 4;
    private static final int NODE_ATTRIBUTE = 5;
    private static final int NODE_DOMAIN = 7;
    private static final int ATTRIBUTE_NAME = 1;
    private static final int ATTRIBUTE_I = 3;
    private static final int ATTRIBUTE_TYPE = 20;
    private static final int ATTRIBUTE_TYPE_INT = 2;
    /** A node larger than this is not a node (nodes hold names and small attributes). */
    private static final long MAX_NODE_BYTES = 16L << 20;

    /**
     * What a rewrite did: the nodes changed, of how many, the initializers referenced in the original file, and
     * whether the LM head now gets only the rows asked for.
     */
    public record Result(int changed, int nodes, int referenced, boolean logitsRows) {}

    /** The input that says how many rows of logits to compute, as Optimum's newer exports name it. */
    public static final String LOGITS_TO_KEEP = "num_logits_to_keep";
    private static final String ROWS = "kaiyuan_logits_rows";

    private GraphRewrite() {}

    /**
     * Writes {@code source} to {@code target} with every MatMulNBits node's {@code accuracy_level} set to
     * {@code level} (a temporary file moved into place at the end: a crash leaves no half-written graph).
     */
    public static Result matMulNBitsAccuracy(Path source, Path target, int level) throws IOException {
        return matMulNBitsAccuracy(source, target, level, false);
    }

    /**
     * As {@link #matMulNBitsAccuracy(Path, Path, int)}; with {@code referenceWeights} the large initializers inside
     * {@code source} are not copied but referenced there as external data ({@code target} must then be in the same
     * folder, and {@code source} stay).
     */
    public static Result matMulNBitsAccuracy(Path source, Path target, int level, boolean referenceWeights)
            throws IOException {
        return rewrite(source, target, level, referenceWeights, null);
    }

    /**
     * As {@link #matMulNBitsAccuracy(Path, Path, int, boolean)}; with {@code logits} (the name of the graph's logits
     * output), when the graph has no {@value #LOGITS_TO_KEEP} input and a MatMul or MatMulNBits (the LM head) makes
     * that output directly, the graph gets that input and the head gets only the last rows of its input
     * ({@code Slice} on the sequence axis): a prompt's run then computes one row of logits, not one per token (at a
     * 152k vocabulary the head of every row is as much work as the rest of the model).
     */
    public static Result rewrite(Path source, Path target, int level, boolean referenceWeights, String logits)
            throws IOException {
        String head = null;
        if (logits != null) {
            try (ModelIndex index = ModelIndex.read(source)) {
                if (!index.inputs().containsKey(LOGITS_TO_KEEP)) {
                    for (ModelIndex.Node n : index.nodes()) {
                        if (n.outputs().contains(logits) && (n.is("MatMul") || n.is("com.microsoft:MatMulNBits"))
                                && !n.inputs().isEmpty()) {
                            head = logits;
                        }
                    }
                }
            }
        }
        if (level < 0 || level > 4) {
            throw new IllegalArgumentException("accuracy_level is 0 to 4, not " + level);
        }
        String reference = null;
        if (referenceWeights) {
            Path a = source.toAbsolutePath().normalize().getParent();
            Path b = target.toAbsolutePath().normalize().getParent();
            if (a == null || !a.equals(b)) {
                throw new IllegalArgumentException("a graph that references another's weights goes in the same folder");
            }
            reference = source.getFileName().toString();
        }
        Path temp = target.resolveSibling(target.getFileName() + ".partial");
        int[] counts = new int[4];
        try (FileChannel in = FileChannel.open(source, StandardOpenOption.READ);
                FileChannel out = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                        StandardOpenOption.TRUNCATE_EXISTING)) {
            ProtoReader r = new ProtoReader(in);
            long size = in.size();
            boolean graphSeen = false;
            while (r.position() < size) {
                long fieldStart = r.position();
                long tag = r.varint();
                int field = (int) (tag >>> 3);
                int wire = (int) (tag & 7);
                if (field == MODEL_GRAPH && wire == 2 && !graphSeen) {
                    graphSeen = true;
                    long length = r.varint();
                    long graphStart = r.position();
                    if (length < 0 || length > size - graphStart) {
                        throw new IOException(source + " is not an ONNX model: its graph runs past the file's end");
                    }
                    List<Object> parts = graphParts(r, in, graphStart, graphStart + length, level, counts, reference, head);
                    long newLength = 0;
                    for (Object p : parts) {
                        newLength += p instanceof byte[] b ? b.length : ((long[]) p)[1];
                    }
                    write(out, encodeTag(MODEL_GRAPH, 2));
                    write(out, encodeVarint(newLength));
                    for (Object p : parts) {
                        if (p instanceof byte[] b) {
                            write(out, b);
                        } else {
                            long[] span = (long[]) p;
                            copy(in, out, span[0], span[1]);
                        }
                    }
                    r.seek(graphStart + length);
                } else {
                    r.skipField(wire, size);
                    copy(in, out, fieldStart, r.position() - fieldStart);
                }
            }
            if (!graphSeen) {
                throw new IOException(source + " is not an ONNX model: it has no graph");
            }
            out.force(false);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(temp);
            throw e;
        }
        Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return new Result(counts[0], counts[1], counts[2], counts[3] > 0);
    }

    /**
     * The graph's fields in order: a changed node as its new bytes (tag and length included), everything else as a
     * span {start, length} of the source to copy.
     */
    private static List<Object> graphParts(ProtoReader r, FileChannel in, long start, long end, int level, int[] counts,
            String reference, String head) throws IOException {
        List<Object> parts = new ArrayList<>();
        r.seek(start);
        long spanStart = start;
        while (r.position() < end) {
            long fieldStart = r.position();
            long tag = r.varint();
            int field = (int) (tag >>> 3);
            int wire = (int) (tag & 7);
            if (field == GRAPH_NODE && wire == 2) {
                long length = r.varint();
                if (length < 0 || length > MAX_NODE_BYTES || length > end - r.position()) {
                    throw new IOException("a graph node of " + length + " bytes is not one");
                }
                ByteBuffer node = ByteBuffer.allocate((int) length);
                read(in, node, r.position());
                r.seek(r.position() + length);
                counts[1]++;
                byte[] changed = withAccuracy(node.array(), level);
                if (head != null && counts[3] == 0) {
                    ModelIndex.Node n = ModelIndex.readNode(changed != null ? changed : node.array());
                    if (n.outputs().contains(head) && (n.is("MatMul") || n.is("com.microsoft:MatMulNBits"))
                            && !n.inputs().isEmpty()) {
                        // the rows asked for, then the head on them
                        counts[3]++;
                        String x = n.inputs().get(0);
                        replace(parts, spanStart, fieldStart, GRAPH_NODE,
                                node("Neg", new String[] {LOGITS_TO_KEEP}, ROWS + "_neg"));
                        parts.add(field(GRAPH_NODE, node("Reshape", new String[] {ROWS + "_neg", ROWS + "_one"}, ROWS + "_start")));
                        parts.add(field(GRAPH_NODE, node("Slice", new String[] {x, ROWS + "_start", ROWS + "_end", ROWS + "_one"},
                                ROWS)));
                        if (changed != null) {
                            counts[0]++;
                        }
                        changed = withFirstInput(changed != null ? changed : node.array(), ROWS);
                        parts.add(field(GRAPH_NODE, changed));
                        spanStart = r.position();
                        continue;
                    }
                }
                if (changed != null) {
                    counts[0]++;
                    replace(parts, spanStart, fieldStart, GRAPH_NODE, changed);
                    spanStart = r.position();
                }
            } else if (field == GRAPH_INITIALIZER && wire == 2 && reference != null) {
                long length = r.varint();
                if (length < 0 || length > end - r.position()) {
                    throw new IOException("an initializer runs past the graph's end");
                }
                long tensorStart = r.position();
                byte[] referenced = ModelIndex.referenced(r, in, tensorStart, tensorStart + length, reference);
                r.seek(tensorStart + length);
                if (referenced != null) {
                    counts[2]++;
                    replace(parts, spanStart, fieldStart, GRAPH_INITIALIZER, referenced);
                    spanStart = r.position();
                }
            } else {
                r.skipField(wire, end);
            }
        }
        if (r.position() != end) {
            throw new IOException("the graph's last field runs past its end");
        }
        if (end > spanStart) {
            parts.add(new long[] {spanStart, end - spanStart});
        }
        if (counts[3] > 0) {
            parts.add(field(GRAPH_INITIALIZER, longs(ROWS + "_one", 1)));
            parts.add(field(GRAPH_INITIALIZER, longs(ROWS + "_end", Long.MAX_VALUE)));
            // a scalar int64 input
            Proto type = new Proto().message(1, new Proto().int64(1, 7).message(2, new Proto()));
            parts.add(field(GRAPH_INPUT, new Proto().string(1, LOGITS_TO_KEEP).message(2, type).toByteArray()));
        }
        return parts;
    }

    /** A whole graph field: tag, length and bytes. */
    private static byte[] field(int number, byte[] bytes) {
        ByteArrayOutputStream b = new ByteArrayOutputStream(bytes.length + 8);
        b.writeBytes(encodeTag(number, 2));
        b.writeBytes(encodeVarint(bytes.length));
        b.writeBytes(bytes);
        return b.toByteArray();
    }

    /** A NodeProto of ONNX's own op with one output named after it. */
    private static byte[] node(String op, String[] inputs, String output) {
        Proto node = new Proto();
        for (String i : inputs) {
            node.string(1, i);
        }
        return node.string(2, output).string(3, output + "/" + op).string(4, op).toByteArray();
    }

    /** An int64 vector initializer of one value. */
    private static byte[] longs(String name, long value) {
        byte[] raw = new byte[8];
        for (int i = 0; i < 8; i++) {
            raw[i] = (byte) (value >>> (8 * i));
        }
        return new Proto().int64(1, 1).int64(2, 7).string(8, name).bytes(9, raw).toByteArray();
    }

    /** A NodeProto with its first input renamed. */
    private static byte[] withFirstInput(byte[] node, String input) throws IOException {
        ProtoReader r = new ProtoReader(node);
        ByteArrayOutputStream out = new ByteArrayOutputStream(node.length + input.length());
        boolean done = false;
        while (r.position() < node.length) {
            long fieldStart = r.position();
            long tag = r.varint();
            r.skipField((int) (tag & 7), node.length);
            if (!done && (tag >>> 3) == 1 && (tag & 7) == 2) {
                out.writeBytes(new Proto().string(1, input).toByteArray());
                done = true;
            } else {
                out.write(node, (int) fieldStart, (int) (r.position() - fieldStart));
            }
        }
        return out.toByteArray();
    }

    /** Adds the source span before a replaced field, then the field's new bytes with its tag and length. */
    private static void replace(List<Object> parts, long spanStart, long fieldStart, int field, byte[] bytes) {
        if (fieldStart > spanStart) {
            parts.add(new long[] {spanStart, fieldStart - spanStart});
        }
        parts.add(field(field, bytes));
    }

    /** A MatMulNBits node re-encoded with accuracy_level {@code level}; null for any other node. */
    private static byte[] withAccuracy(byte[] node, int level) throws IOException {
        ProtoReader r = new ProtoReader(node);
        String op = null;
        String domain = "";
        List<long[]> fields = new ArrayList<>(); // {start, end, field}
        while (r.position() < node.length) {
            long fieldStart = r.position();
            long tag = r.varint();
            int field = (int) (tag >>> 3);
            int wire = (int) (tag & 7);
            if ((field == NODE_OP_TYPE || field == NODE_DOMAIN) && wire == 2) {
                long length = r.varint();
                if (length > node.length - r.position()) {
                    throw new IOException("a node's field runs past its end");
                }
                String text = new String(node, (int) r.position(), (int) length, StandardCharsets.UTF_8);
                r.seek(r.position() + length);
                if (field == NODE_OP_TYPE) {
                    op = text;
                } else {
                    domain = text;
                }
            } else {
                r.skipField(wire, node.length);
            }
            fields.add(new long[] {fieldStart, r.position(), field});
        }
        if (!"MatMulNBits".equals(op) || !domain.equals("com.microsoft")) {
            return null;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(node.length + 32);
        for (long[] f : fields) {
            if (f[2] == NODE_ATTRIBUTE && attributeName(node, f).equals("accuracy_level")) {
                continue;
            }
            out.write(node, (int) f[0], (int) (f[1] - f[0]));
        }
        ByteArrayOutputStream attribute = new ByteArrayOutputStream();
        byte[] name = "accuracy_level".getBytes(StandardCharsets.US_ASCII);
        attribute.writeBytes(encodeTag(ATTRIBUTE_NAME, 2));
        attribute.writeBytes(encodeVarint(name.length));
        attribute.writeBytes(name);
        attribute.writeBytes(encodeTag(ATTRIBUTE_I, 0));
        attribute.writeBytes(encodeVarint(level));
        attribute.writeBytes(encodeTag(ATTRIBUTE_TYPE, 0));
        attribute.writeBytes(encodeVarint(ATTRIBUTE_TYPE_INT));
        out.writeBytes(encodeTag(NODE_ATTRIBUTE, 2));
        out.writeBytes(encodeVarint(attribute.size()));
        out.writeBytes(attribute.toByteArray());
        return out.toByteArray();
    }

    /** The name of the AttributeProto in the node field {@code f} = {start, end, field}. */
    private static String attributeName(byte[] node, long[] f) throws IOException {
        ProtoReader r = new ProtoReader(node);
        r.seek(f[0]);
        r.varint(); // the field's tag
        long length = r.varint();
        long end = r.position() + length;
        while (r.position() < end) {
            long tag = r.varint();
            if ((tag >>> 3) == ATTRIBUTE_NAME && (tag & 7) == 2) {
                long n = r.varint();
                return new String(node, (int) r.position(), (int) Math.min(n, end - r.position()), StandardCharsets.UTF_8);
            }
            r.skipField((int) (tag & 7), end);
        }
        return "";
    }

    private static void read(FileChannel in, ByteBuffer buffer, long position) throws IOException {
        while (buffer.hasRemaining()) {
            if (in.read(buffer, position + buffer.position()) < 0) {
                throw new IOException("the graph file ends early");
            }
        }
    }

    private static void write(FileChannel out, byte[] bytes) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        while (b.hasRemaining()) {
            out.write(b);
        }
    }

    private static void copy(FileChannel in, FileChannel out, long start, long length) throws IOException {
        long done = 0;
        while (done < length) {
            long n = in.transferTo(start + done, length - done, out);
            if (n <= 0) {
                throw new IOException("the graph file ends early");
            }
            done += n;
        }
    }

    private static byte[] encodeTag(int field, int wire) {
        return encodeVarint((long) field << 3 | wire);
    }

    private static byte[] encodeVarint(long value) {
        ByteArrayOutputStream b = new ByteArrayOutputStream(10);
        long v = value;
        while ((v & ~0x7fL) != 0) {
            b.write((int) (v & 0x7f | 0x80));
            v >>>= 7;
        }
        b.write((int) v);
        return b.toByteArray();
    }
}
