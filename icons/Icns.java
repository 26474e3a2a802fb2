import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/**
 * Writes a macOS .icns file from PNG images (run as {@code java Icns.java OUT.icns 16=a.png 32=b.png ...}).
 * The format: "icns", the file length, then per image a four-character type, its length with the
 * 8-byte header, and the PNG bytes. No image tool on this machine writes ICNS, hence these few lines.
 */
public final class Icns {
    /** The ICNS element type of each square size stored as PNG. */
    private static final Map<Integer, String> TYPES = Map.of(16, "icp4", 32, "icp5", 64, "icp6", 128, "ic07",
            256, "ic08", 512, "ic09", 1024, "ic10");

    public static void main(String[] args) throws IOException {
        if (args.length < 2) {
            System.err.println("usage: java Icns.java OUT.icns SIZE=FILE.png ...");
            System.exit(2);
        }
        Map<Integer, byte[]> images = new TreeMap<>();
        for (int i = 1; i < args.length; i++) {
            String[] pair = args[i].split("=", 2);
            int size = Integer.parseInt(pair[0]);
            if (!TYPES.containsKey(size)) {
                throw new IllegalArgumentException("ICNS stores PNGs of " + TYPES.keySet() + ", not " + size);
            }
            images.put(size, Files.readAllBytes(Path.of(pair[1])));
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(body);
        for (Map.Entry<Integer, byte[]> e : images.entrySet()) {
            out.writeBytes(TYPES.get(e.getKey()));
            out.writeInt(8 + e.getValue().length);
            out.write(e.getValue());
        }
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        DataOutputStream header = new DataOutputStream(file);
        header.writeBytes("icns");
        header.writeInt(8 + body.size());
        header.write(body.toByteArray());
        Files.write(Path.of(args[0]), file.toByteArray());
    }
}
