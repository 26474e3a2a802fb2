package io.kaiyuan.engine.mcp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kaiyuan.engine.io.AtomicFiles;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The MCP servers whose tools the chat may use, kept in {@code mcp.json} in the data folder (readable by
 * its owner alone: a server's environment may hold keys). A file that cannot be read is reported, never
 * overwritten until the user saves. Thread-safe.
 */
public final class McpServers {
    /** The most servers kept. */
    public static final int MAX_SERVERS = 32;
    /** The largest mcp.json read. */
    static final long MAX_FILE_BYTES = 1 << 20;
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * One server: {@code command} (stdio: the program and its arguments; {@code env} added to its
     * environment) or {@code url} (streamable HTTP), one of them; {@code ask} whether each call waits for
     * the user's yes (the default).
     */
    public record Server(String name, List<String> command, Map<String, String> env, String url, boolean ask) {
        public Server {
            Objects.requireNonNull(name, "name");
            name = name.strip();
            command = List.copyOf(command);
            env = Map.copyOf(env);
            url = url == null ? "" : url.strip();
            if (name.isEmpty() || name.length() > 64) {
                throw new IllegalArgumentException("Give the MCP server a name of 1 to 64 characters.");
            }
            if (command.isEmpty() == url.isEmpty()) {
                throw new IllegalArgumentException("An MCP server is a command to start (stdio) or a URL (HTTP), one of them.");
            }
            if (command.stream().anyMatch(String::isBlank)) {
                throw new IllegalArgumentException("The command of " + name + " has an empty part.");
            }
            if (!url.isEmpty()) {
                URI u;
                try {
                    u = URI.create(url);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException(url + " is not an address: " + e.getMessage());
                }
                if (!"http".equalsIgnoreCase(u.getScheme()) && !"https".equalsIgnoreCase(u.getScheme()) || u.getHost() == null) {
                    throw new IllegalArgumentException(url + " is not an http:// or https:// address.");
                }
            }
        }

        /** Whether Kaiyuan starts it (stdio) rather than reaching it at a URL. */
        public boolean stdio() {
            return url.isEmpty();
        }
    }

    private final Path file;
    private final List<Server> servers = new ArrayList<>();

    /**
     * Reads {@code file} (none yet: no servers).
     *
     * @throws IOException when the file cannot be read or is not a list of servers, naming the file
     */
    public McpServers(Path file) throws IOException {
        this.file = file;
        if (!Files.exists(file)) {
            return;
        }
        if (Files.size(file) > MAX_FILE_BYTES) {
            throw new IOException(file + " is larger than 1 MB: it is not Kaiyuan's list of MCP servers; move it aside.");
        }
        try {
            JsonNode root = JSON.readTree(file.toFile());
            for (JsonNode s : root.path("servers")) {
                if (servers.size() == MAX_SERVERS) {
                    break;
                }
                List<String> command = new ArrayList<>();
                s.path("command").forEach(c -> command.add(c.asText()));
                Map<String, String> env = new LinkedHashMap<>();
                for (Iterator<Map.Entry<String, JsonNode>> it = s.path("env").fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> e = it.next();
                    env.put(e.getKey(), e.getValue().asText());
                }
                servers.add(new Server(s.path("name").asText(), command, env, s.path("url").asText(""),
                        s.path("ask").asBoolean(true)));
            }
        } catch (IOException | IllegalArgumentException e) {
            servers.clear();
            throw new IOException(file + " cannot be read as Kaiyuan's list of MCP servers (" + e.getMessage()
                    + "): fix it or move it aside.", e);
        }
    }

    /** The servers, in the order they were added. */
    public synchronized List<Server> list() {
        return List.copyOf(servers);
    }

    /** Adds {@code server}, or replaces the one of that name, and saves. */
    public synchronized void put(Server server) throws IOException {
        int at = indexOf(server.name());
        if (at < 0 && servers.size() == MAX_SERVERS) {
            throw new IllegalArgumentException("Kaiyuan keeps at most " + MAX_SERVERS + " MCP servers: remove one first.");
        }
        List<Server> before = List.copyOf(servers);
        if (at < 0) {
            servers.add(server);
        } else {
            servers.set(at, server);
        }
        saveOrUndo(before);
    }

    /** Removes the server of that name, if any, and saves. */
    public synchronized void remove(String name) throws IOException {
        int at = indexOf(name);
        if (at >= 0) {
            List<Server> before = List.copyOf(servers);
            servers.remove(at);
            saveOrUndo(before);
        }
    }

    private int indexOf(String name) {
        for (int i = 0; i < servers.size(); i++) {
            if (servers.get(i).name().equals(name.strip())) {
                return i;
            }
        }
        return -1;
    }

    private void saveOrUndo(List<Server> before) throws IOException {
        ObjectNode root = JSON.createObjectNode();
        ArrayNode list = root.putArray("servers");
        for (Server s : servers) {
            ObjectNode o = list.addObject().put("name", s.name());
            if (s.stdio()) {
                s.command().forEach(o.putArray("command")::add);
                ObjectNode env = o.putObject("env");
                s.env().forEach(env::put);
            } else {
                o.put("url", s.url());
            }
            o.put("ask", s.ask());
        }
        try {
            AtomicFiles.write(file, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(root), true);
        } catch (IOException e) {
            servers.clear();
            servers.addAll(before);
            throw e;
        }
    }
}
