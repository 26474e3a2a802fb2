package io.kaiyuan.ui.settings;

import io.kaiyuan.ui.FxWait;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kaiyuan.engine.api.ExecutionProvider;
import io.kaiyuan.engine.generate.LanguageModel;
import io.kaiyuan.engine.ort.OrtRuntime;
import io.kaiyuan.engine.remote.RemoteEndpoints;
import io.kaiyuan.engine.remote.Secrets;
import io.kaiyuan.engine.server.ModelPool;
import io.kaiyuan.engine.server.OpenAiServer;
import io.kaiyuan.engine.server.ServerConfig;
import io.kaiyuan.ui.shell.MainWindow;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import javafx.scene.Scene;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/**
 * The API server switch and the remote endpoints on the Settings page, over real engine servers on
 * loopback (their model lists need no model loaded).
 */
@ExtendWith(ApplicationExtension.class)
class ApiServerSettingsTest {
    private final List<Settings> saved = new CopyOnWriteArrayList<>();
    private ExecutorService io;
    private String storedKey = "";

    /** Starts and stops the engine's server as the app's wiring does, keeping the key in memory. */
    private final ApiServerControl control = new ApiServerControl() {
        private OpenAiServer server;

        @Override
        public synchronized Optional<String> apply(boolean on, int port, String apiKey) throws Exception {
            if (server != null) {
                server.close();
                server = null;
            }
            storedKey = apiKey;
            if (!on) {
                return Optional.empty();
            }
            server = OpenAiServer.start(ServerConfig.defaults().withPort(port).withApiKey(apiKey), new ModelPool(new OrtRuntime(),
                    List::of, id -> Optional.empty(), new LanguageModel.LoadOptions(Optional.empty(), ExecutionProvider.CPU, 1), 1,
                    () -> 1L << 30));
            return Optional.of(server.baseUrl());
        }

        @Override
        public String apiKey() {
            return storedKey;
        }
    };

    private OpenAiServer remote;
    private RemoteEndpoints remotes;

    @Start
    void start(Stage stage) throws Exception {
        io = Executors.newSingleThreadExecutor();
        Path dir = Files.createTempDirectory("kaiyuan-remotes");
        remotes = new RemoteEndpoints(dir.resolve("endpoints.json"), new Secrets(dir.resolve("keys.json")));
        remote = OpenAiServer.start(ServerConfig.defaults().withPort(0).withApiKey("sk-lab"), new ModelPool(new OrtRuntime(),
                () -> List.of("Qwen/Qwen3-235B-A22B", "deepseek-v3"), id -> Optional.empty(),
                new LanguageModel.LoadOptions(Optional.empty(), ExecutionProvider.CPU, 1), 1, () -> 1L << 30));
        MainWindow window = new MainWindow(Locale.ENGLISH, new MainWindow.Services(null, null, io, null, url -> { },
                Settings.DEFAULTS, List.of("cpu"), saved::add, null).withServer(control).withRemotes(remotes));
        stage.setScene(new Scene(window.root(), 900, 700));
        stage.show();
    }

    @AfterEach
    void stop() throws Exception {
        control.apply(false, 1, "");
        remote.close();
        io.shutdownNow();
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static int status(String url, String key) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + key)
                .build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    @Test
    void theSwitchServesWithTheKeyAndStops(FxRobot robot) throws Exception {
        robot.clickOn("#nav-settings");
        FxWait.until(10, TimeUnit.SECONDS, () -> "Off".equals(robot.lookup("#settings-server-status").queryLabeled().getText()));
        int port = freePort();
        robot.clickOn("#settings-server-port").eraseText(5).write(String.valueOf(port));
        robot.clickOn("#settings-server-key").write("sk-ui");
        robot.clickOn("#settings-server");
        String expected = "Serving at http://127.0.0.1:" + port + "/v1 (clients send the API key)";
        FxWait.until(20, TimeUnit.SECONDS, () -> expected.equals(robot.lookup("#settings-server-status").queryLabeled().getText()));
        assertEquals(200, status("http://127.0.0.1:" + port + "/v1/models", "sk-ui"));
        assertEquals(401, status("http://127.0.0.1:" + port + "/v1/models", "wrong"));
        assertTrue(robot.lookup("#settings-server-port").query().isDisabled(), "turn it off to change the port");
        assertEquals(new Settings.ApiServer(true, port), saved.get(saved.size() - 1).server(), "the switch and port are saved");
        assertFalse(saved.toString().contains("sk-ui"), "the key is not in the settings");

        robot.clickOn("#settings-server");
        FxWait.until(20, TimeUnit.SECONDS, () -> "Off".equals(robot.lookup("#settings-server-status").queryLabeled().getText()));
        assertFalse(saved.get(saved.size() - 1).server().enabled());

        robot.clickOn("#settings-server-port").eraseText(6).write("99999");
        robot.clickOn("#settings-server");
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals("The port must be a number from 1 to 65535.", robot.lookup("#settings-server-status").queryLabeled().getText());
        assertFalse(robot.lookup("#settings-server").queryAs(javafx.scene.control.CheckBox.class).isSelected());
    }

    @Test
    void aRemoteEndpointIsAddedWithItsModelsAndRemoved(FxRobot robot) throws Exception {
        robot.clickOn("#nav-settings");
        robot.interact(() -> robot.lookup("#settings-scroll").queryAs(javafx.scene.control.ScrollPane.class).setVvalue(1.0));
        robot.clickOn("#settings-remote-name").write("lab");
        robot.clickOn("#settings-remote-url").write("localhost:1/v1");
        robot.clickOn("#settings-remote-add");
        WaitForAsyncUtils.waitForFxEvents();
        assertTrue(robot.lookup("#settings-remote-status").queryLabeled().getText().contains("is not a base URL"));

        robot.clickOn("#settings-remote-url").eraseText(20).write(remote.baseUrl());
        robot.clickOn("#settings-remote-key").write("sk-wrong");
        robot.clickOn("#settings-remote-add");
        FxWait.until(20, TimeUnit.SECONDS, () -> robot.lookup("#settings-remote-status").queryLabeled().getText()
                .startsWith("lab refused the API key: check the endpoint's key in Settings. (HTTP 401"));
        assertTrue(remotes.list().isEmpty(), "nothing kept with a wrong key");

        robot.clickOn("#settings-remote-key").eraseText(8).write("sk-lab");
        robot.clickOn("#settings-remote-add");
        FxWait.until(20, TimeUnit.SECONDS, () -> "Added lab: 2 models.".equals(
                robot.lookup("#settings-remote-status").queryLabeled().getText()));
        assertEquals(List.of("remote/lab/Qwen/Qwen3-235B-A22B", "remote/lab/deepseek-v3"), remotes.modelIds());
        assertEquals(1, robot.lookup("#settings-remotes").queryListView().getItems().size());

        FxWait.until(10, TimeUnit.SECONDS, () -> robot.lookup("#settings-remote-remove-0").tryQuery().isPresent());
        robot.clickOn("#settings-remote-remove-0");
        FxWait.until(20, TimeUnit.SECONDS, () -> robot.lookup("#settings-remotes").queryListView().getItems().isEmpty());
        assertTrue(remotes.modelIds().isEmpty());
    }
}
