package io.kaiyuan.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.net.URL;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/** The window icon exists at every size the window asks for, rendered from the SVG master. */
class IconsTest {
    @Test
    void everyIconSizeIsAPngOfThatSize() throws Exception {
        for (int size : DesktopApp.ICON_SIZES) {
            URL url = DesktopApp.class.getResource("icons/kaiyuan-" + size + ".png");
            assertNotNull(url, "icons/kaiyuan-" + size + ".png: run icons/generate.sh");
            BufferedImage image = ImageIO.read(url);
            assertEquals(size, image.getWidth());
            assertEquals(size, image.getHeight());
            assertTrue(image.getColorModel().hasAlpha(), "the corners are transparent");
            assertEquals(0, image.getRGB(0, 0) >>> 24, "a transparent corner");
        }
    }

    /** The repository's icons/ folder, from the app module's working directory. */
    private static java.nio.file.Path icons() {
        return java.nio.file.Path.of("..", "icons").toAbsolutePath().normalize();
    }

    @Test
    void thePackagesIconsArePngsFrom16To1024AnIcoAndAnIcns() throws Exception {
        for (int size : new int[] {16, 24, 32, 48, 64, 128, 256, 512, 1024}) {
            BufferedImage image = ImageIO.read(icons().resolve("png/kaiyuan-" + size + ".png").toFile());
            assertEquals(size, image.getWidth(), "png/kaiyuan-" + size + ".png");
        }
        byte[] ico = java.nio.file.Files.readAllBytes(icons().resolve("kaiyuan.ico"));
        assertEquals(0, ico[0]);
        assertEquals(1, ico[2], "an icon resource");
        assertEquals(7, (ico[4] & 0xff) | (ico[5] & 0xff) << 8, "seven sizes, 16 to 256");

        java.io.DataInputStream icns = new java.io.DataInputStream(new java.io.ByteArrayInputStream(
                java.nio.file.Files.readAllBytes(icons().resolve("kaiyuan.icns"))));
        assertEquals("icns", new String(icns.readNBytes(4), java.nio.charset.StandardCharsets.US_ASCII));
        int length = icns.readInt();
        assertEquals(java.nio.file.Files.size(icons().resolve("kaiyuan.icns")), length);
        java.util.Map<String, Integer> widths = new java.util.LinkedHashMap<>();
        for (int read = 8; read < length; ) {
            String type = new String(icns.readNBytes(4), java.nio.charset.StandardCharsets.US_ASCII);
            int size = icns.readInt();
            BufferedImage png = ImageIO.read(new java.io.ByteArrayInputStream(icns.readNBytes(size - 8)));
            widths.put(type, png.getWidth());
            read += size;
        }
        assertEquals(java.util.Map.of("icp4", 16, "icp5", 32, "icp6", 64, "ic07", 128, "ic08", 256, "ic09", 512, "ic10", 1024),
                widths);
    }
}
