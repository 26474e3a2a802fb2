package io.kaiyuan.app.mcp;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.modelcontextprotocol.json.jackson2.JacksonMcpJsonMapper;
import io.modelcontextprotocol.server.McpServer;
import io.modelcontextprotocol.server.McpServerFeatures;
import io.modelcontextprotocol.server.transport.StdioServerTransportProvider;
import io.modelcontextprotocol.spec.McpSchema;
import java.util.List;
import java.util.Map;

/**
 * A small MCP server over stdio, built with the official SDK's server side, for tests: {@code add} adds two
 * integers, {@code fail} is a tool that fails, {@code slow} answers after 3 s.
 */
public final class EchoMcpServer {
    private EchoMcpServer() {}

    public static void main(String[] args) throws Exception {
        JacksonMcpJsonMapper mapper = new JacksonMcpJsonMapper(new ObjectMapper());
        // ordered maps: Map.of's order changes from one JVM to the next, and two connections must see one schema
        Map<String, Object> properties = new java.util.LinkedHashMap<>();
        properties.put("a", Map.of("type", "integer"));
        properties.put("b", Map.of("type", "integer"));
        Map<String, Object> schema = new java.util.LinkedHashMap<>();
        schema.put("type", "object");
        schema.put("properties", properties);
        schema.put("required", List.of("a", "b"));
        McpSchema.Tool add = McpSchema.Tool.builder().name("add").description("Adds two integers.").inputSchema(schema).build();
        McpSchema.Tool fail = McpSchema.Tool.builder().name("fail").description("Always fails.")
                .inputSchema(Map.of("type", "object")).build();
        McpSchema.Tool slow = McpSchema.Tool.builder().name("slow").description("Answers after three seconds.")
                .inputSchema(Map.of("type", "object")).build();
        McpServer.sync(new StdioServerTransportProvider(mapper)).serverInfo("echo", "1.0")
                .capabilities(McpSchema.ServerCapabilities.builder().tools(true).build())
                .tools(new McpServerFeatures.SyncToolSpecification(add, (exchange, request) -> {
                    long sum = ((Number) request.arguments().get("a")).longValue()
                            + ((Number) request.arguments().get("b")).longValue();
                    return McpSchema.CallToolResult.builder().addTextContent(Long.toString(sum)).isError(false).build();
                }), new McpServerFeatures.SyncToolSpecification(fail, (exchange, request) ->
                        McpSchema.CallToolResult.builder().addTextContent("the disk is full").isError(true).build()),
                        new McpServerFeatures.SyncToolSpecification(slow, (exchange, request) -> {
                            try {
                                Thread.sleep(3000);
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            }
                            return McpSchema.CallToolResult.builder().addTextContent("late").build();
                        }))
                .build();
        Thread.currentThread().join(); // the transport's threads serve until stdin closes
    }
}
