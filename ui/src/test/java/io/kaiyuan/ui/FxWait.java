package io.kaiyuan.ui;

import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.testfx.util.WaitForAsyncUtils;

/**
 * Waits for a condition on the scene, reading it on the FX thread: a lookup from the test thread could
 * meet the scene graph while the FX thread changes it (seen as an IndexOutOfBoundsException in a lookup).
 */
public final class FxWait {
    private FxWait() {}

    public static void until(long timeout, TimeUnit unit, Callable<Boolean> condition) throws TimeoutException {
        WaitForAsyncUtils.waitFor(timeout, unit, () -> WaitForAsyncUtils.asyncFx(condition).get());
    }
}
