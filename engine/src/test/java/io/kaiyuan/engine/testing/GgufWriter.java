package io.kaiyuan.engine.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes a Qwen2-shaped test model as a GGUF file (version 3) that llama.cpp loads, for running the same weights
 * in llama.cpp and in Kaiyuan: the 4-bit linear layers as Q4_0 (the same blocks, {@link Q4#q4_0()}), the
 * embedding and norms as F32, and the Qwen tokenizer from tokenizer.json (byte-level BPE: tokens, types and
 * merges; ids the model has beyond the tokenizer's as padding), as llama.cpp's converter lays them out.
 */
public final class GgufWriter {
    private static final int ALIGNMENT = 32;
    private static final int TYPE_UINT32 = 4;
    private static final int TYPE_INT32 = 5;
    private static final int TYPE_FLOAT32 = 6;
    private static final int TYPE_BOOL = 7;
    private static final int TYPE_STRING = 8;
    private static final int TYPE_ARRAY = 9;
    private static final int GGML_F32 = 0;
    private static final int GGML_Q4_0 = 2;
    /** llama.cpp's token types. */
    private static final int NORMAL = 1;
    private static final int CONTROL = 3;
    private static final int USER_DEFINED = 4;
    private static final int UNUSED = 5;

    private record Tensor(String name, long[] ne, int type, byte[] data) {}

    private GgufWriter() {}

    /**
     * Writes {@code spec}'s weights (with {@link TinyQwen.Quant#Q4} or {@link TinyQwen.Quant#Q4_AS_FLOAT}) to
     * {@code file}, the tokenizer read from {@code tokenizerDir}.
     */
    public static void write(TinyQwen.Spec spec, List<TinyQwen.Weight> weights, Path tokenizerDir, Path file, int eos)
            throws IOException {
        if (spec.qwen3() || spec.glm() || spec.quant() == TinyQwen.Quant.FLOAT) {
            throw new IllegalArgumentException("GGUF is written for Qwen2-shaped models in 4-bit blocks");
        }
        Map<String, TinyQwen.Weight> byName = new HashMap<>();
        weights.forEach(w -> byName.put(w.name(), w));
        List<Tensor> tensors = new ArrayList<>();
        tensors.add(f32("token_embd.weight", byName.get("embed_tokens")));
        for (int l = 0; l < spec.layers(); l++) {
            String p = "layers." + l + ".";
            String b = "blk." + l + ".";
            tensors.add(f32(b + "attn_norm.weight", byName.get(p + "input_layernorm.weight")));
            for (String[] pair : new String[][] {{"q_proj", "attn_q"}, {"k_proj", "attn_k"}, {"v_proj", "attn_v"}}) {
                tensors.add(q4(b + pair[1] + ".weight", byName.get(p + pair[0] + ".weight")));
                tensors.add(f32(b + pair[1] + ".bias", byName.get(p + pair[0] + ".bias")));
            }
            tensors.add(q4(b + "attn_output.weight", byName.get(p + "o_proj.weight")));
            tensors.add(f32(b + "ffn_norm.weight", byName.get(p + "post_attention_layernorm.weight")));
            tensors.add(q4(b + "ffn_gate.weight", byName.get(p + "gate_proj.weight")));
            tensors.add(q4(b + "ffn_up.weight", byName.get(p + "up_proj.weight")));
            tensors.add(q4(b + "ffn_down.weight", byName.get(p + "down_proj.weight")));
        }
        tensors.add(f32("output_norm.weight", byName.get("norm.weight")));
        tensors.add(q4("output.weight", byName.get("lm_head")));

        Map<String, Object> kv = new LinkedHashMap<>();
        kv.put("general.architecture", "qwen2");
        kv.put("general.name", "kaiyuan-bench-" + spec.layers() + "x" + spec.hidden());
        kv.put("general.file_type", 2); // all linear layers Q4_0
        kv.put("qwen2.block_count", spec.layers());
        kv.put("qwen2.context_length", spec.maxPositions());
        kv.put("qwen2.embedding_length", spec.hidden());
        kv.put("qwen2.feed_forward_length", spec.intermediate());
        kv.put("qwen2.attention.head_count", spec.heads());
        kv.put("qwen2.attention.head_count_kv", spec.kvHeads());
        kv.put("qwen2.rope.freq_base", 10000f);
        kv.put("qwen2.attention.layer_norm_rms_epsilon", 1e-6f);
        tokenizer(kv, tokenizerDir, spec.vocab(), eos);

        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 20)) {
            Sink s = new Sink(out);
            s.bytes("GGUF".getBytes(StandardCharsets.US_ASCII));
            s.u32(3);
            s.u64(tensors.size());
            s.u64(kv.size());
            for (Map.Entry<String, Object> e : kv.entrySet()) {
                s.string(e.getKey());
                s.value(e.getValue());
            }
            long offset = 0;
            for (Tensor t : tensors) {
                s.string(t.name());
                s.u32(t.ne().length);
                for (long d : t.ne()) {
                    s.u64(d);
                }
                s.u32(t.type());
                s.u64(offset);
                offset = align(offset + t.data().length);
            }
            s.pad();
            for (Tensor t : tensors) {
                s.bytes(t.data());
                s.pad();
            }
        }
    }

    private static Tensor f32(String name, TinyQwen.Weight w) {
        if (w == null) {
            throw new IllegalArgumentException("no weight for " + name);
        }
        ByteBuffer b = ByteBuffer.allocate(w.values().length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : w.values()) {
            b.putFloat(v);
        }
        // a vector is one dimension; a matrix [rows, cols] is ne = [cols, rows]
        long[] ne = w.rows() == 1 ? new long[] {w.cols()} : new long[] {w.cols(), w.rows()};
        return new Tensor(name, ne, GGML_F32, b.array());
    }

    private static Tensor q4(String name, TinyQwen.Weight w) {
        if (w == null || w.q4() == null) {
            throw new IllegalArgumentException("no 4-bit weight for " + name);
        }
        // a linear layer [in, out]: a row per output of in values
        return new Tensor(name, new long[] {w.rows(), w.cols()}, GGML_Q4_0, w.q4().q4_0());
    }

    /** The Qwen tokenizer as llama.cpp's converter writes a byte-level BPE vocabulary. */
    private static void tokenizer(Map<String, Object> kv, Path dir, int vocabSize, int eos) throws IOException {
        JsonNode json = new ObjectMapper().readTree(dir.resolve("tokenizer.json").toFile());
        String[] tokens = new String[vocabSize];
        int[] types = new int[vocabSize];
        json.path("model").path("vocab").fields().forEachRemaining(e -> {
            int id = e.getValue().asInt();
            if (id < vocabSize) {
                tokens[id] = e.getKey();
                types[id] = NORMAL;
            }
        });
        for (JsonNode added : json.path("added_tokens")) {
            int id = added.path("id").asInt();
            if (id < vocabSize) {
                tokens[id] = added.path("content").asText();
                types[id] = added.path("special").asBoolean() ? CONTROL : USER_DEFINED;
            }
        }
        for (int i = 0; i < vocabSize; i++) {
            if (tokens[i] == null) {
                tokens[i] = "[PAD" + i + "]";
                types[i] = UNUSED;
            }
        }
        List<String> merges = new ArrayList<>();
        for (JsonNode m : json.path("model").path("merges")) {
            merges.add(m.isArray() ? m.get(0).asText() + " " + m.get(1).asText() : m.asText());
        }
        kv.put("tokenizer.ggml.model", "gpt2");
        kv.put("tokenizer.ggml.pre", "qwen2");
        kv.put("tokenizer.ggml.tokens", tokens);
        kv.put("tokenizer.ggml.token_type", types);
        kv.put("tokenizer.ggml.merges", merges.toArray(new String[0]));
        kv.put("tokenizer.ggml.eos_token_id", eos);
        kv.put("tokenizer.ggml.padding_token_id", 151643);
        kv.put("tokenizer.ggml.bos_token_id", 151643);
        kv.put("tokenizer.ggml.add_bos_token", false);
    }

    private static long align(long n) {
        return (n + ALIGNMENT - 1) / ALIGNMENT * ALIGNMENT;
    }

    /** Little-endian GGUF values onto a stream, counting bytes for the alignment padding. */
    private static final class Sink {
        private final OutputStream out;
        private long written;
        private final ByteBuffer eight = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);

        Sink(OutputStream out) {
            this.out = out;
        }

        void bytes(byte[] b) throws IOException {
            out.write(b);
            written += b.length;
        }

        void u32(long v) throws IOException {
            eight.clear();
            eight.putInt((int) v);
            out.write(eight.array(), 0, 4);
            written += 4;
        }

        void u64(long v) throws IOException {
            eight.clear();
            eight.putLong(v);
            out.write(eight.array(), 0, 8);
            written += 8;
        }

        void f32(float v) throws IOException {
            u32(Float.floatToRawIntBits(v) & 0xffffffffL);
        }

        void string(String s) throws IOException {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            u64(b.length);
            bytes(b);
        }

        void pad() throws IOException {
            while (written % ALIGNMENT != 0) {
                out.write(0);
                written++;
            }
        }

        void value(Object v) throws IOException {
            if (v instanceof String s) {
                u32(TYPE_STRING);
                string(s);
            } else if (v instanceof Integer i) {
                u32(TYPE_UINT32);
                u32(i);
            } else if (v instanceof Float f) {
                u32(TYPE_FLOAT32);
                f32(f);
            } else if (v instanceof Boolean b) {
                u32(TYPE_BOOL);
                out.write(b ? 1 : 0);
                written++;
            } else if (v instanceof String[] a) {
                u32(TYPE_ARRAY);
                u32(TYPE_STRING);
                u64(a.length);
                for (String s : a) {
                    string(s);
                }
            } else if (v instanceof int[] a) {
                u32(TYPE_ARRAY);
                u32(TYPE_INT32);
                u64(a.length);
                for (int i : a) {
                    u32(i & 0xffffffffL);
                }
            } else {
                throw new IllegalArgumentException("GGUF value " + v);
            }
        }
    }
}
