package io.kaiyuan.engine.mcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The list of MCP servers in a real mcp.json. */
class McpServersTest {
    @TempDir
    Path dir;

    @Test
    void serversAreKeptInOrderReplacedByNameAndRemoved() throws Exception {
        Path file = dir.resolve("mcp.json");
        McpServers servers = new McpServers(file);
        assertEquals(List.of(), servers.list());
        McpServers.Server files = new McpServers.Server("files", List.of("npx", "-y", "@modelcontextprotocol/server-filesystem",
                "/home/me/docs"), Map.of("TOKEN", "s3cret"), "", true);
        McpServers.Server web = new McpServers.Server("web", List.of(), Map.of(), "https://mcp.example.com/mcp", false);
        servers.put(files);
        servers.put(web);
        McpServers.Server filesAgain = new McpServers.Server("files", List.of("uvx", "mcp-server-fetch"), Map.of(), "", false);
        servers.put(filesAgain);
        McpServers reread = new McpServers(file);
        assertEquals(List.of(filesAgain, web), reread.list());
        if (file.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(file)),
                    "an environment may hold keys: the owner alone reads the file");
        }
        reread.remove("files");
        assertEquals(List.of(web), new McpServers(file).list());
    }

    @Test
    void badServersAndFilesAreRefusedWithWhatToDo() throws Exception {
        assertThrows(IllegalArgumentException.class, () -> new McpServers.Server("x", List.of("a"), Map.of(), "http://h/", true));
        assertThrows(IllegalArgumentException.class, () -> new McpServers.Server("x", List.of(), Map.of(), "", true));
        assertThrows(IllegalArgumentException.class, () -> new McpServers.Server("x", List.of(), Map.of(), "file:///etc/passwd", true));
        assertThrows(IllegalArgumentException.class, () -> new McpServers.Server(" ", List.of("a"), Map.of(), "", true));
        Path broken = dir.resolve("broken.json");
        Files.writeString(broken, "{\"servers\": [{\"name\": \"x\"}]}");
        IOException e = assertThrows(IOException.class, () -> new McpServers(broken));
        assertTrue(e.getMessage().contains("broken.json") && e.getMessage().contains("move it aside"), e.getMessage());
        assertEquals("{\"servers\": [{\"name\": \"x\"}]}", Files.readString(broken), "a file that cannot be read is left alone");
    }
}
