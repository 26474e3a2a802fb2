package io.kaiyuan.app.mcp;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kaiyuan.engine.api.ToolUse;
import io.kaiyuan.engine.mcp.McpServers;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.client.transport.ServerParameters;
import io.modelcontextprotocol.client.transport.StdioClientTransport;
import io.modelcontextprotocol.json.jackson2.JacksonMcpJsonMapper;
import io.modelcontextprotocol.spec.McpClientTransport;
import io.modelcontextprotocol.spec.McpSchema;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One MCP server, connected through the official MCP Java SDK: over stdio (a command Kaiyuan starts) or
 * streamable HTTP (a URL). Lists the server's tools as functions a model can call and calls them, each
 * request bounded by a timeout. Not thread-safe: one caller at a time.
 */
public final class McpConnection implements AutoCloseable {
    /** The most characters of a tool's result kept for the model. */
    public static final int MAX_RESULT_CHARS = 64 * 1024;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** What a call gave back: its text (the server's text content, joined) and whether the tool failed. */
    public record Result(String text, boolean error, long millis) {}

    private final McpServers.Server config;
    private final McpSyncClient client;

    private McpConnection(McpServers.Server config, McpSyncClient client) {
        this.config = config;
        this.client = client;
    }

    /**
     * Starts or reaches the server and initializes the session.
     *
     * @param timeout the longest each request (initialization included) may take
     * @throws IOException when the server cannot be started or reached, or does not answer in time, with a
     *     message that names it
     */
    public static McpConnection open(McpServers.Server config, Duration timeout) throws IOException {
        JacksonMcpJsonMapper mapper = new JacksonMcpJsonMapper(JSON);
        McpClientTransport transport;
        if (config.stdio() && !runnable(config.command().get(0))) {
            // the SDK would wait out the whole timeout for a program that never started
            throw new IOException("The MCP server " + config.name() + " cannot start: " + config.command().get(0)
                    + " is not a program on this computer (check the command, or install it).");
        }
        if (config.stdio()) {
            ServerParameters parameters = ServerParameters.builder(config.command().get(0))
                    .args(config.command().subList(1, config.command().size())).env(config.env()).build();
            transport = new StdioClientTransport(parameters, mapper);
        } else {
            URI u = URI.create(config.url());
            String base = u.getScheme() + "://" + u.getRawAuthority();
            String path = u.getRawPath() == null || u.getRawPath().isEmpty() ? "/mcp" : u.getRawPath();
            transport = HttpClientStreamableHttpTransport.builder(base).endpoint(path).build();
        }
        McpSyncClient client = McpClient.sync(transport).requestTimeout(timeout).initializationTimeout(timeout)
                .clientInfo(new McpSchema.Implementation("kaiyuan", "0.1.0")).build();
        try {
            client.initialize();
        } catch (RuntimeException e) {
            client.closeGracefully();
            throw new IOException("The MCP server " + config.name() + " did not start or answer: " + rootMessage(e), e);
        }
        return new McpConnection(config, client);
    }

    /** Whether {@code program} is an executable file, given by path or found on the PATH. */
    static boolean runnable(String program) {
        java.nio.file.Path p = java.nio.file.Path.of(program);
        if (p.getNameCount() > 1 || p.isAbsolute()) {
            return java.nio.file.Files.isExecutable(p);
        }
        String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        String[] suffixes = System.getProperty("os.name", "").startsWith("Windows") ? new String[] {"", ".exe", ".cmd", ".bat"}
                : new String[] {""};
        for (String dir : path.split(java.io.File.pathSeparator)) {
            for (String suffix : suffixes) {
                if (!dir.isBlank() && java.nio.file.Files.isExecutable(java.nio.file.Path.of(dir, program + suffix))) {
                    return true;
                }
            }
        }
        return false;
    }

    /** The server's tools as functions a model can call (their input schemas as JSON text). */
    public List<ToolUse.Function> tools() throws IOException {
        List<ToolUse.Function> out = new ArrayList<>();
        String cursor = null;
        for (int page = 0; page < 20; page++) { // a server that pages forever is cut off
            McpSchema.ListToolsResult r;
            try {
                r = cursor == null ? client.listTools() : client.listTools(cursor);
            } catch (RuntimeException e) {
                throw new IOException("The MCP server " + config.name() + " did not list its tools: " + rootMessage(e), e);
            }
            for (McpSchema.Tool t : r.tools()) {
                out.add(new ToolUse.Function(t.name(), t.description() == null ? "" : t.description(), schema(t)));
            }
            cursor = r.nextCursor();
            if (cursor == null || cursor.isEmpty()) {
                break;
            }
        }
        return out;
    }

    /**
     * A tool's input schema as the decoder can keep to it: relaxed ({@link io.kaiyuan.engine.constrain.Schema#relax}),
     * since the server checks what cannot be enforced while generating (a URL's format, a pattern); a schema
     * that still cannot be compiled becomes any object.
     */
    static String schema(McpSchema.Tool t) {
        try {
            if (t.inputSchema() == null) {
                return "{}";
            }
            com.fasterxml.jackson.databind.JsonNode relaxed = io.kaiyuan.engine.constrain.Schema.relax(
                    JSON.valueToTree(t.inputSchema()));
            io.kaiyuan.engine.constrain.Schema.parameters(relaxed);
            return JSON.writeValueAsString(relaxed);
        } catch (JsonProcessingException | IllegalArgumentException e) {
            return "{}";
        }
    }

    /**
     * Calls {@code tool} with {@code arguments} (a JSON object's text). A tool that fails, and a server that
     * fails or does not answer in time, give an error result rather than an exception: the model is told.
     */
    public Result call(String tool, String arguments) {
        long start = System.nanoTime();
        try {
            @SuppressWarnings("unchecked")
            Map<String, Object> args = JSON.readValue(arguments, Map.class);
            McpSchema.CallToolResult r = client.callTool(new McpSchema.CallToolRequest(tool, args));
            StringBuilder text = new StringBuilder();
            for (McpSchema.Content c : r.content()) {
                if (c instanceof McpSchema.TextContent t) {
                    text.append(text.length() == 0 ? "" : "\n").append(t.text());
                } else {
                    text.append(text.length() == 0 ? "" : "\n").append('[').append(c.type()).append(']');
                }
            }
            String out = text.length() > MAX_RESULT_CHARS ? text.substring(0, MAX_RESULT_CHARS) + "…" : text.toString();
            return new Result(out, Boolean.TRUE.equals(r.isError()), elapsedMs(start));
        } catch (JsonProcessingException e) {
            return new Result("The arguments are not a JSON object: " + e.getOriginalMessage(), true, elapsedMs(start));
        } catch (RuntimeException e) {
            return new Result("The MCP server " + config.name() + " failed: " + rootMessage(e), true, elapsedMs(start));
        }
    }

    private static long elapsedMs(long start) {
        return (System.nanoTime() - start) / 1_000_000;
    }

    private static String rootMessage(Throwable e) {
        Throwable c = e;
        while (c.getCause() != null && c.getCause() != c) {
            c = c.getCause();
        }
        return c.getMessage() == null ? c.getClass().getSimpleName() : c.getMessage();
    }

    public McpServers.Server config() {
        return config;
    }

    /** Ends the session; a stdio server's process is stopped. */
    @Override
    public void close() {
        client.closeGracefully();
    }
}
