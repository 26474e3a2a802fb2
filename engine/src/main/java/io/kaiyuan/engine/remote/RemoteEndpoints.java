package io.kaiyuan.engine.remote;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kaiyuan.engine.api.CancellationToken;
import io.kaiyuan.engine.api.GenerationRequest;
import io.kaiyuan.engine.api.GenerationResult;
import io.kaiyuan.engine.api.TokenListener;
import io.kaiyuan.engine.io.AtomicFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The remote endpoints the user added, with the model list each had when last asked: kept in a JSON file
 * (written atomically), their keys in {@link Secrets}. Remote models are named
 * {@code remote/<endpoint>/<model>} beside the installed ones. Thread-safe; touches the disk and network.
 */
public final class RemoteEndpoints {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** An endpoint and the models it listed. */
    public record Entry(Endpoint endpoint, List<String> models) {
        public Entry {
            models = List.copyOf(models);
        }
    }

    private final Path file;
    private final Secrets secrets;
    private final Map<String, Entry> entries = new LinkedHashMap<>();

    /** Reads the endpoints file; a missing one means none, an unreadable one is named in the exception. */
    public RemoteEndpoints(Path file, Secrets secrets) throws IOException {
        this.file = file;
        this.secrets = secrets;
        if (Files.isRegularFile(file)) {
            JsonNode root;
            try {
                root = JSON.readTree(file.toFile());
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IOException(file + " cannot be read (" + e.getOriginalMessage() + "): fix or move it to start with"
                        + " no remote endpoints.", e);
            }
            for (JsonNode e : root.path("endpoints")) {
                List<String> models = new ArrayList<>();
                e.path("models").forEach(m -> models.add(m.asText()));
                Endpoint endpoint = new Endpoint(e.path("name").asText(), e.path("base_url").asText());
                entries.put(endpoint.name(), new Entry(endpoint, models));
            }
        }
    }

    /** The endpoints, in the order they were added. */
    public synchronized List<Entry> list() {
        return List.copyOf(entries.values());
    }

    /** Every remote model as {@code remote/<endpoint>/<model>}. */
    public synchronized List<String> modelIds() {
        List<String> ids = new ArrayList<>();
        entries.values().forEach(e -> e.models().forEach(m -> ids.add(e.endpoint().modelId(m))));
        return ids;
    }

    /**
     * Adds an endpoint (or replaces one of the same name) after asking it for its models, and keeps its key;
     * nothing is saved when the endpoint cannot be reached or refuses the key.
     *
     * @return the models it listed
     */
    public List<String> add(Endpoint endpoint, String apiKey) throws IOException {
        List<String> models = new RemoteClient(endpoint, java.util.Optional.ofNullable(apiKey)).models();
        synchronized (this) {
            secrets.put(endpoint.keyName(), apiKey);
            entries.put(endpoint.name(), new Entry(endpoint, models));
            save();
        }
        return models;
    }

    /** Asks an endpoint for its models again and keeps the list. */
    public List<String> refresh(String name) throws IOException {
        Entry entry;
        synchronized (this) {
            entry = entries.get(name);
        }
        if (entry == null) {
            throw new IllegalArgumentException("There is no remote endpoint named '" + name + "'.");
        }
        List<String> models = client(entry.endpoint()).models();
        synchronized (this) {
            entries.put(name, new Entry(entry.endpoint(), models));
            save();
        }
        return models;
    }

    /** Forgets an endpoint and its key. */
    public synchronized void remove(String name) throws IOException {
        if (entries.remove(name) != null) {
            secrets.put(Endpoint.keyName(name), null);
            save();
        }
    }

    /** Streams a chat completion from the endpoint that serves the remote model {@code id}. */
    public GenerationResult chat(String id, GenerationRequest request, TokenListener listener, CancellationToken cancel)
            throws IOException {
        if (!Endpoint.isRemote(id)) {
            throw new IllegalArgumentException("'" + id + "' is not a remote model.");
        }
        Entry entry;
        synchronized (this) {
            entry = entries.get(Endpoint.endpointOf(id));
        }
        if (entry == null) {
            throw new RemoteException(RemoteException.Kind.REMOVED, Endpoint.endpointOf(id), "The remote endpoint '"
                    + Endpoint.endpointOf(id) + "' was removed: add it again in Settings or pick another model.", 0, "");
        }
        return client(entry.endpoint()).chat(Endpoint.modelOf(id), request, listener, cancel);
    }

    /** The remote model {@code id} as a comparison column's model; empty when no endpoint here serves it. */
    public synchronized Optional<io.kaiyuan.engine.compare.Comparison.Remote> column(String id) {
        if (!Endpoint.isRemote(id) || !entries.containsKey(Endpoint.endpointOf(id))) {
            return Optional.empty();
        }
        String location = entries.get(Endpoint.endpointOf(id)).endpoint().baseUrl();
        return Optional.of(new io.kaiyuan.engine.compare.Comparison.Remote() {
            @Override
            public GenerationResult chat(GenerationRequest request, TokenListener listener, CancellationToken cancel) {
                try {
                    return RemoteEndpoints.this.chat(id, request, listener, cancel);
                } catch (IOException e) {
                    throw new RemoteException("The key file cannot be read: " + e.getMessage());
                }
            }

            @Override
            public String location() {
                return location;
            }
        });
    }

    private RemoteClient client(Endpoint endpoint) throws IOException {
        return new RemoteClient(endpoint, secrets.get(endpoint.keyName()));
    }

    private void save() throws IOException {
        ObjectNode root = JSON.createObjectNode();
        ArrayNode array = root.putArray("endpoints");
        for (Entry e : entries.values()) {
            ObjectNode o = array.addObject().put("name", e.endpoint().name()).put("base_url", e.endpoint().baseUrl());
            ArrayNode models = o.putArray("models");
            e.models().forEach(models::add);
        }
        AtomicFiles.write(file, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(root));
    }
}
