package io.kaiyuan.app.mcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kaiyuan.engine.api.ToolUse;
import io.kaiyuan.engine.mcp.McpServers;
import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A real MCP server over stdio (the SDK's own server side, in a child JVM) through McpConnection. */
class McpConnectionTest {
    /** This JVM's class and module path, for the child server. */
    private static String classPath() {
        List<String> parts = new ArrayList<>();
        for (String key : new String[] {"jdk.module.path", "java.class.path"}) {
            String p = System.getProperty(key);
            if (p != null && !p.isBlank()) {
                parts.add(p);
            }
        }
        return String.join(File.pathSeparator, parts);
    }

    private static McpServers.Server echo() {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return new McpServers.Server("echo", List.of(java, "-cp", classPath(), EchoMcpServer.class.getName()), Map.of(), "", true);
    }

    @Test
    void toolsAreListedAndCalledAndFailuresAndTimeoutsAreErrorResults() throws Exception {
        try (McpConnection c = McpConnection.open(echo(), Duration.ofSeconds(20))) {
            List<ToolUse.Function> tools = c.tools();
            assertEquals(List.of("add", "fail", "slow"), tools.stream().map(ToolUse.Function::name).sorted().toList());
            ToolUse.Function add = tools.stream().filter(t -> t.name().equals("add")).findFirst().orElseThrow();
            assertEquals("Adds two integers.", add.description());
            assertTrue(add.parameters().contains("\"required\""), add.parameters());

            McpConnection.Result sum = c.call("add", "{\"a\": 20, \"b\": 22}");
            assertEquals("42", sum.text());
            assertTrue(!sum.error());
            McpConnection.Result failed = c.call("fail", "{}");
            assertTrue(failed.error());
            assertEquals("the disk is full", failed.text());
            McpConnection.Result bad = c.call("add", "[1, 2]");
            assertTrue(bad.error() && bad.text().contains("not a JSON object"), bad.text());
        }
        try (McpConnection c = McpConnection.open(echo(), Duration.ofSeconds(1))) {
            McpConnection.Result late = c.call("slow", "{}");
            assertTrue(late.error(), "a call past its timeout is an error result: " + late.text());
        } catch (IOException slowStart) {
            // a JVM that takes over a second to start the server: the timeout held there instead
            assertTrue(slowStart.getMessage().contains("echo"), slowStart.getMessage());
        }
    }

    @Test
    void aServerThatCannotStartIsNamed() {
        long start = System.nanoTime();
        IOException e = assertThrows(IOException.class, () -> McpConnection.open(new McpServers.Server("nowhere",
                List.of("/nonexistent/mcp-server"), Map.of(), "", true), Duration.ofSeconds(60)));
        assertTrue(e.getMessage().contains("nowhere") && e.getMessage().contains("not a program"), e.getMessage());
        assertTrue(System.nanoTime() - start < 10_000_000_000L, "a program that does not exist fails at once, not after the timeout");
        assertTrue(McpConnection.runnable("java") || System.getenv("PATH") == null, "java is found on the PATH");
    }

    /** A streamable-HTTP server: its tools listed (a schema relaxed to what the decoder keeps), a call answered. */
    @Test
    void aServerOverStreamableHttpListsAndCalls() throws Exception {
        try (HttpMcpServer http = new HttpMcpServer();
                McpConnection c = McpConnection.open(new McpServers.Server("web", List.of(), Map.of(), http.url(), true),
                        Duration.ofSeconds(20))) {
            List<ToolUse.Function> tools = c.tools();
            assertEquals(List.of("echo"), tools.stream().map(ToolUse.Function::name).toList());
            assertTrue(!tools.get(0).parameters().contains("format"), "relaxed: " + tools.get(0).parameters());
            McpConnection.Result r = c.call("echo", "{\"text\": \"你好\"}");
            assertEquals("echo: 你好", r.text());
            assertTrue(!r.error());
        }
    }
}
