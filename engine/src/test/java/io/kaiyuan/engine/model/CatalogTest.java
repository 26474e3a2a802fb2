package io.kaiyuan.engine.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class CatalogTest {
    private final Catalog catalog = Catalog.bundled();

    @Test
    void theBundledCatalogHoldsAtLeastEightChineseModelFamiliesCompletely() {
        List<CatalogEntry> entries = catalog.entries();
        assertTrue(entries.size() >= 8, "entries: " + entries.size());
        Set<String> families = entries.stream().map(CatalogEntry::family).collect(Collectors.toSet());
        assertTrue(families.containsAll(Set.of("Qwen2.5", "Qwen2.5-Coder", "Qwen3", "DeepSeek-R1-Distill", "GLM-Edge")),
                families.toString());
        for (CatalogEntry e : entries) {
            assertTrue(e.id().matches("[a-z0-9.\\-]+"), e.id());
            assertTrue(e.huggingFaceRepo().matches("[\\w.\\-]+/[\\w.\\-]+"), e.huggingFaceRepo());
            assertTrue(e.name(Locale.SIMPLIFIED_CHINESE).codePoints().anyMatch(c -> Character.UnicodeScript.of(c)
                    == Character.UnicodeScript.HAN), e.id() + " has a Chinese name");
            assertTrue(e.description(Locale.CHINA).codePoints().anyMatch(c -> Character.UnicodeScript.of(c)
                    == Character.UnicodeScript.HAN), e.id() + " has a Chinese description");
            assertFalse(e.description(Locale.ENGLISH).isBlank());
            assertFalse(e.organisation(Locale.ENGLISH).isBlank());
            assertTrue(e.licence().url().startsWith("https://"), e.licence().url());
            assertTrue(e.parameters() > 100_000_000L && e.parameters() < 10_000_000_000L, e.id());
            assertTrue(e.contextLength() >= 2048, e.id());
            assertTrue(Set.of(Variant.Q4, Variant.INT8).contains(e.cpuVariant()), e.id() + ": CPU gets q4 or int8");
            boolean q4f16Seen = e.variants().isEmpty() || e.variants().containsKey(Variant.Q4F16);
            assertTrue(!q4f16Seen || Set.of(Variant.Q4F16, Variant.FP16).contains(e.gpuVariant()),
                    e.id() + ": GPU gets q4f16 or fp16 where q4f16 exists");
            if (!e.variants().isEmpty()) {
                assertTrue(e.variants().containsKey(e.cpuVariant()) && e.variants().containsKey(e.gpuVariant()),
                        e.id() + ": the recommended variants are among those listed");
            }
            e.variants().forEach((variant, files) -> {
                assertFalse(files.isEmpty());
                assertTrue(files.stream().anyMatch(f -> f.path().equals("onnx/" + variant.fileName())),
                        e.id() + " " + variant.cliName() + " lists its graph onnx/" + variant.fileName()
                                + ", else it installs a model that cannot load");
                for (CatalogEntry.CatalogFile f : files) {
                    String graph = "onnx/" + variant.fileName();
                    assertTrue(f.path().equals(graph) || f.path().startsWith(graph + "_data"),
                            e.id() + ": " + f.path() + " is a file the installer fetches for " + variant.cliName());
                }
            });
            assertTrue(e.listingVerified() || !e.listingNote().isBlank(), e.id() + ": an unverified listing says so");
        }
    }

    @Test
    void entriesAreFoundByIdOrRepositoryInAnyCase() {
        assertEquals("qwen2.5-0.5b-instruct", catalog.find("Qwen2.5-0.5B-Instruct").orElseThrow().id());
        assertEquals("deepseek-r1-distill-qwen-1.5b",
                catalog.find("onnx-community/DeepSeek-R1-Distill-Qwen-1.5B-ONNX").orElseThrow().id());
        assertTrue(catalog.find("no-such-model").isEmpty());
    }

    @Test
    void fitCountsWeightsAndTheKvCacheAtTheChosenContext() {
        CatalogEntry qwen = catalog.find("qwen2.5-0.5b-instruct").orElseThrow();
        MemoryFit.Estimate small = qwen.fit(Variant.Q4, 4096, 16L << 30);
        assertEquals(786_156_820L, small.weightsBytes());
        assertEquals(24L * 2 * 64 * 2 * 4 * 4096, small.kvCacheBytes(), "layers x kv heads x head dim x 2 x 4 bytes x tokens");
        assertEquals(MemoryFit.Fit.FITS, small.fit());
        assertEquals(MemoryFit.Fit.WONT_FIT, qwen.fit(Variant.Q4, 4096, 1L << 30).fit());
        assertEquals(24L * 2 * 64 * 2 * 2 * 4096, qwen.fit(Variant.FP16, 4096, 16L << 30).kvCacheBytes(), "fp16 cache");
        assertEquals(32768, qwen.fit(Variant.Q4, 1_000_000, 16L << 30).contextTokens(), "capped at the model's context");

        CatalogEntry qwen3 = catalog.find("qwen3-0.6b").orElseThrow();
        assertEquals(919_096_585L, qwen3.fit(Variant.Q4, 8192, 16L << 30).weightsBytes(), "the q4 graph's exact size");
        assertEquals(28L * 8 * 128 * 2 * 4 * 8192, qwen3.fit(Variant.Q4, 8192, 16L << 30).kvCacheBytes());

        CatalogEntry glm = catalog.find("glm-edge-1.5b-chat").orElseThrow();
        MemoryFit.Estimate unseen = glm.fit(Variant.Q4, 8192, 16L << 30);
        assertEquals((long) (glm.parameters() * 0.75), unseen.weightsBytes(), "no listing seen: estimated from parameters");
        assertEquals(28L * 4 * 128 * 2 * 4 * 8192, unseen.kvCacheBytes(), "GLM-Edge: 28 layers, 4 KV heads, head_dim 128");
        MemoryFit.Estimate tight = glm.fit(Variant.Q4, 8192, (long) (unseenNeed(glm, 8192) / 0.9));
        assertEquals(MemoryFit.Fit.TIGHT, tight.fit());
    }

    private static long unseenNeed(CatalogEntry e, int tokens) {
        return e.fit(Variant.Q4, tokens, Long.MAX_VALUE / 4).neededBytes();
    }

    @Test
    void aMalformedCatalogNamesTheEntryAndTheField() {
        String noChineseName = """
                {"models":[{"id":"m1","name":{"en":"M"},"organisation":{"en":"o","zh-CN":"o"},"family":"f",
                "parameters":1,"licence":{"name":"MIT","url":"https://x"},"context":1,"sources":{"huggingface":"a/b"},
                "recommended":{"cpu":"q4","gpu":"fp16"},"description":{"en":"d","zh-CN":"d"}}]}""";
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> parse(noChineseName));
        assertTrue(e.getMessage().contains("m1 name") && e.getMessage().contains("zh-CN"), e.getMessage());

        String badVariant = noChineseName.replace("{\"en\":\"M\"}", "{\"en\":\"M\",\"zh-CN\":\"模\"}").replace("\"q4\"", "\"q3\"");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> parse(badVariant)).getMessage().contains("q3"));

        String ok = noChineseName.replace("{\"en\":\"M\"}", "{\"en\":\"M\",\"zh-CN\":\"模\"}");
        String twice = ok.replace("}]}", "}," + ok.substring(ok.indexOf('[') + 1));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> parse(twice)).getMessage().contains("m1 appears twice"));

        String badSha = ok.replace("\"recommended\"", "\"variants\":{\"q4\":{\"files\":[{\"path\":\"onnx/model_q4.onnx\","
                + "\"size\":1,\"sha256\":\"not-a-digest\"}]}},\"recommended\"");
        IllegalArgumentException sha = assertThrows(IllegalArgumentException.class, () -> parse(badSha));
        assertTrue(sha.getMessage().contains("m1") && sha.getMessage().contains("onnx/model_q4.onnx"), sha.getMessage());
    }

    @Test
    void filesKnownToBeTheSameBytesCarryTheSameDigest() {
        // On the hub, the Coder 1.5B int8 and quantized graphs are one file (the same LFS object).
        CatalogEntry coder = Catalog.bundled().find("qwen2.5-coder-1.5b-instruct").orElseThrow();
        Optional<String> int8 = coder.variants().get(Variant.INT8).get(0).sha256();
        assertTrue(int8.isPresent());
        assertEquals(int8, coder.variants().get(Variant.QUANTIZED).get(0).sha256());
        assertTrue(!int8.equals(coder.variants().get(Variant.Q4).get(0).sha256()));
    }

    private static Catalog parse(String json) throws Exception {
        return Catalog.parse(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)));
    }
}
