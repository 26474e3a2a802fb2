package io.kaiyuan.ui.settings;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kaiyuan.ui.FxWait;
import io.kaiyuan.ui.shell.MainWindow;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import javafx.scene.Node;
import javafx.scene.Scene;
import javafx.scene.control.Labeled;
import javafx.scene.control.Spinner;
import javafx.scene.control.TextInputControl;
import javafx.scene.input.Clipboard;
import javafx.scene.input.KeyCode;
import javafx.scene.layout.GridPane;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/**
 * The Settings page as one form: the threads field says Automatic, the local server's address and
 * examples follow the port and the key (never showing the key), the download tokens and proxy are saved
 * (a proxy that is not an address is refused), and the placeholders read as hints.
 */
@ExtendWith(ApplicationExtension.class)
class SettingsPageTest {
    private final List<Settings> saved = new CopyOnWriteArrayList<>();
    private final List<HubAccess.Values> hubSaved = new CopyOnWriteArrayList<>();
    private ExecutorService io;

    @Start
    void start(Stage stage) {
        io = Executors.newSingleThreadExecutor();
        ApiServerControl server = new ApiServerControl() {
            @Override
            public Optional<String> apply(boolean on, int port, String apiKey) {
                return on ? Optional.of("http://127.0.0.1:" + port + "/v1") : Optional.empty();
            }

            @Override
            public String apiKey() {
                return "";
            }

            @Override
            public List<String> models() {
                return List.of("qwen2.5-0.5b-instruct");
            }
        };
        HubAccess hub = new HubAccess() {
            @Override
            public Values load() {
                return new Values("hf_stored", "", "");
            }

            @Override
            public void save(Values v) {
                hubSaved.add(v);
            }
        };
        MainWindow window = new MainWindow(Locale.ENGLISH, new MainWindow.Services(null, null, io, null, url -> { },
                Settings.DEFAULTS, List.of("cpu"), saved::add, null).withServer(server).withHubAccess(hub));
        stage.setScene(new Scene(window.root(), 1024, 700));
        stage.show();
        window.show("nav.settings");
    }

    @AfterEach
    void stop() {
        io.shutdownNow();
    }

    @Test
    void oneFormWithOneColumnOfLabels(FxRobot robot) {
        GridPane form = robot.lookup("#settings-form").queryAs(GridPane.class);
        Set<Double> fieldColumn = new HashSet<>();
        List<String> labels = new ArrayList<>();
        robot.interact(() -> {
            form.applyCss();
            form.layout();
            for (Node n : form.getChildren()) {
                Integer column = GridPane.getColumnIndex(n);
                Integer span = GridPane.getColumnSpan(n);
                if (column != null && column == 1 && (span == null || span == 1)) {
                    fieldColumn.add(Math.rint(n.getBoundsInParent().getMinX()));
                } else if ((column == null || column == 0) && (span == null || span == 1) && n instanceof Labeled l) {
                    labels.add(l.getText());
                }
            }
        });
        assertEquals(1, fieldColumn.size(), "every field starts at the same place: " + fieldColumn);
        assertTrue(labels.containsAll(List.of("Theme", "Language", "CPU threads", "Hugging Face token", "Proxy", "Port",
                "API key", "Address")), labels.toString());
    }

    @Test
    void threadsSayAutomaticAndTakeANumber(FxRobot robot) {
        @SuppressWarnings("unchecked")
        Spinner<Integer> threads = robot.lookup("#settings-threads").queryAs(Spinner.class);
        assertEquals("Automatic", threads.getEditor().getText());
        robot.doubleClickOn(threads.getEditor()).eraseText(12).write("2").type(KeyCode.ENTER);
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals(2, saved.get(saved.size() - 1).threads());
        robot.interact(() -> threads.getValueFactory().setValue(0));
        assertEquals("Automatic", threads.getEditor().getText());
        assertEquals(0, saved.get(saved.size() - 1).threads());
        assertFalse(robot.lookup("#settings-form").queryAs(GridPane.class).getChildren().stream()
                .anyMatch(n -> n instanceof Labeled l && l.getText() != null && l.getText().contains("./kaiyuan")),
                "no developer commands in the window");
    }

    @Test
    void theServersAddressAndExamplesFollowThePortAndNeverShowTheKey(FxRobot robot) throws Exception {
        FxWait.until(10, TimeUnit.SECONDS, () -> robot.lookup("#settings-example-curl").queryLabeled().getText()
                .contains("qwen2.5-0.5b-instruct"));
        assertEquals("http://127.0.0.1:11435/v1", robot.lookup("#settings-server-address").queryAs(TextInputControl.class).getText());
        robot.interact(() -> {
            robot.lookup("#settings-server-port").queryAs(TextInputControl.class).setText("18080");
            robot.lookup("#settings-server-key").queryAs(TextInputControl.class).setText("sk-very-secret");
        });
        String curl = robot.lookup("#settings-example-curl").queryLabeled().getText();
        String python = robot.lookup("#settings-example-python").queryLabeled().getText();
        assertEquals("http://127.0.0.1:18080/v1", robot.lookup("#settings-server-address").queryAs(TextInputControl.class).getText());
        assertTrue(curl.startsWith("curl http://127.0.0.1:18080/v1/chat/completions"), curl);
        assertTrue(curl.contains("-H \"Authorization: Bearer YOUR_API_KEY\""), curl);
        assertTrue(curl.contains("\"model\": \"qwen2.5-0.5b-instruct\""), curl);
        assertTrue(python.contains("base_url=\"http://127.0.0.1:18080/v1\"") && python.contains("api_key=\"YOUR_API_KEY\""), python);
        assertFalse(curl.contains("sk-very-secret") || python.contains("sk-very-secret"), "the key itself is never shown");

        robot.interact(() -> robot.lookup("#settings-example-curl-copy").queryButton().fire());
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals(curl, WaitForAsyncUtils.asyncFx(() -> Clipboard.getSystemClipboard().getString()).get());
        assertEquals("Copied", robot.lookup("#settings-example-curl-copy").queryButton().getText());
        robot.interact(() -> robot.lookup("#settings-copy-address").queryButton().fire());
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals("http://127.0.0.1:18080/v1", WaitForAsyncUtils.asyncFx(() -> Clipboard.getSystemClipboard().getString()).get());
    }

    @Test
    void downloadTokensAndProxyAreSavedAndABadProxyIsRefused(FxRobot robot) throws Exception {
        FxWait.until(10, TimeUnit.SECONDS, () -> "hf_stored".equals(
                robot.lookup("#settings-hf-token").queryAs(TextInputControl.class).getText()));
        robot.interact(() -> robot.lookup("#settings-proxy").queryAs(TextInputControl.class).setText("my proxy"));
        robot.interact(() -> robot.lookup("#settings-downloads-save").queryButton().fire());
        WaitForAsyncUtils.waitForFxEvents();
        assertTrue(robot.lookup("#settings-downloads-status").queryLabeled().getText().startsWith("The proxy must be an address"));
        assertTrue(hubSaved.isEmpty(), "nothing saved");

        robot.interact(() -> robot.lookup("#settings-proxy").queryAs(TextInputControl.class).setText("127.0.0.1:7890"));
        robot.interact(() -> robot.lookup("#settings-downloads-save").queryButton().fire());
        FxWait.until(10, TimeUnit.SECONDS, () -> !hubSaved.isEmpty());
        assertEquals(new HubAccess.Values("hf_stored", "", "127.0.0.1:7890"), hubSaved.get(0));
        FxWait.until(10, TimeUnit.SECONDS, () -> robot.lookup("#settings-downloads-status").queryLabeled().getText().startsWith("Saved"));

        // Placeholders are hints, not values that look typed.
        assertTrue(robot.lookup("#settings-proxy").queryAs(TextInputControl.class).getPromptText().startsWith("Optional, e.g."));
        assertEquals("Optional", robot.lookup("#settings-server-key").queryAs(TextInputControl.class).getPromptText());
    }
}
