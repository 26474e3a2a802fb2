package io.kaiyuan.app;

import io.kaiyuan.ui.settings.Settings;
import java.util.List;
import javafx.geometry.Rectangle2D;

/**
 * Where the main window opens: where it was last (when that is still on a screen), else a sensible size
 * centred on the primary screen: 1280 x 820 or 90% of the screen when smaller, never below the smallest
 * size the pages are laid out for.
 */
final class WindowPlacement {
    static final double MIN_WIDTH = 960;
    static final double MIN_HEIGHT = 640;
    static final double FIRST_WIDTH = 1280;
    static final double FIRST_HEIGHT = 820;

    private WindowPlacement() {}

    /**
     * @param saved the bounds kept when the window last closed; null on a first start
     * @param primary the primary screen's visual bounds (without task bars)
     * @param screens every screen's visual bounds
     */
    static Rectangle2D bounds(Settings.WindowState saved, Rectangle2D primary, List<Rectangle2D> screens) {
        if (saved != null && saved.width() >= MIN_WIDTH / 2 && saved.height() >= MIN_HEIGHT / 2) {
            Rectangle2D r = new Rectangle2D(saved.x(), saved.y(), saved.width(), saved.height());
            // On a screen when a good part of its title bar is: a window whose screen is gone comes back centred.
            Rectangle2D titleBar = new Rectangle2D(saved.x() + 40, saved.y(), Math.max(1, saved.width() - 80), 30);
            if (screens.stream().anyMatch(s -> s.intersects(titleBar))) {
                return r;
            }
        }
        double width = Math.max(Math.min(MIN_WIDTH, primary.getWidth()), Math.min(FIRST_WIDTH, primary.getWidth() * 0.9));
        double height = Math.max(Math.min(MIN_HEIGHT, primary.getHeight()), Math.min(FIRST_HEIGHT, primary.getHeight() * 0.9));
        return new Rectangle2D(primary.getMinX() + (primary.getWidth() - width) / 2,
                primary.getMinY() + (primary.getHeight() - height) / 2, width, height);
    }
}
