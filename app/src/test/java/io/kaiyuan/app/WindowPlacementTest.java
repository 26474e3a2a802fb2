package io.kaiyuan.app;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.kaiyuan.ui.settings.Settings;
import java.util.List;
import javafx.geometry.Rectangle2D;
import org.junit.jupiter.api.Test;

class WindowPlacementTest {
    private static final Rectangle2D FULL_HD = new Rectangle2D(0, 0, 1920, 1040);

    @Test
    void theFirstWindowIsASensibleSizeCentredWhateverTheWindowManagerDoes() {
        assertEquals(new Rectangle2D(320, 110, 1280, 820), WindowPlacement.bounds(null, FULL_HD, List.of(FULL_HD)));
        Rectangle2D small = new Rectangle2D(0, 0, 1024, 700);
        Rectangle2D r = WindowPlacement.bounds(null, small, List.of(small));
        assertEquals(960, r.getWidth(), "never below the smallest size the pages are laid out for");
        assertEquals(640, r.getHeight());
        assertEquals(32, r.getMinX());
        Rectangle2D tiny = new Rectangle2D(0, 0, 800, 600);
        assertEquals(800, WindowPlacement.bounds(null, tiny, List.of(tiny)).getWidth(), "but never beyond the screen");
    }

    @Test
    void theSavedBoundsComeBackWhileTheirScreenIsThere() {
        Settings.WindowState saved = new Settings.WindowState(100, 50, 1400, 900, false);
        assertEquals(new Rectangle2D(100, 50, 1400, 900), WindowPlacement.bounds(saved, FULL_HD, List.of(FULL_HD)));
        Settings.WindowState onAGoneScreen = new Settings.WindowState(2500, 50, 1400, 900, false);
        assertEquals(new Rectangle2D(320, 110, 1280, 820), WindowPlacement.bounds(onAGoneScreen, FULL_HD, List.of(FULL_HD)));
        Settings.WindowState collapsed = new Settings.WindowState(100, 50, 200, 200, false);
        assertEquals(1280, WindowPlacement.bounds(collapsed, FULL_HD, List.of(FULL_HD)).getWidth(),
                "a window once mapped at a window manager's 200x200 is not brought back that small");
    }
}
