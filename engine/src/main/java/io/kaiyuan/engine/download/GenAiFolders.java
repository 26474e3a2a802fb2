package io.kaiyuan.engine.download;

import io.kaiyuan.engine.model.GenAiConfig;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The ONNX Runtime GenAI folders of a repository listing: each folder that holds genai_config.json, the
 * tokenizer files and an ONNX graph, with the files a model folder needs (the graph, its data, the
 * configuration, tokenizer and template files; nothing from sub-folders, nothing from the onnx/ layout).
 */
public final class GenAiFolders {
    /** Files of a GenAI folder besides its graphs that Kaiyuan fetches when they are there. */
    private static final Set<String> OWN = Set.of(GenAiConfig.FILE, "config.json", "generation_config.json", "tokenizer.json",
            "tokenizer_config.json", "special_tokens_map.json", "chat_template.jinja");
    private static final Set<String> REQUIRED = Set.of(GenAiConfig.FILE, "tokenizer.json", "tokenizer_config.json");
    /** A repository with more GenAI folders than this is not read further. */
    static final int MAX_FOLDERS = 64;

    /**
     * One GenAI folder.
     *
     * @param path the folder in the repository, without a trailing slash ("" for the repository's top)
     * @param files its own files (paths in the repository)
     * @param weights its graphs and their data files (a subset of {@code files})
     */
    public record Folder(String path, List<RemoteFile> files, List<RemoteFile> weights) {
        public Folder {
            files = List.copyOf(files);
            weights = List.copyOf(weights);
        }

        /** Bytes of its graphs and data. */
        public long weightBytes() {
            return weights.stream().mapToLong(RemoteFile::size).sum();
        }

        /** A file's path inside the folder (where it goes in the installed model). */
        public String local(RemoteFile f) {
            return path.isEmpty() ? f.path() : f.path().substring(path.length() + 1);
        }

        /** Whether the folder is a CPU build (a path segment names the CPU, as cpu_and_mobile or cpu-int4-…). */
        public boolean cpu() {
            for (String segment : path.toLowerCase(Locale.ROOT).split("/")) {
                if (segment.startsWith("cpu") || segment.contains("-cpu") || segment.contains("_cpu")) {
                    return true;
                }
            }
            return false;
        }
    }

    private GenAiFolders() {}

    /** The GenAI folders of a listing, CPU builds first, then by path. */
    public static List<Folder> of(RepoListing listing) {
        Map<String, List<RemoteFile>> byFolder = new LinkedHashMap<>();
        for (RemoteFile f : listing.files()) {
            String p = f.path();
            int slash = p.lastIndexOf('/');
            String name = p.substring(slash + 1);
            if (name.equals(GenAiConfig.FILE) && byFolder.size() < MAX_FOLDERS) {
                byFolder.putIfAbsent(slash < 0 ? "" : p.substring(0, slash), new ArrayList<>());
            }
        }
        for (RemoteFile f : listing.files()) {
            String p = f.path();
            int slash = p.lastIndexOf('/');
            List<RemoteFile> files = byFolder.get(slash < 0 ? "" : p.substring(0, slash));
            if (files != null) {
                files.add(f);
            }
        }
        List<Folder> out = new ArrayList<>();
        for (Map.Entry<String, List<RemoteFile>> e : byFolder.entrySet()) {
            List<RemoteFile> own = new ArrayList<>();
            List<RemoteFile> weights = new ArrayList<>();
            Set<String> names = new java.util.HashSet<>();
            for (RemoteFile f : e.getValue()) {
                String name = f.path().substring(f.path().lastIndexOf('/') + 1);
                boolean weight = isWeight(name);
                if (weight || OWN.contains(name)) {
                    own.add(f);
                    names.add(name);
                }
                if (weight) {
                    weights.add(f);
                }
            }
            boolean graph = names.stream().anyMatch(n -> n.endsWith(".onnx"));
            if (graph && names.containsAll(REQUIRED)) {
                out.add(new Folder(e.getKey(), own, weights));
            }
        }
        out.sort(Comparator.comparing((Folder f) -> !f.cpu()).thenComparing(Folder::path));
        return out;
    }

    /** The folder a pull takes when none is named: the first CPU build, else the first. */
    public static Optional<Folder> preferred(RepoListing listing) {
        List<Folder> all = of(listing);
        return all.isEmpty() ? Optional.empty() : Optional.of(all.get(0));
    }

    /** A graph ({@code .onnx}) or its external data ({@code model.onnx.data}, {@code model.onnx_data}, chunks). */
    static boolean isWeight(String name) {
        return name.endsWith(".onnx") || name.contains(".onnx.data") || name.contains(".onnx_data");
    }
}
