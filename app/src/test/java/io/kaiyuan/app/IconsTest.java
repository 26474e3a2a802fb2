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
}
