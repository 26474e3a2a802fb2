package io.kaiyuan.engine.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kaiyuan.engine.api.ModelLoadException;
import io.kaiyuan.engine.testing.TinyQwen;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An ONNX Runtime GenAI folder as a model folder: what genai_config.json gives, and what it may not. */
class GenAiFolderTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    private Path folder(TinyQwen.Spec spec, DecoderIo io) throws Exception {
        Path dir = TinyQwen.buildGenAi(spec, tmp.resolve("m"), io);
        Files.writeString(dir.resolve("tokenizer.json"), "{}");
        Files.writeString(dir.resolve("tokenizer_config.json"), "{}");
        return dir;
    }

    private void edit(Path dir, Consumer<ObjectNode> change) throws Exception {
        ObjectNode root = (ObjectNode) JSON.readTree(dir.resolve("genai_config.json").toFile());
        change.accept(root);
        JSON.writeValue(dir.resolve("genai_config.json").toFile(), root);
    }

    private static ObjectNode decoder(ObjectNode root) {
        return (ObjectNode) root.get("model").get("decoder");
    }

    private static String refused(Path dir) {
        return assertThrows(ModelLoadException.class, () -> ModelFolder.open(dir)).getMessage();
    }

    @Test
    void theConfigurationComesFromGenAiConfig() throws Exception {
        TinyQwen.Spec spec = TinyQwen.qwen3().maxPositions(300)
                .generationConfig(java.util.Map.of("eos_token_id", List.of(2, 9)));
        DecoderIo io = new DecoderIo("ids", "mask", "pos", "pk_%d", "pv_%d", "out", "k_%d", "v_%d", true);
        Path dir = folder(spec, io);
        assertFalse(Files.exists(dir.resolve("config.json")), "a GenAI folder needs no config.json");
        ModelFolder f = ModelFolder.open(dir);
        assertTrue(f.isGenAi());
        assertEquals(List.of(Variant.GENAI), f.variants());
        assertEquals(Variant.GENAI, f.chooseVariant(Optional.empty(), false));
        assertEquals(Variant.GENAI, f.chooseVariant(Optional.empty(), true));
        assertEquals(dir.resolve("model.onnx"), f.graphFile(Variant.GENAI));
        assertEquals(new ModelConfig("qwen3", spec.layers(), spec.heads(), spec.kvHeads(), spec.headDim(), spec.vocab(), 300),
                f.config());
        assertEquals(io.withShareBuffer(true), f.io());
        assertEquals(Set.of(2, 9), f.generation().eosTokenIds());
        assertEquals(Files.size(dir.resolve("model.onnx")), f.weightsBytes(Variant.GENAI));

        String missing = assertThrows(ModelLoadException.class, () -> f.chooseVariant(Optional.of(Variant.Q4), false)).getMessage();
        assertTrue(missing.contains("present: genai"), missing);
        assertTrue(ModelFolder.open(folder(TinyQwen.qwen2().externalData(true), DecoderIo.TRANSFORMERS_JS))
                .weightsBytes(Variant.GENAI) > Files.size(tmp.resolve("m/model.onnx")), "model.onnx.data counts");
    }

    @Test
    void generationConfigBesideItGivesTheSamplingDefaults() throws Exception {
        Path dir = folder(TinyQwen.qwen2(), DecoderIo.TRANSFORMERS_JS);
        ModelFolder plain = ModelFolder.open(dir);
        assertFalse(plain.generation().sampling().doSample(), "search.do_sample false");
        assertEquals(1, plain.generation().sampling().topK(), "search.top_k");
        Files.writeString(dir.resolve("generation_config.json"), "{\"do_sample\": true, \"temperature\": 0.6, \"top_p\": 0.95}");
        ModelFolder withGeneration = ModelFolder.open(dir);
        assertTrue(withGeneration.generation().sampling().doSample());
        assertEquals(0.6, withGeneration.generation().sampling().temperature(), 1e-9);
        assertEquals(Set.of(TinyQwen.EOS), withGeneration.generation().eosTokenIds(), "eos still from genai_config.json");
    }

    @Test
    void hostileOrBrokenGenAiConfigsAreRefusedInOneLine() throws Exception {
        Path dir = folder(TinyQwen.qwen2(), DecoderIo.TRANSFORMERS_JS);
        edit(dir, r -> decoder(r).put("filename", "../../outside.onnx"));
        assertTrue(refused(dir).contains("must name an .onnx file in the folder itself"), refused(dir));
        edit(dir, r -> decoder(r).put("filename", "/etc/passwd.onnx"));
        assertTrue(refused(dir).contains("in the folder itself"), refused(dir));
        edit(dir, r -> decoder(r).put("filename", "other.onnx"));
        assertTrue(refused(dir).startsWith("other.onnx is missing in "), refused(dir));
        edit(dir, r -> decoder(r).put("filename", "model.onnx"));

        edit(dir, r -> decoder(r).put("num_hidden_layers", 1_000_000));
        assertTrue(refused(dir).contains("\"num_hidden_layers\" from 1 to 1024 (it says 1000000)"), refused(dir));
        edit(dir, r -> decoder(r).put("num_hidden_layers", "2"));
        assertTrue(refused(dir).contains("no whole number \"num_hidden_layers\""), refused(dir));
        edit(dir, r -> decoder(r).put("num_hidden_layers", 2.5));
        assertTrue(refused(dir).contains("no whole number \"num_hidden_layers\""), refused(dir));
        edit(dir, r -> decoder(r).put("num_hidden_layers", 2));

        edit(dir, r -> ((ObjectNode) decoder(r).get("inputs")).put("past_key_names", "past_key_values.key"));
        assertTrue(refused(dir).contains("must hold %d exactly once"), refused(dir));
        edit(dir, r -> ((ObjectNode) decoder(r).get("inputs")).put("past_key_names", "%d.%d"));
        assertTrue(refused(dir).contains("must hold %d exactly once"), refused(dir));
        edit(dir, r -> ((ObjectNode) decoder(r).get("inputs")).put("past_key_names", "%s%n%d"));
        ModelFolder odd = ModelFolder.open(dir);
        assertEquals("%s%n7", odd.io().pastKey(7), "only %d is replaced; no other format is read");
        edit(dir, r -> ((ObjectNode) decoder(r).get("inputs")).putArray("past_key_names"));
        assertTrue(refused(dir).contains("\"past_key_names\" must be a name"), refused(dir));
        edit(dir, r -> ((ObjectNode) decoder(r).get("inputs")).put("past_key_names", "past_key_values.%d.key"));

        edit(dir, r -> r.remove("model"));
        assertTrue(refused(dir).contains("has no \"model.decoder\" section"), refused(dir));
        Files.writeString(dir.resolve("genai_config.json"), "{\"model\": ");
        assertTrue(refused(dir).contains("genai_config.json is not valid JSON"), refused(dir));
    }
}
