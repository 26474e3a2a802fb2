package io.kaiyuan.app.mcp;

import io.kaiyuan.engine.mcp.McpServers;
import io.kaiyuan.ui.settings.McpControl;
import java.io.IOException;
import java.time.Duration;
import java.util.List;

/** Settings' MCP servers over mcp.json, checked through the SDK; {@code onChanged} runs after each change. */
public final class McpSettings implements McpControl {
    /** How long a check may wait for a server to start and list its tools. */
    static final Duration CHECK_TIMEOUT = Duration.ofSeconds(30);

    private final McpServers servers;
    private final Runnable onChanged;

    public McpSettings(McpServers servers, Runnable onChanged) {
        this.servers = servers;
        this.onChanged = onChanged;
    }

    @Override
    public List<McpServers.Server> list() {
        return servers.list();
    }

    @Override
    public void put(McpServers.Server server) throws IOException {
        servers.put(server);
        onChanged.run();
    }

    @Override
    public void remove(String name) throws IOException {
        servers.remove(name);
        onChanged.run();
    }

    @Override
    public List<String> check(McpServers.Server server) throws IOException {
        try (McpConnection c = McpConnection.open(server, CHECK_TIMEOUT)) {
            return c.tools().stream().map(io.kaiyuan.engine.api.ToolUse.Function::name).toList();
        }
    }
}
