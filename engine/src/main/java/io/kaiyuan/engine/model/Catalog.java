package io.kaiyuan.engine.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * The bundled catalog of Chinese open models (data, not code: {@code catalog.json} beside this class).
 * Immutable and thread-safe.
 */
public final class Catalog {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final List<CatalogEntry> entries;

    private Catalog(List<CatalogEntry> entries) {
        this.entries = List.copyOf(entries);
    }

    /** The catalog shipped with Kaiyuan. */
    public static Catalog bundled() {
        try (InputStream in = Catalog.class.getResourceAsStream("catalog.json")) {
            if (in == null) {
                throw new IllegalStateException("catalog.json is missing from the engine");
            }
            return parse(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Reads and checks a catalog; a malformed entry is an error naming the entry and the field. */
    static Catalog parse(InputStream in) throws IOException {
        JsonNode root = JSON.readTree(in);
        List<CatalogEntry> entries = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        for (JsonNode m : root.path("models")) {
            CatalogEntry entry = entry(m);
            if (!ids.add(entry.id().toLowerCase(Locale.ROOT))) {
                throw new IllegalArgumentException("catalog: the id " + entry.id() + " appears twice");
            }
            entries.add(entry);
        }
        return new Catalog(entries);
    }

    private static CatalogEntry entry(JsonNode m) {
        String id = text(m, "id", "?");
        Optional<CatalogEntry.Architecture> architecture = m.path("architecture").isObject()
                ? Optional.of(new CatalogEntry.Architecture(number(m.path("architecture"), "layers", id),
                        number(m.path("architecture"), "kvHeads", id), number(m.path("architecture"), "headDim", id)))
                : Optional.empty();
        Map<Variant, List<CatalogEntry.CatalogFile>> variants = new EnumMap<>(Variant.class);
        m.path("variants").fields().forEachRemaining(e -> {
            List<CatalogEntry.CatalogFile> files = new ArrayList<>();
            for (JsonNode f : e.getValue().path("files")) {
                JsonNode size = f.path("size");
                java.util.Optional<String> sha256 = java.util.Optional.empty();
                if (!f.path("sha256").isMissingNode()) {
                    String hex = f.path("sha256").asText("");
                    if (!hex.matches("[0-9a-f]{64}")) {
                        throw new IllegalArgumentException("catalog entry " + id + ": the sha256 of " + text(f, "path", id)
                                + " is not 64 lowercase hex digits");
                    }
                    sha256 = java.util.Optional.of(hex);
                }
                files.add(new CatalogEntry.CatalogFile(text(f, "path", id),
                        size.canConvertToLong() ? OptionalLong.of(size.asLong()) : OptionalLong.empty(), sha256));
            }
            variants.put(Variant.parse(e.getKey()), files);
        });
        Map<String, String> sources = new LinkedHashMap<>();
        m.path("sources").fields().forEachRemaining(e -> sources.put(e.getKey(), e.getValue().asText()));
        if (!sources.containsKey("huggingface")) {
            throw new IllegalArgumentException("catalog entry " + id + " has no Hugging Face repository");
        }
        JsonNode licence = m.path("licence");
        return new CatalogEntry(id, texts(m, "name", id), texts(m, "organisation", id), text(m, "family", id),
                m.path("parameters").asLong(), new CatalogEntry.Licence(text(licence, "name", id), text(licence, "url", id)),
                number(m, "context", id), architecture, m.path("reasoning").asBoolean(), sources,
                Variant.parse(text(m.path("recommended"), "cpu", id)), Variant.parse(text(m.path("recommended"), "gpu", id)),
                variants, texts(m, "description", id), m.path("listing").path("verified").asBoolean(false),
                m.path("listing").path("note").asText(""));
    }

    private static String text(JsonNode node, String field, String id) {
        JsonNode n = node.get(field);
        if (n == null || !n.isTextual() || n.asText().isBlank()) {
            throw new IllegalArgumentException("catalog entry " + id + " has no \"" + field + "\"");
        }
        return n.asText();
    }

    private static int number(JsonNode node, String field, String id) {
        JsonNode n = node.get(field);
        if (n == null || !n.canConvertToInt() || n.asInt() <= 0) {
            throw new IllegalArgumentException("catalog entry " + id + " has no positive \"" + field + "\"");
        }
        return n.asInt();
    }

    /** A text in every language of {@link CatalogEntry#LANGUAGES}. */
    private static Map<String, String> texts(JsonNode node, String field, String id) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String language : CatalogEntry.LANGUAGES) {
            out.put(language, text(node.path(field), language, id + " " + field));
        }
        return out;
    }

    public List<CatalogEntry> entries() {
        return entries;
    }

    /** The entry with this catalog id (any case), or whose Hugging Face repository this is. */
    public Optional<CatalogEntry> find(String idOrRepo) {
        String key = idOrRepo.trim();
        return entries.stream()
                .filter(e -> e.id().equalsIgnoreCase(key) || e.huggingFaceRepo().equalsIgnoreCase(key))
                .findFirst();
    }
}
