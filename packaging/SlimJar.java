import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/**
 * Copies a library jar leaving out the native libraries of other platforms and debug symbols, so a
 * package carries only what its OS runs (run as {@code java SlimJar.java IN.jar OUT.jar ROOT=KEEP ...}).
 *
 * <p>For each {@code ROOT=KEEP} (such as {@code ai/onnxruntime/native/=linux-x64}), entries under ROOT are
 * kept only when they lie in ROOT/KEEP (which may be two levels, {@code Linux/x86_64}), are a folder on the
 * way there, or are plain files directly in ROOT. Entries inside a {@code .dSYM} bundle are always left
 * out. Everything else is copied as it is, the manifest included; the jars concerned are not signed.
 */
public final class SlimJar {
    public static void main(String[] args) throws IOException {
        if (args.length < 3) {
            System.err.println("usage: java SlimJar.java IN.jar OUT.jar ROOT=KEEP ...");
            System.exit(2);
        }
        List<String[]> rules = new ArrayList<>();
        for (int i = 2; i < args.length; i++) {
            String[] rule = args[i].split("=", 2);
            rules.add(new String[] {rule[0].endsWith("/") ? rule[0] : rule[0] + "/", rule[1]});
        }
        long kept = 0;
        long dropped = 0;
        try (ZipFile in = new ZipFile(args[0]);
                ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(Path.of(args[1])))) {
            for (Enumeration<? extends ZipEntry> e = in.entries(); e.hasMoreElements(); ) {
                ZipEntry entry = e.nextElement();
                if (!keep(entry.getName(), rules)) {
                    dropped += entry.getSize();
                    continue;
                }
                ZipEntry copy = new ZipEntry(entry);
                copy.setCompressedSize(-1); // compressed afresh
                out.putNextEntry(copy);
                try (InputStream data = in.getInputStream(entry)) {
                    data.transferTo(out);
                }
                out.closeEntry();
                kept += entry.getSize();
            }
        }
        System.out.printf("%s: kept %.1f MB, left out %.1f MB%n", Path.of(args[0]).getFileName(), kept / 1e6, dropped / 1e6);
    }

    static boolean keep(String name, List<String[]> rules) {
        if (name.contains(".dSYM/")) {
            return false;
        }
        for (String[] rule : rules) {
            if (!name.startsWith(rule[0])) {
                continue;
            }
            String rest = name.substring(rule[0].length());
            String keep = rule[1] + "/";
            return rest.indexOf('/') < 0 || rest.startsWith(keep) || keep.startsWith(rest);
        }
        return true;
    }
}
