package io.kaiyuan.engine.model;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * One model of the bundled catalog.
 *
 * @param id the catalog id, e.g. {@code qwen2.5-0.5b-instruct}; also the id it installs under
 * @param names display names by language tag ({@code en}, {@code zh-CN})
 * @param organisation who publishes it, by language tag
 * @param family e.g. Qwen2.5, Qwen3, DeepSeek-R1-Distill
 * @param parameters the parameter count
 * @param licence the licence's name and a link to its text
 * @param contextLength the most tokens the model attends to
 * @param architecture layers and KV heads, for the KV cache's size; empty when unknown
 * @param reasoning whether the model thinks in a {@code <think>} block before answering
 * @param sources the repository id on each hub ({@code huggingface}, {@code modelscope})
 * @param cpuVariant the variant recommended on the CPU
 * @param gpuVariant the variant recommended on a GPU
 * @param variants each variant's graph files and sizes as seen; empty when not seen
 * @param descriptions a short description by language tag
 * @param listingVerified whether the files and sizes were checked against the hub's file listing
 * @param listingNote how the files and sizes were obtained
 */
public record CatalogEntry(String id, Map<String, String> names, Map<String, String> organisation, String family,
        long parameters, Licence licence, int contextLength, Optional<Architecture> architecture, boolean reasoning,
        Map<String, String> sources, Variant cpuVariant, Variant gpuVariant, Map<Variant, List<CatalogFile>> variants,
        Map<String, String> descriptions, boolean listingVerified, String listingNote) {

    /** A licence and where to read it. */
    public record Licence(String name, String url) {}

    /** What the KV cache's size depends on. */
    public record Architecture(int layers, int kvHeads, int headDim) {
        /** Bytes of KV cache for {@code tokens} positions. */
        public long kvCacheBytes(int bytesPerValue, int tokens) {
            return (long) layers * kvHeads * headDim * 2L * bytesPerValue * tokens;
        }
    }

    /** A graph file of a variant; {@code size} and {@code sha256} are empty when not seen. */
    public record CatalogFile(String path, OptionalLong size, Optional<String> sha256) {
        public CatalogFile(String path, OptionalLong size) {
            this(path, size, Optional.empty());
        }
    }

    /** The language tags catalog texts come in. */
    public static final List<String> LANGUAGES = List.of("en", "zh-CN");

    public CatalogEntry {
        names = Map.copyOf(names);
        organisation = Map.copyOf(organisation);
        sources = Map.copyOf(sources);
        variants = Map.copyOf(variants);
        descriptions = Map.copyOf(descriptions);
    }

    /** The text for a locale: Chinese for any {@code zh} locale, English otherwise. */
    static String text(Map<String, String> texts, Locale locale) {
        String tag = locale.getLanguage().equals("zh") ? "zh-CN" : "en";
        return texts.getOrDefault(tag, texts.get("en"));
    }

    public String name(Locale locale) {
        return text(names, locale);
    }

    public String organisation(Locale locale) {
        return text(organisation, locale);
    }

    public String description(Locale locale) {
        return text(descriptions, locale);
    }

    /** The Hugging Face repository. */
    public String huggingFaceRepo() {
        return sources.get("huggingface");
    }

    /** The ModelScope id, where a copy is known there. */
    public Optional<String> modelScopeId() {
        return Optional.ofNullable(sources.get("modelscope"));
    }

    /** The recommended variant for a GPU provider or the CPU. */
    public Variant recommended(boolean gpu) {
        return gpu ? gpuVariant : cpuVariant;
    }

    /** The bytes of a variant's graph files as seen; empty when the variant or any of its sizes was not seen. */
    public OptionalLong weightsBytes(Variant variant) {
        List<CatalogFile> files = variants.get(variant);
        if (files == null || files.isEmpty() || files.stream().anyMatch(f -> f.size().isEmpty())) {
            return OptionalLong.empty();
        }
        return OptionalLong.of(files.stream().mapToLong(f -> f.size().getAsLong()).sum());
    }

    /**
     * The variant's weights in bytes: as seen when known, else estimated from the parameter count
     * (4 bytes a parameter in fp32, 2 in fp16, 1 in 8-bit, about 0.75 in 4-bit exports, which keep the
     * embeddings wider).
     */
    public long estimatedWeightsBytes(Variant variant) {
        OptionalLong seen = weightsBytes(variant);
        if (seen.isPresent()) {
            return seen.getAsLong();
        }
        double perParameter = switch (variant) {
            case FP32 -> 4.0;
            case FP16 -> 2.0;
            case INT8, UINT8, QUANTIZED -> 1.0;
            case Q4, BNB4, GENAI -> 0.75; // GenAI folders on the hubs are int4 builds
            case Q4F16 -> 0.6;
        };
        return (long) (parameters * perParameter);
    }

    /**
     * Whether the variant fits this machine at {@code contextTokens} (capped at the model's context): its
     * weights plus the KV cache plus working memory against {@code availableBytes}. Without a known
     * architecture the cache is left out.
     */
    public MemoryFit.Estimate fit(Variant variant, int contextTokens, long availableBytes) {
        int tokens = Math.min(contextTokens, contextLength);
        long kv = architecture.map(a -> a.kvCacheBytes(variant.kvBytesPerValue(), tokens)).orElse(0L);
        return MemoryFit.estimate(estimatedWeightsBytes(variant), kv, tokens, availableBytes);
    }
}
