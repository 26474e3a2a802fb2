package io.kaiyuan.ui.models;

import io.kaiyuan.engine.model.CatalogEntry;
import io.kaiyuan.engine.model.Variant;
import java.text.MessageFormat;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.ResourceBundle;
import java.util.stream.Collectors;

/**
 * A variant as the Download menu offers it: its names (variants whose files are the same bytes, by
 * sha256, are one choice with several names), its size, and whether it is the one recommended for the CPU.
 *
 * @param bytes the variant's files together; empty when not known
 */
record VariantChoice(List<Variant> names, OptionalLong bytes, boolean recommended) {
    /** An entry's variants, identical ones merged, smallest first (unknown sizes last). */
    static List<VariantChoice> of(CatalogEntry e) {
        List<Variant> variants = e.variants().isEmpty()
                ? List.of(e.cpuVariant(), e.gpuVariant()).stream().distinct().toList()
                : new ArrayList<>(e.variants().keySet());
        Map<String, List<Variant>> byContent = new LinkedHashMap<>();
        for (Variant v : variants) {
            byContent.computeIfAbsent(contentKey(e, v), k -> new ArrayList<>()).add(v);
        }
        List<VariantChoice> out = new ArrayList<>();
        for (List<Variant> same : byContent.values()) {
            // The recommended name first when it is among them.
            same.sort(Comparator.comparing((Variant v) -> v != e.cpuVariant()).thenComparing(Enum::ordinal));
            out.add(new VariantChoice(List.copyOf(same), e.weightsBytes(same.get(0)), same.contains(e.cpuVariant())));
        }
        out.sort(Comparator.comparingLong((VariantChoice c) -> c.bytes().orElse(Long.MAX_VALUE))
                .thenComparing(c -> c.names().get(0).ordinal()));
        return out;
    }

    /** The same key for variants whose every file has the same sha256; the variant's own name when not known. */
    private static String contentKey(CatalogEntry e, Variant v) {
        List<CatalogEntry.CatalogFile> files = e.variants().getOrDefault(v, List.of());
        if (files.isEmpty() || files.stream().anyMatch(f -> f.sha256().isEmpty())) {
            return "variant:" + v.cliName();
        }
        return files.stream().map(f -> f.sha256().get()).sorted().collect(Collectors.joining(","));
    }

    /** The menu's line: "q4 · 0.79 GB · 4-bit, best on a CPU · recommended". */
    String label(ResourceBundle messages, CatalogEntry e) {
        List<String> parts = new ArrayList<>();
        parts.add(names.stream().map(Variant::cliName).collect(Collectors.joining(" / ")));
        bytes.ifPresent(b -> parts.add(ModelManagerViewModel.gb(b)));
        String key = "models.variant." + names.get(0).cliName();
        if (messages.containsKey(key)) {
            parts.add(messages.getString(key));
        }
        if (recommended) {
            parts.add(messages.getString("models.variant.recommended"));
        }
        return String.join(" · ", parts);
    }

}
