package io.kaiyuan.app.mcp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * A small MCP server over streamable HTTP for tests, written against the protocol (JSON-RPC answers as JSON,
 * a session id from initialize, 405 for the optional event stream): one tool, {@code echo}.
 */
final class HttpMcpServer implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpServer server;

    HttpMcpServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/mcp", this::handle);
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/mcp";
    }

    private void handle(HttpExchange x) throws IOException {
        try (x) {
            if (!x.getRequestMethod().equals("POST")) {
                x.sendResponseHeaders(405, -1);
                return;
            }
            JsonNode request = JSON.readTree(x.getRequestBody().readNBytes(1 << 20));
            if (!request.has("id")) { // a notification
                x.sendResponseHeaders(202, -1);
                return;
            }
            ObjectNode answer = JSON.createObjectNode().put("jsonrpc", "2.0");
            answer.set("id", request.get("id"));
            ObjectNode result = answer.putObject("result");
            switch (request.path("method").asText()) {
                case "initialize" -> {
                    result.put("protocolVersion", request.path("params").path("protocolVersion").asText("2025-06-18"));
                    result.putObject("capabilities").putObject("tools");
                    result.putObject("serverInfo").put("name", "http-echo").put("version", "1.0");
                    x.getResponseHeaders().set("Mcp-Session-Id", "session-1");
                }
                case "tools/list" -> {
                    ObjectNode tool = result.putArray("tools").addObject().put("name", "echo").put("description", "Says it back.");
                    ObjectNode schema = tool.putObject("inputSchema").put("type", "object");
                    schema.putObject("properties").putObject("text").put("type", "string").put("format", "plain");
                    schema.putArray("required").add("text");
                }
                case "tools/call" -> {
                    result.putArray("content").addObject().put("type", "text")
                            .put("text", "echo: " + request.path("params").path("arguments").path("text").asText());
                    result.put("isError", false);
                }
                default -> {
                    answer.remove("result");
                    answer.putObject("error").put("code", -32601).put("message", "no such method");
                }
            }
            byte[] body = JSON.writeValueAsBytes(answer);
            x.getResponseHeaders().set("Content-Type", "application/json");
            x.sendResponseHeaders(200, body.length);
            try (OutputStream out = x.getResponseBody()) {
                out.write(body);
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
