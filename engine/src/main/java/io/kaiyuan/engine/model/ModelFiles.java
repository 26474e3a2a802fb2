package io.kaiyuan.engine.model;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.kaiyuan.engine.api.ModelLoadException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The files a model folder is made of, and checks that they are what their names say before the folder is
 * registered: tokenizer.json is complete JSON, each ONNX graph starts as an ONNX model does. A folder's other
 * files (notes, images, links to elsewhere) are not the model's and are never copied or listed.
 */
public final class ModelFiles {
    /** The model's own files at the top of its folder (as the installer fetches them). */
    public static final Set<String> TOP = Set.of("config.json", "generation_config.json", "tokenizer.json",
            "tokenizer_config.json", "special_tokens_map.json", "chat_template.jinja");
    /** A graph's header is read this far at most. */
    private static final int HEADER_FIELDS = 64;

    private ModelFiles() {}

    /**
     * The model's own files in its folder: the top files present and each present variant's graph with its data
     * (for an ONNX Runtime GenAI folder, genai_config.json and the graph it names with its data).
     */
    public static List<Path> own(ModelFolder model) throws IOException {
        Path folder = model.dir();
        List<Variant> variants = model.variants();
        List<Path> out = new ArrayList<>();
        for (String name : TOP.stream().sorted().toList()) {
            Path f = folder.resolve(name);
            if (Files.isRegularFile(f)) {
                out.add(f);
            }
        }
        if (model.isGenAi()) {
            out.add(folder.resolve(GenAiConfig.FILE));
            Path graph = model.graphFile(Variant.GENAI);
            String name = graph.getFileName().toString();
            try (var list = Files.list(folder)) {
                list.filter(Files::isRegularFile).sorted().filter(f -> {
                    String n = f.getFileName().toString();
                    return n.equals(name) || n.startsWith(name + ".data") || n.startsWith(name + "_data");
                }).forEach(out::add);
            }
            return out;
        }
        Path onnx = folder.resolve("onnx");
        List<Path> graphs;
        try (var list = Files.list(onnx)) {
            graphs = list.filter(Files::isRegularFile).sorted().toList();
        }
        for (Path g : graphs) {
            String name = g.getFileName().toString();
            if (variants.stream().anyMatch(v -> name.equals(v.fileName()) || name.startsWith(v.fileName() + "_data"))) {
                out.add(g);
            }
        }
        return out;
    }

    /**
     * Checks what a folder's files hold: tokenizer.json complete JSON, each variant's graph an ONNX model
     * and its data files not empty. Throws {@link ModelLoadException} naming the file.
     */
    public static void check(ModelFolder model) {
        checkJson(model.dir().resolve("tokenizer.json"));
        for (Variant v : model.variants()) {
            checkGraph(model.graphFile(v));
        }
    }

    /** Reads {@code file} through as JSON, so a truncated or garbled one is named now rather than at load. */
    static void checkJson(Path file) {
        try (JsonParser p = new JsonFactory().createParser(file.toFile())) {
            JsonToken first = p.nextToken();
            if (first != JsonToken.START_OBJECT) {
                throw new ModelLoadException(file + " is not a JSON object: download it again from the model's repository.");
            }
            p.skipChildren();
            if (p.nextToken() != null) {
                throw new ModelLoadException(file + " has more after its JSON object: download it again.");
            }
        } catch (IOException e) {
            String why = e instanceof com.fasterxml.jackson.core.JsonProcessingException j ? j.getOriginalMessage() : e.getMessage();
            throw new ModelLoadException(file + " is not complete JSON (" + why + "): download it again"
                    + " from the model's repository.", e);
        }
    }

    /**
     * Reads the start of an ONNX graph as the protobuf ModelProto it must be: fields with valid wire types
     * and lengths that fit the file, an ir_version (field 1), up to the graph (field 7).
     */
    static void checkGraph(Path graph) {
        String bad = graph + " is not an ONNX model";
        try (FileChannel ch = FileChannel.open(graph, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size == 0) {
                throw new ModelLoadException(graph + " is empty: download the model again.");
            }
            Reader r = new Reader(ch, size);
            boolean irVersion = false;
            for (int i = 0; i < HEADER_FIELDS && r.position() < size; i++) {
                long tag = r.varint();
                int field = (int) (tag >>> 3);
                int wire = (int) (tag & 7);
                if (field < 1 || field > 100) {
                    throw new ModelLoadException(bad + " (field " + field + " at byte " + r.position() + "): download it again.");
                }
                switch (wire) {
                    case 0 -> {
                        r.varint();
                        irVersion |= field == 1;
                    }
                    case 1 -> r.skip(8);
                    case 5 -> r.skip(4);
                    case 2 -> {
                        long length = r.varint();
                        if (length < 0 || length > size - r.position()) {
                            throw new ModelLoadException(bad + " (a field runs past its end): download it again.");
                        }
                        if (field == 7) {
                            if (!irVersion) {
                                throw new ModelLoadException(bad + " (no ir_version before its graph): download it again.");
                            }
                            return;
                        }
                        r.skip(length);
                    }
                    default -> throw new ModelLoadException(bad + " (wire type " + wire + "): download it again.");
                }
            }
            throw new ModelLoadException(bad + " (no graph in its first fields): download it again.");
        } catch (Malformed e) {
            throw new ModelLoadException(bad + " (" + e.getMessage() + "): download it again.", e);
        } catch (IOException e) {
            throw new ModelLoadException(graph + " cannot be read: " + e.getMessage(), e);
        }
    }

    /** The graph is not what an ONNX model's start is. */
    private static final class Malformed extends IOException {
        Malformed(String message) {
            super(message);
        }
    }

    /** Protobuf varints and skips over a file, without reading what is skipped. */
    private static final class Reader {
        private final FileChannel ch;
        private final long size;
        private long pos;
        private final ByteBuffer one = ByteBuffer.allocate(1);

        Reader(FileChannel ch, long size) {
            this.ch = ch;
            this.size = size;
        }

        long position() {
            return pos;
        }

        long varint() throws IOException {
            long value = 0;
            for (int shift = 0; shift < 64; shift += 7) {
                if (pos >= size) {
                    throw new Malformed("it ends inside a field");
                }
                one.clear();
                if (ch.read(one, pos) != 1) {
                    throw new IOException("short read");
                }
                pos++;
                int b = one.get(0) & 0xff;
                value |= (long) (b & 0x7f) << shift;
                if ((b & 0x80) == 0) {
                    return value;
                }
            }
            throw new Malformed("a number longer than 10 bytes");
        }

        void skip(long n) throws Malformed {
            if (n > size - pos) {
                throw new Malformed("a field runs past its end");
            }
            pos += n;
        }
    }
}
