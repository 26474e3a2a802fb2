package io.kaiyuan.engine.onnx;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An ONNX model file's graph as a list of nodes and an index of its initializers, read field by field without
 * loading the weights: each initializer is known by its name, type, shape and where its TensorProto lies in the
 * file, so it can be taken over into another graph ({@link #tensorProto(Tensor, boolean)}) without being copied
 * into memory. Open while the file is read; close it after.
 *
 * <p>The file is read as hostile: every length is checked against its container, nodes and names are bounded,
 * and anything that does not parse is an {@link IOException} naming what broke.
 */
public final class ModelIndex implements AutoCloseable {
    private static final int MODEL_GRAPH = 7;
    private static final int GRAPH_NODE = 1;
    private static final int GRAPH_INITIALIZER = 5;
    private static final int GRAPH_INPUT = 11;
    private static final int GRAPH_OUTPUT = 12;
    private static final int NODE_INPUT = 1;
    private static final int NODE_OUTPUT = 2;
    private static final int NODE_NAME = 3;
    private static final int NODE_OP_TYPE = 4;
    private static final int NODE_ATTRIBUTE = 5;
    private static final int NODE_DOMAIN = 7;
    private static final int TENSOR_DIMS = 1;
    private static final int TENSOR_DATA_TYPE = 2;
    private static final int TENSOR_NAME = 8;
    private static final int TENSOR_RAW_DATA = 9;
    private static final int TENSOR_EXTERNAL_DATA = 13;
    private static final int TENSOR_DATA_LOCATION = 14;
    /** Initializers of at least this many bytes of raw data are referenced, not copied. */
    public static final long REFERENCE_BYTES = 1024;
    private static final long MAX_NODE_BYTES = 16L << 20;
    private static final long MAX_TENSOR_HEADER_BYTES = 1L << 20;
    private static final int MAX_NODES = 4_000_000;
    private static final int MAX_NAME = 64 * 1024;
    private static final int MAX_DIMS = 16;

    /**
     * A node: its name, op type, domain ("" for ONNX's own), inputs and outputs ("" for a left-out optional one),
     * and its AttributeProtos as bytes.
     */
    public record Node(String name, String opType, String domain, List<String> inputs, List<String> outputs,
            List<byte[]> attributes) {
        /** This node's attributes but {@code left}, then {@code added} (AttributeProto bytes). */
        public List<byte[]> attributesWith(String left, byte[]... added) {
            List<byte[]> out = new ArrayList<>();
            for (byte[] a : attributes) {
                if (!left.equals(attributeName(a))) {
                    out.add(a);
                }
            }
            out.addAll(List.of(added));
            return out;
        }

        /** Whether this is {@code op} of ONNX ("Add") or of ONNX Runtime's contrib domain ("com.microsoft:MatMulNBits"). */
        public boolean is(String op) {
            int colon = op.indexOf(':');
            String d = colon < 0 ? "" : op.substring(0, colon);
            return opType.equals(op.substring(colon + 1)) && (domain.equals(d) || d.isEmpty() && domain.equals("ai.onnx"));
        }
    }

    /** The name of an AttributeProto given as bytes ("" when it has none or does not parse). */
    public static String attributeName(byte[] attribute) {
        try {
            ProtoReader r = new ProtoReader(attribute);
            while (r.position() < attribute.length) {
                long tag = r.varint();
                if ((tag >>> 3) == 1 && (tag & 7) == 2) {
                    int length = (int) r.length(attribute.length);
                    return new String(attribute, (int) r.position(), length, StandardCharsets.UTF_8);
                }
                r.skipField((int) (tag & 7), attribute.length);
            }
        } catch (IOException e) {
            return "";
        }
        return "";
    }

    /** An integer AttributeProto as bytes. */
    public static byte[] intAttribute(String name, long value) {
        return new Proto().string(1, name).int64(3, value).int64(20, 2).toByteArray();
    }

    /**
     * An initializer: name, ONNX data type, shape, and its TensorProto's bytes at [start, end) of the file.
     */
    public record Tensor(String name, int dataType, long[] dims, long start, long end) {}

    private final Path file;
    private final FileChannel channel;
    private final List<Node> nodes = new ArrayList<>();
    private final Map<String, Tensor> initializers = new LinkedHashMap<>();
    private final Map<String, Integer> inputs = new LinkedHashMap<>();
    private final Map<String, Integer> outputs = new LinkedHashMap<>();

    private ModelIndex(Path file, FileChannel channel) {
        this.file = file;
        this.channel = channel;
    }

    /** Reads the graph of {@code file}. */
    public static ModelIndex read(Path file) throws IOException {
        FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
        ModelIndex index = new ModelIndex(file, channel);
        try {
            index.readModel();
            return index;
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    public List<Node> nodes() {
        return Collections.unmodifiableList(nodes);
    }

    public Map<String, Tensor> initializers() {
        return Collections.unmodifiableMap(initializers);
    }

    /** The graph's inputs (initializers excluded) with their element types (0 when not given). */
    public Map<String, Integer> inputs() {
        Map<String, Integer> real = new LinkedHashMap<>(inputs);
        real.keySet().removeAll(initializers.keySet());
        return Collections.unmodifiableMap(real);
    }

    /** The graph's outputs with their element types (0 when not given). */
    public Map<String, Integer> outputs() {
        return Collections.unmodifiableMap(outputs);
    }

    private void readModel() throws IOException {
        ProtoReader r = new ProtoReader(channel);
        long size = channel.size();
        while (r.position() < size) {
            long tag = r.varint();
            int field = (int) (tag >>> 3);
            int wire = (int) (tag & 7);
            if (field == MODEL_GRAPH && wire == 2) {
                long length = r.length(size);
                long start = r.position();
                readGraph(r, start, start + length);
                return;
            }
            r.skipField(wire, size);
        }
        throw new IOException(file + " is not an ONNX model: it has no graph");
    }

    private void readGraph(ProtoReader r, long start, long end) throws IOException {
        r.seek(start);
        while (r.position() < end) {
            long tag = r.varint();
            int field = (int) (tag >>> 3);
            int wire = (int) (tag & 7);
            if (wire != 2 || field != GRAPH_NODE && field != GRAPH_INITIALIZER && field != GRAPH_INPUT && field != GRAPH_OUTPUT) {
                r.skipField(wire, end);
                continue;
            }
            long length = r.length(end);
            long at = r.position();
            if (field == GRAPH_INITIALIZER) {
                Tensor t = readTensor(r, at, at + length);
                initializers.put(t.name(), t);
            } else {
                if (length > MAX_NODE_BYTES) {
                    throw new IOException("a graph entry of " + length + " bytes is not a node or a value");
                }
                byte[] bytes = bytes(at, (int) length);
                if (field == GRAPH_NODE) {
                    if (nodes.size() >= MAX_NODES) {
                        throw new IOException("the graph has more than " + MAX_NODES + " nodes");
                    }
                    nodes.add(readNode(bytes));
                } else {
                    String[] value = readValueInfo(bytes);
                    (field == GRAPH_INPUT ? inputs : outputs).put(value[0], Integer.parseInt(value[1]));
                }
            }
            r.seek(at + length);
        }
        if (r.position() != end) {
            throw new IOException("the graph's last field runs past its end");
        }
    }

    private byte[] bytes(long at, int length) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(length);
        while (b.hasRemaining()) {
            if (channel.read(b, at + b.position()) < 0) {
                throw new IOException(file + " ends early");
            }
        }
        return b.array();
    }

    private static String string(ProtoReader r, byte[] bytes) throws IOException {
        long length = r.length(bytes.length);
        if (length > MAX_NAME) {
            throw new IOException("a name of " + length + " bytes");
        }
        String s = new String(bytes, (int) r.position(), (int) length, StandardCharsets.UTF_8);
        r.seek(r.position() + length);
        return s;
    }

    /** A NodeProto's fields, from its bytes. */
    public static Node readNode(byte[] bytes) throws IOException {
        ProtoReader r = new ProtoReader(bytes);
        String name = "";
        String op = "";
        String domain = "";
        List<String> in = new ArrayList<>();
        List<String> out = new ArrayList<>();
        List<byte[]> attributes = new ArrayList<>();
        while (r.position() < bytes.length) {
            long tag = r.varint();
            int field = (int) (tag >>> 3);
            int wire = (int) (tag & 7);
            if (wire == 2 && field == NODE_ATTRIBUTE) {
                long length = r.length(bytes.length);
                int from = (int) r.position();
                attributes.add(java.util.Arrays.copyOfRange(bytes, from, from + (int) length));
                r.seek(from + length);
            } else if (wire == 2 && (field == NODE_INPUT || field == NODE_OUTPUT || field == NODE_NAME
                    || field == NODE_OP_TYPE || field == NODE_DOMAIN)) {
                String s = string(r, bytes);
                switch (field) {
                    case NODE_INPUT -> in.add(s);
                    case NODE_OUTPUT -> out.add(s);
                    case NODE_NAME -> name = s;
                    case NODE_OP_TYPE -> op = s;
                    default -> domain = s;
                }
            } else {
                r.skipField(wire, bytes.length);
            }
        }
        return new Node(name, op, domain, List.copyOf(in), List.copyOf(out), List.copyOf(attributes));
    }

    /** {name, element type} of a ValueInfoProto (type 0 when it has none). */
    private static String[] readValueInfo(byte[] bytes) throws IOException {
        ProtoReader r = new ProtoReader(bytes);
        String name = "";
        long elemType = 0;
        while (r.position() < bytes.length) {
            long tag = r.varint();
            int field = (int) (tag >>> 3);
            int wire = (int) (tag & 7);
            if (field == 1 && wire == 2) {
                name = string(r, bytes);
            } else if (field == 2 && wire == 2) {
                // TypeProto.tensor_type (1) -> TypeProto.Tensor.elem_type (1)
                long typeEnd = r.length(bytes.length) + r.position();
                while (r.position() < typeEnd) {
                    long t = r.varint();
                    if ((t >>> 3) == 1 && (t & 7) == 2) {
                        long tensorEnd = r.length(typeEnd) + r.position();
                        while (r.position() < tensorEnd) {
                            long u = r.varint();
                            if ((u >>> 3) == 1 && (u & 7) == 0) {
                                elemType = r.varint();
                            } else {
                                r.skipField((int) (u & 7), tensorEnd);
                            }
                        }
                    } else {
                        r.skipField((int) (t & 7), typeEnd);
                    }
                }
            } else {
                r.skipField(wire, bytes.length);
            }
        }
        return new String[] {name, Long.toString(elemType)};
    }

    /** Reads a TensorProto's name, type and dims, skipping its data. */
    private Tensor readTensor(ProtoReader r, long start, long end) throws IOException {
        r.seek(start);
        String name = null;
        int type = 0;
        List<Long> dims = new ArrayList<>();
        while (r.position() < end) {
            long tag = r.varint();
            int field = (int) (tag >>> 3);
            int wire = (int) (tag & 7);
            if (field == TENSOR_DIMS && wire == 0) {
                dims.add(r.varint());
            } else if (field == TENSOR_DIMS && wire == 2) {
                long packedEnd = r.length(end) + r.position();
                while (r.position() < packedEnd) {
                    dims.add(r.varint());
                }
            } else if (field == TENSOR_DATA_TYPE && wire == 0) {
                type = (int) r.varint();
            } else if (field == TENSOR_NAME && wire == 2) {
                long length = r.length(end);
                if (length > MAX_NAME) {
                    throw new IOException("an initializer's name of " + length + " bytes");
                }
                name = new String(bytes(r.position(), (int) length), StandardCharsets.UTF_8);
                r.seek(r.position() + length);
            } else {
                r.skipField(wire, end);
            }
            if (dims.size() > MAX_DIMS) {
                throw new IOException("an initializer with more than " + MAX_DIMS + " dimensions");
            }
        }
        if (name == null) {
            throw new IOException("an initializer without a name");
        }
        long[] d = dims.stream().mapToLong(Long::longValue).toArray();
        for (long x : d) {
            if (x < 0) {
                throw new IOException("initializer " + name + " has a negative dimension");
            }
        }
        return new Tensor(name, type, d, start, end);
    }

    /**
     * The TensorProto of {@code t} as bytes for another graph in the same folder: as it is, or, with
     * {@code reference} and raw data of {@link #REFERENCE_BYTES} or more, with its data left in this file and
     * referenced there as external data (so a rewritten graph takes kilobytes and this file must stay beside it).
     */
    public byte[] tensorProto(Tensor t, boolean reference) throws IOException {
        if (reference) {
            byte[] referenced = referenced(new ProtoReader(channel), channel, t.start(), t.end(), file.getFileName().toString());
            if (referenced != null) {
                return referenced;
            }
        }
        if (t.end() - t.start() > Integer.MAX_VALUE - 16) {
            throw new IOException("initializer " + t.name() + " is too large to copy");
        }
        return bytes(t.start(), (int) (t.end() - t.start()));
    }

    /**
     * The TensorProto at [start, end) of {@code in} with its raw_data replaced by a reference to those bytes in
     * {@code location} (external data at their offset); null when it has no raw_data of {@link #REFERENCE_BYTES} or
     * more or is external already (it is then taken as it is).
     */
    public static byte[] referenced(ProtoReader r, FileChannel in, long start, long end, String location) throws IOException {
        r.seek(start);
        ByteArrayOutputStream header = new ByteArrayOutputStream();
        long rawOffset = -1;
        long rawLength = 0;
        while (r.position() < end) {
            long fieldStart = r.position();
            long tag = r.varint();
            int field = (int) (tag >>> 3);
            int wire = (int) (tag & 7);
            if (field == TENSOR_RAW_DATA && wire == 2) {
                rawLength = r.length(end);
                rawOffset = r.position();
                r.seek(rawOffset + rawLength);
                continue;
            }
            if (field == TENSOR_EXTERNAL_DATA || field == TENSOR_DATA_LOCATION) {
                return null;
            }
            r.skipField(wire, end);
            long n = r.position() - fieldStart;
            if (header.size() + n > MAX_TENSOR_HEADER_BYTES) {
                return null; // float_data and the like: taken as they are
            }
            ByteBuffer b = ByteBuffer.allocate((int) n);
            while (b.hasRemaining()) {
                if (in.read(b, fieldStart + b.position()) < 0) {
                    throw new IOException("the graph file ends early");
                }
            }
            header.writeBytes(b.array());
        }
        if (rawOffset < 0 || rawLength < REFERENCE_BYTES) {
            return null;
        }
        header.writeBytes(entry("location", location));
        header.writeBytes(entry("offset", Long.toString(rawOffset)));
        header.writeBytes(entry("length", Long.toString(rawLength)));
        header.writeBytes(new Proto().int64(TENSOR_DATA_LOCATION, 1).toByteArray()); // EXTERNAL
        return header.toByteArray();
    }

    /** A TensorProto external_data entry (StringStringEntryProto: key 1, value 2). */
    private static byte[] entry(String key, String value) {
        return new Proto().message(TENSOR_EXTERNAL_DATA, new Proto().string(1, key).string(2, value)).toByteArray();
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
