package io.kaiyuan.ui.settings;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kaiyuan.engine.mcp.McpServers;
import io.kaiyuan.ui.shell.MainWindow;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import javafx.scene.Scene;
import javafx.scene.control.Label;
import javafx.scene.control.ListView;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/** Settings' MCP servers over a real mcp.json: a server is checked before it is kept; a failing one is said. */
@ExtendWith(ApplicationExtension.class)
class McpSettingsViewTest {
    private ExecutorService io;
    private McpServers servers;

    @Start
    void start(Stage stage) throws Exception {
        io = Executors.newSingleThreadExecutor();
        Path dir = Files.createTempDirectory("kaiyuan-mcp");
        servers = new McpServers(dir.resolve("mcp.json"));
        McpControl control = new McpControl() {
            @Override
            public List<McpServers.Server> list() {
                return servers.list();
            }

            @Override
            public void put(McpServers.Server server) throws IOException {
                servers.put(server);
            }

            @Override
            public void remove(String name) throws IOException {
                servers.remove(name);
            }

            @Override
            public List<String> check(McpServers.Server server) throws IOException {
                // stands in for starting the server: "files" answers with its tools, anything else cannot start
                if (server.stdio() && server.command().get(0).equals("files-server")) {
                    return List.of("read_file", "list_directory");
                }
                throw new IOException("The MCP server " + server.name() + " cannot start: no such program.");
            }
        };
        MainWindow window = new MainWindow(Locale.ENGLISH, new MainWindow.Services(null, null, io, null, url -> { },
                Settings.DEFAULTS, List.of("cpu"), s -> { }, null).withMcp(control));
        stage.setScene(new Scene(window.root(), 1024, 700));
        stage.show();
        window.show("nav.settings");
    }

    @AfterEach
    void stop() {
        io.shutdownNow();
    }

    private void waitIdle(FxRobot robot) throws Exception {
        WaitForAsyncUtils.waitForFxEvents();
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> !robot.lookup("#settings-mcp-add").queryButton().isDisabled());
        WaitForAsyncUtils.waitForFxEvents();
    }

    @Test
    void aServerIsCheckedAndKeptAndOneThatCannotStartIsSaidAndNotKept(FxRobot robot) throws Exception {
        Label status = robot.lookup("#settings-mcp-status").queryAs(Label.class);
        robot.interact(() -> {
            robot.lookup("#settings-mcp-name").queryTextInputControl().setText("files");
            robot.lookup("#settings-mcp-target").queryTextInputControl().setText("files-server --root \"/home/me/My Documents\"");
            robot.lookup("#settings-mcp-add").queryButton().fire();
        });
        waitIdle(robot);
        assertEquals("Added files: 2 tools (read_file, list_directory).", status.getText());
        assertEquals(List.of(new McpServers.Server("files", List.of("files-server", "--root", "/home/me/My Documents"),
                java.util.Map.of(), "", true)), servers.list(), "the command split as a shell would, asking by default");
        @SuppressWarnings("unchecked")
        ListView<McpServers.Server> list = robot.lookup("#settings-mcp").queryAs(ListView.class);
        assertEquals(1, list.getItems().size());

        robot.interact(() -> {
            robot.lookup("#settings-mcp-name").queryTextInputControl().setText("broken");
            robot.lookup("#settings-mcp-target").queryTextInputControl().setText("nothing-here");
            robot.lookup("#settings-mcp-add").queryButton().fire();
        });
        waitIdle(robot);
        assertTrue(status.getText().contains("broken") && status.getText().contains("cannot start"), status.getText());
        assertEquals(1, servers.list().size(), "a server that cannot start is not kept");

        robot.interact(() -> {
            robot.lookup("#settings-mcp-name").queryTextInputControl().setText("web");
            robot.lookup("#settings-mcp-target").queryTextInputControl().setText("ftp://example.com/mcp");
            robot.lookup("#settings-mcp-add").queryButton().fire();
        });
        waitIdle(robot);
        assertTrue(status.getText().startsWith("Not added"), status.getText());

        robot.interact(() -> robot.lookup("#settings-mcp-remove-0").queryButton().fire());
        waitIdle(robot);
        assertEquals(List.of(), servers.list());
        assertEquals("Removed files.", status.getText());
    }
}
