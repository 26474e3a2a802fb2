package io.kaiyuan.engine.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kaiyuan.engine.testing.Reference;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The bundled catalog against the reference facts collected about the hubs
 * ({@code ../shared/reference/hub/listings.json}): every graph seen is offered with all its data files,
 * every size and digest seen is the catalog's, and the architectures match the configs. Fails (never
 * skips) when the reference is missing.
 */
class CatalogReferenceTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern GRAPH = Pattern.compile("onnx/(model(?:_[a-z0-9]+)?)\\.onnx");
    private static final Pattern PAGE = Pattern.compile("([\\d.]+)\\s*(GB|MB|kB|Bytes)");
    /** Graphs seen without the data file they need: not offered until a listing shows it. */
    private static final Set<String> INCOMPLETE = Set.of("onnx-community/Qwen2.5-Coder-3B-Instruct onnx/model_q4f16.onnx");

    @Test
    void everyGraphSizeAndDigestSeenIsTheCatalogs() throws Exception {
        JsonNode listings = JSON.readTree(Reference.dir().resolve("hub/listings.json").toFile());
        Catalog catalog = Catalog.bundled();
        int checkedFiles = 0;
        for (JsonNode repo : listings.get("repos")) {
            String name = repo.get("repo").asText();
            CatalogEntry entry = catalog.find(name).orElseThrow(() -> new AssertionError(name + " is in the catalog"));
            Map<String, JsonNode> files = new HashMap<>();
            repo.path("files").forEach(f -> files.put(f.get("path").asText(), f));
            Map<String, CatalogEntry.CatalogFile> offered = new HashMap<>();
            entry.variants().values().forEach(list -> list.forEach(f -> offered.put(f.path(), f)));
            for (String path : new TreeSet<>(files.keySet())) {
                Matcher graph = GRAPH.matcher(path);
                if (!graph.matches()) {
                    continue;
                }
                if (INCOMPLETE.contains(name + " " + path)) {
                    assertTrue(!offered.containsKey(path), name + " " + path + " is offered without its data");
                    continue;
                }
                Variant variant = variantOf(graph.group(1));
                assertTrue(entry.variants().containsKey(variant), name + ": " + path + " is offered as "
                        + variant.cliName());
                for (String other : files.keySet()) {
                    if (other.startsWith(path + "_data")) {
                        assertTrue(entry.variants().get(variant).stream().anyMatch(f -> f.path().equals(other)),
                                name + " " + variant.cliName() + " fetches " + other);
                    }
                }
            }
            for (CatalogEntry.CatalogFile f : offered.values()) {
                JsonNode seen = files.get(f.path());
                assertTrue(seen != null, name + ": " + f.path() + " was seen on the hub");
                if (seen.hasNonNull("size_bytes")) {
                    assertEquals(seen.get("size_bytes").asLong(), f.size().orElseThrow(), name + " " + f.path());
                } else if (seen.hasNonNull("size_shown_on_hub_page")) {
                    long page = page(seen.get("size_shown_on_hub_page").asText());
                    long size = f.size().orElseThrow();
                    assertTrue(Math.abs(size - page) <= page / 100 + 1, name + " " + f.path() + ": " + size
                            + " rounds to the page's " + seen.get("size_shown_on_hub_page").asText());
                }
                if (seen.hasNonNull("sha256")) {
                    assertEquals(seen.get("sha256").asText(), f.sha256().orElse(null), name + " " + f.path());
                }
                checkedFiles++;
            }
            JsonNode config = repo.path("config");
            if (config.has("num_hidden_layers") && config.has("num_key_value_heads")) {
                CatalogEntry.Architecture a = entry.architecture().orElseThrow(() -> new AssertionError(name
                        + " has an architecture"));
                assertEquals(config.get("num_hidden_layers").asInt(), a.layers(), name);
                assertEquals(config.get("num_key_value_heads").asInt(), a.kvHeads(), name);
                int headDim = config.has("head_dim") ? config.get("head_dim").asInt()
                        : config.path("head_dim_derived").asInt(a.headDim());
                assertEquals(headDim, a.headDim(), name);
            }
            if (config.has("max_position_embeddings")) {
                assertEquals(config.get("max_position_embeddings").asInt(), entry.contextLength(), name);
            }
        }
        assertTrue(checkedFiles > 50, "files checked: " + checkedFiles);
    }

    private static Variant variantOf(String baseName) {
        for (Variant v : Variant.values()) {
            if (v.fileName().equals(baseName + ".onnx")) {
                return v;
            }
        }
        throw new AssertionError("no variant is called " + baseName);
    }

    private static long page(String text) {
        Matcher m = PAGE.matcher(text);
        assertTrue(m.find(), text);
        double unit = switch (m.group(2)) {
            case "GB" -> 1e9;
            case "MB" -> 1e6;
            case "kB" -> 1e3;
            default -> 1;
        };
        return Math.round(Double.parseDouble(m.group(1)) * unit);
    }
}
