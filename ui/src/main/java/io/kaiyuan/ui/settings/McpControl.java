package io.kaiyuan.ui.settings;

import io.kaiyuan.engine.mcp.McpServers;
import java.io.IOException;
import java.util.List;

/**
 * The MCP servers whose tools the chat offers, as Settings edits them: the list kept in mcp.json, and a
 * check that starts or reaches a server and lists its tools. Called off the FX thread.
 */
public interface McpControl {
    List<McpServers.Server> list();

    void put(McpServers.Server server) throws IOException;

    void remove(String name) throws IOException;

    /** Starts or reaches the server and lists its tools' names. */
    List<String> check(McpServers.Server server) throws IOException;
}
