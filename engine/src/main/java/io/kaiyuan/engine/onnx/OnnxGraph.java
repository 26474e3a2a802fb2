package io.kaiyuan.engine.onnx;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds an ONNX graph (opset 17, and ONNX Runtime's com.microsoft contrib ops) node by node and writes it
 * as a model file, with initializers either inline or in an external data file beside the graph, as Optimum
 * and the ONNX Runtime GenAI builder export large models. Initializers and nodes of another model file can be
 * taken over as they are ({@link #tensor(String, byte[])}, {@link #node(String, String, String[], String[], List)}).
 */
public final class OnnxGraph {
    public static final int FLOAT = 1;
    public static final int UINT8 = 2;
    public static final int INT32 = 6;
    public static final int INT64 = 7;
    public static final int BOOL = 9;
    public static final int FLOAT16 = 10;

    /** An initializer: raw little-endian bytes, or (dataType 0) a whole TensorProto taken over as it is. */
    private record Initializer(String name, int dataType, long[] dims, byte[] raw) {}

    private final List<Proto> nodes = new ArrayList<>();
    private final List<Initializer> initializers = new ArrayList<>();
    private final List<Proto> inputs = new ArrayList<>();
    private final List<Proto> outputs = new ArrayList<>();
    private int counter;
    private String scope;
    private String producer = "kaiyuan";

    /**
     * Names the nodes added from now on as PyTorch's exporter does, {@code <scope>/<Op>} (then {@code _1}, ...,
     * within the scope); null goes back to names made from the first output.
     */
    public void scope(String scope) {
        this.scope = scope;
    }

    /** The scope nodes are named in now, or null. */
    public String scope() {
        return scope;
    }

    /** The producer_name written into the model. */
    public void producer(String name) {
        this.producer = name;
    }

    /** A fresh intermediate name. */
    public String fresh(String hint) {
        return hint + "_" + (counter++);
    }

    /** Declares a graph input; each dim is a Long (fixed) or a String (symbolic). */
    public void input(String name, int elemType, Object... dims) {
        inputs.add(valueInfo(name, elemType, dims));
    }

    public void output(String name, int elemType, Object... dims) {
        outputs.add(valueInfo(name, elemType, dims));
    }

    private static Proto valueInfo(String name, int elemType, Object... dims) {
        Proto shape = new Proto();
        for (Object d : dims) {
            Proto dim = new Proto();
            if (d instanceof String s) {
                dim.string(2, s);
            } else {
                dim.int64(1, ((Number) d).longValue());
            }
            shape.message(1, dim);
        }
        Proto tensorType = new Proto().int64(1, elemType).message(2, shape);
        Proto type = new Proto().message(1, tensorType);
        return new Proto().string(1, name).message(2, type);
    }

    public String floats(String name, long[] dims, float[] values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            b.putFloat(v);
        }
        initializers.add(new Initializer(name, FLOAT, dims, b.array()));
        return name;
    }

    /** An initializer of raw little-endian bytes of {@code dataType}. */
    public String raw(String name, int dataType, long[] dims, byte[] bytes) {
        initializers.add(new Initializer(name, dataType, dims, bytes));
        return name;
    }

    public String longs(String name, long... values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (long v : values) {
            b.putLong(v);
        }
        initializers.add(new Initializer(name, INT64, new long[] {values.length}, b.array()));
        return name;
    }

    public String scalarFloat(String name, float value) {
        ByteBuffer b = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putFloat(value);
        initializers.add(new Initializer(name, FLOAT, new long[0], b.array()));
        return name;
    }

    public String scalarLong(String name, long value) {
        ByteBuffer b = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(value);
        initializers.add(new Initializer(name, INT64, new long[0], b.array()));
        return name;
    }

    /** An initializer taken over from another model file: its TensorProto's bytes, name included. */
    public String tensor(String name, byte[] tensorProto) {
        initializers.add(new Initializer(name, 0, new long[0], tensorProto));
        return name;
    }

    /**
     * A node taken over from another model: its op type and domain ("" for ONNX's own), the inputs and outputs it
     * has here, and its AttributeProtos' bytes as they are.
     */
    public String[] node(String opType, String domain, String[] in, String[] out, List<byte[]> attributes) {
        Proto node = new Proto();
        for (String i : in) {
            node.string(1, i);
        }
        for (String o : out) {
            node.string(2, o);
        }
        node.string(3, nodeName(opType, out)).string(4, opType);
        if (!domain.isEmpty()) {
            node.string(7, domain);
        }
        for (byte[] a : attributes) {
            node.bytes(5, a);
        }
        nodes.add(node);
        return out;
    }

    private final java.util.Map<String, Integer> scopeNames = new java.util.HashMap<>();

    private String nodeName(String opType, String[] out) {
        if (scope == null) {
            return out[0] + "_node";
        }
        String base = scope + "/" + opType;
        int n = scopeNames.merge(base, 1, Integer::sum);
        return n == 1 ? base : base + "_" + (n - 1);
    }

    /**
     * Adds a node with the given outputs (an empty name leaves an optional output out); attributes are
     * name/value pairs (Long, Float, long[], Integer as type). An op written {@code com.microsoft:Name} is
     * ONNX Runtime's contrib op.
     */
    public String[] node(String op, String[] in, String[] out, Object... attributes) {
        Proto node = new Proto();
        for (String i : in) {
            node.string(1, i);
        }
        for (String o : out) {
            node.string(2, o);
        }
        int colon = op.indexOf(':');
        node.string(3, nodeName(op.substring(colon + 1), out)).string(4, op.substring(colon + 1));
        if (colon > 0) {
            node.string(7, op.substring(0, colon));
        }
        for (int a = 0; a < attributes.length; a += 2) {
            Proto attr = new Proto().string(1, (String) attributes[a]);
            Object v = attributes[a + 1];
            if (v instanceof Float f) {
                attr.float32(2, f).int64(20, 1);
            } else if (v instanceof Long l) {
                attr.int64(3, l).int64(20, 2);
            } else if (v instanceof Integer i) {
                attr.int64(3, i).int64(20, 2);
            } else if (v instanceof long[] ls) {
                for (long l : ls) {
                    attr.int64(8, l);
                }
                attr.int64(20, 7);
            } else {
                throw new IllegalArgumentException("attribute type " + v.getClass());
            }
            node.message(5, attr);
        }
        nodes.add(node);
        return out;
    }

    /** A node with one output named after the op. */
    public String op(String op, String[] in, Object... attributes) {
        return node(op, in, new String[] {fresh(op.substring(op.indexOf(':') + 1).toLowerCase(java.util.Locale.ROOT))}, attributes)[0];
    }

    /** A node without attributes. */
    public String op(String op, String... in) {
        return node(op, in, new String[] {fresh(op.substring(op.indexOf(':') + 1).toLowerCase(java.util.Locale.ROOT))})[0];
    }

    /**
     * Writes the model to {@code graphFile}; with {@code externalData}, initializers larger than 1 KiB go
     * to {@code graphFile + "_data"} as Optimum does.
     */
    public void write(Path graphFile, boolean externalData) throws IOException {
        write(graphFile, externalData, graphFile.getFileName() + "_data");
    }

    /** As {@link #write(Path, boolean)}, the external data going to {@code dataName} beside the graph. */
    public void write(Path graphFile, boolean externalData, String dataName) throws IOException {
        Proto graph = new Proto();
        for (Proto n : nodes) {
            graph.message(1, n);
        }
        graph.string(2, "tiny_qwen");
        long offset = 0;
        try (OutputStream data = externalData ? Files.newOutputStream(graphFile.resolveSibling(dataName)) : null) {
            for (Initializer init : initializers) {
                if (init.dataType() == 0) {
                    graph.bytes(5, init.raw());
                    continue;
                }
                Proto t = new Proto();
                for (long d : init.dims()) {
                    t.int64(1, d);
                }
                t.int64(2, init.dataType()).string(8, init.name());
                if (data != null && init.raw().length > 1024) {
                    data.write(init.raw());
                    t.message(13, new Proto().string(1, "location").string(2, dataName));
                    t.message(13, new Proto().string(1, "offset").string(2, Long.toString(offset)));
                    t.message(13, new Proto().string(1, "length").string(2, Integer.toString(init.raw().length)));
                    t.int64(14, 1);
                    offset += init.raw().length;
                } else {
                    t.bytes(9, init.raw());
                }
                graph.message(5, t);
            }
        }
        for (Proto i : inputs) {
            graph.message(11, i);
        }
        for (Proto o : outputs) {
            graph.message(12, o);
        }
        Proto model = new Proto()
                .int64(1, 8)
                .string(2, producer)
                .message(7, graph)
                .message(8, new Proto().string(1, "").int64(2, 17))
                .message(8, new Proto().string(1, "com.microsoft").int64(2, 1));
        Path temp = graphFile.resolveSibling(graphFile.getFileName() + ".partial");
        Files.write(temp, model.toByteArray());
        Files.move(temp, graphFile, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }
}
