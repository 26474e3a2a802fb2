package io.kaiyuan.engine.remote;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kaiyuan.engine.api.CancellationToken;
import io.kaiyuan.engine.api.ChatMessage;
import io.kaiyuan.engine.api.FinishReason;
import io.kaiyuan.engine.api.GenerationMetrics;
import io.kaiyuan.engine.api.GenerationRequest;
import io.kaiyuan.engine.api.GenerationResult;
import io.kaiyuan.engine.api.SamplingOverrides;
import io.kaiyuan.engine.api.TokenListener;
import io.kaiyuan.engine.template.ReasoningParser;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A client of an OpenAI-compatible endpoint (vLLM, SGLang, DeepSeek's or Qwen's API, ModelScope,
 * another Kaiyuan): lists its models and streams chat completions, with reasoning ({@code reasoning_content},
 * or {@code <think>} in the text) and usage reported like a local model's. Failures become
 * {@link RemoteException}s that say what the endpoint answered. The key is sent, never logged.
 * Thread-safe; calls block the calling thread.
 */
public final class RemoteClient {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int ERROR_BODY_LIMIT = 64 * 1024;

    /** A token budget this large or larger is not sent: the endpoint's own limit applies. */
    public static final int ENDPOINT_LIMIT = 1 << 20;

    private final Endpoint endpoint;
    private final Optional<String> apiKey;
    private final HttpClient http;

    public RemoteClient(Endpoint endpoint, Optional<String> apiKey) {
        this.endpoint = endpoint;
        this.apiKey = apiKey.filter(k -> !k.isBlank());
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(15))
                .followRedirects(HttpClient.Redirect.NORMAL).build();
    }

    public Endpoint endpoint() {
        return endpoint;
    }

    private HttpRequest.Builder request(String path) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(endpoint.baseUrl() + path));
        apiKey.ifPresent(k -> b.header("Authorization", "Bearer " + k));
        return b;
    }

    /** The ids of the endpoint's models ({@code GET /models}). */
    public List<String> models() {
        HttpResponse<InputStream> response = send(request("/models").timeout(Duration.ofSeconds(30)).GET().build());
        JsonNode root;
        try (InputStream in = response.body()) {
            root = JSON.readTree(in);
        } catch (IOException e) {
            root = null;
        }
        if (root == null || !root.path("data").isArray()) {
            throw new RemoteException(RemoteException.Kind.BAD_ANSWER, endpoint.name(), endpoint.name()
                    + " sent no model list from " + endpoint.baseUrl() + "/models: is the base URL right? It usually ends in /v1.",
                    response.statusCode(), "");
        }
        List<String> ids = new ArrayList<>();
        root.path("data").forEach(m -> ids.add(m.path("id").asText()));
        return ids;
    }

    /**
     * Streams a chat completion of the request's messages on {@code model}, text and reasoning to
     * {@code listener} on this thread; returns when the endpoint ends the stream or {@code cancel} stops it.
     */
    public GenerationResult chat(String model, GenerationRequest request, TokenListener listener, CancellationToken cancel) {
        if (!(request.prompt() instanceof GenerationRequest.Prompt.Chat chat)) {
            throw new IllegalArgumentException("A remote model answers chat messages, not a raw prompt.");
        }
        byte[] body = body(model, chat.messages(), request);
        long start = System.nanoTime();
        HttpResponse<InputStream> response = send(request("/chat/completions").header("Content-Type", "application/json")
                .header("Accept", "text/event-stream").POST(HttpRequest.BodyPublishers.ofByteArray(body)).build());
        Stream stream = new Stream(listener, start);
        try (InputStream in = response.body();
                CancellationToken.Registration stop = cancel.onCancel(() -> closeQuietly(in))) {
            BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            StringBuilder data = new StringBuilder();
            for (String line; (line = reader.readLine()) != null; ) {
                if (line.isEmpty()) {
                    if (data.length() > 0 && stream.event(data.toString())) {
                        break;
                    }
                    data.setLength(0);
                } else if (line.startsWith("data:")) {
                    if (data.length() > 0) {
                        data.append('\n');
                    }
                    data.append(line.substring(line.startsWith("data: ") ? 6 : 5));
                }
                // "event:", "id:", "retry:" and ":" comment lines carry nothing for chat completions
            }
            if (data.length() > 0) {
                stream.event(data.toString());
            }
        } catch (IOException e) {
            if (!cancel.isCancelled()) {
                throw new RemoteException(RemoteException.Kind.UNREACHABLE, endpoint.name(), "The connection to "
                        + endpoint.name() + " broke during the answer: " + e.getMessage(), 0, String.valueOf(e.getMessage()));
            }
        }
        return stream.result(cancel.isCancelled());
    }

    private static void closeQuietly(InputStream in) {
        try {
            in.close();
        } catch (IOException ignored) {
            // the stream is being abandoned
        }
    }

    /** The request body: messages, the settings that are set, streaming with usage. */
    static byte[] body(String model, List<ChatMessage> messages, GenerationRequest request) {
        ObjectNode root = JSON.createObjectNode();
        root.put("model", model);
        ArrayNode array = root.putArray("messages");
        for (ChatMessage m : messages) {
            ObjectNode o = array.addObject().put("role", m.role());
            if (m.content() == null) {
                o.putNull("content");
            } else {
                o.put("content", m.content());
            }
        }
        SamplingOverrides s = request.sampling();
        if (s.temperature() != null) {
            root.put("temperature", s.temperature());
        }
        if (s.topP() != null) {
            root.put("top_p", s.topP());
        }
        if (s.topK() != null) {
            root.put("top_k", s.topK());
        }
        if (s.minP() != null) {
            root.put("min_p", s.minP());
        }
        if (s.repetitionPenalty() != null) {
            root.put("repetition_penalty", s.repetitionPenalty());
        }
        if (s.seed() != null) {
            root.put("seed", s.seed());
        }
        if (request.maxNewTokens() < ENDPOINT_LIMIT) {
            root.put("max_tokens", request.maxNewTokens());
        }
        if (!request.stopStrings().isEmpty()) {
            ArrayNode stop = root.putArray("stop");
            request.stopStrings().forEach(stop::add);
        }
        switch (request.format().kind()) {
            case JSON_OBJECT -> root.putObject("response_format").put("type", "json_object");
            case JSON_SCHEMA -> {
                // the endpoint enforces the schema its own way
                ObjectNode schema = root.putObject("response_format").put("type", "json_schema").putObject("json_schema")
                        .put("name", "answer").put("strict", true);
                try {
                    schema.set("schema", JSON.readTree(request.format().schema()));
                } catch (JsonProcessingException e) {
                    throw new IllegalArgumentException("The JSON schema is not valid JSON: " + e.getOriginalMessage(), e);
                }
            }
            default -> { }
        }
        root.put("stream", true);
        root.putObject("stream_options").put("include_usage", true);
        try {
            return JSON.writeValueAsBytes(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Sends and returns a 2xx response; anything else becomes a RemoteException with the endpoint's message. */
    private HttpResponse<InputStream> send(HttpRequest request) {
        HttpResponse<InputStream> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
        } catch (ConnectException e) {
            throw new RemoteException(RemoteException.Kind.UNREACHABLE, endpoint.name(), "Cannot reach " + endpoint.name()
                    + " at " + endpoint.baseUrl() + ": the connection was refused. Is the server running and the address right?",
                    0, "");
        } catch (HttpTimeoutException e) {
            throw new RemoteException(RemoteException.Kind.TIMEOUT, endpoint.name(), endpoint.name() + " at "
                    + endpoint.baseUrl() + " did not answer in time.", 0, "");
        } catch (IOException e) {
            throw new RemoteException(RemoteException.Kind.UNREACHABLE, endpoint.name(), "Cannot reach " + endpoint.name()
                    + " at " + endpoint.baseUrl() + ": " + e.getMessage(), 0, String.valueOf(e.getMessage()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RemoteException("Interrupted while asking " + endpoint.name() + ".");
        }
        int status = response.statusCode();
        if (status / 100 == 2) {
            return response;
        }
        String text;
        try (InputStream in = response.body()) {
            text = new String(in.readNBytes(ERROR_BODY_LIMIT), StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            text = "";
        }
        String message = text;
        try {
            JsonNode error = JSON.readTree(text);
            if (error != null && error.path("error").path("message").isTextual()) {
                message = error.path("error").path("message").asText();
            } else if (error != null && error.path("error").isTextual()) {
                message = error.path("error").asText();
            } else if (error != null && error.path("message").isTextual()) {
                message = error.path("message").asText();
            }
        } catch (JsonProcessingException notJson) {
            // the body as it came
        }
        String hint = switch (status) {
            case 401, 403 -> " Check the endpoint's API key in Settings.";
            case 404 -> " Check the base URL (it usually ends in /v1) and the model name.";
            case 429 -> " The endpoint is busy or the quota is used up: try again later.";
            default -> "";
        };
        RemoteException.Kind kind = switch (status) {
            case 401, 403 -> RemoteException.Kind.KEY_REFUSED;
            case 404 -> RemoteException.Kind.NOT_FOUND;
            case 429 -> RemoteException.Kind.BUSY;
            default -> RemoteException.Kind.SERVER_ERROR;
        };
        throw new RemoteException(kind, endpoint.name(), endpoint.name() + " answered HTTP " + status
                + (message.isEmpty() ? "." : ": " + message) + hint, status,
                message.isEmpty() ? "HTTP " + status : "HTTP " + status + ": " + message);
    }

    /** Collects a streamed answer. */
    private final class Stream {
        private final TokenListener listener;
        private final long start;
        private final ReasoningParser thinkTags = new ReasoningParser(false);
        private final StringBuilder text = new StringBuilder();
        private final StringBuilder reasoning = new StringBuilder();
        private final StringBuilder answer = new StringBuilder();
        private long firstNanos;
        private long reasoningEndNanos;
        private int chunks;
        private String finish;
        private JsonNode usage;
        private boolean done;

        Stream(TokenListener listener, long start) {
            this.listener = listener;
            this.start = start;
        }

        /** Handles one event's data; true at [DONE]. */
        boolean event(String data) {
            if (data.strip().equals("[DONE]")) {
                done = true;
                return true;
            }
            JsonNode chunk;
            try {
                chunk = JSON.readTree(data);
            } catch (JsonProcessingException e) {
                throw new RemoteException(RemoteException.Kind.BAD_ANSWER, endpoint.name(), endpoint.name()
                        + " sent an event that is not JSON: " + (data.length() > 200 ? data.substring(0, 200) + "..." : data),
                        0, "");
            }
            if (chunk.has("error")) {
                JsonNode e = chunk.get("error");
                String said = e.path("message").isTextual() ? e.path("message").asText() : e.toString();
                throw new RemoteException(RemoteException.Kind.SERVER_ERROR, endpoint.name(), endpoint.name()
                        + " stopped with an error: " + said, 0, said);
            }
            if (chunk.path("usage").isObject()) {
                usage = chunk.get("usage");
            }
            for (JsonNode choice : chunk.path("choices")) {
                JsonNode delta = choice.path("delta");
                String thought = delta.path("reasoning_content").isTextual() ? delta.get("reasoning_content").asText()
                        : delta.path("reasoning").isTextual() ? delta.get("reasoning").asText() : "";
                if (!thought.isEmpty()) {
                    first();
                    reasoning.append(thought);
                    listener.onReasoning(thought);
                }
                if (delta.path("content").isTextual() && !delta.get("content").asText().isEmpty()) {
                    first();
                    String content = delta.get("content").asText();
                    if (reasoning.length() > 0 && reasoningEndNanos == 0) {
                        reasoningEndNanos = System.nanoTime();
                    }
                    text.append(content);
                    send(thinkTags.add(content));
                }
                if (choice.path("finish_reason").isTextual()) {
                    finish = choice.get("finish_reason").asText();
                }
            }
            return false;
        }

        private void first() {
            chunks++;
            if (firstNanos == 0) {
                firstNanos = System.nanoTime();
            }
        }

        private void send(ReasoningParser.Delta d) {
            d.deliver(reasoning, answer, listener);
        }

        GenerationResult result(boolean cancelled) {
            send(thinkTags.finish());
            if (!cancelled && !done && finish == null) {
                throw new RemoteException(RemoteException.Kind.BAD_ANSWER, endpoint.name(), endpoint.name()
                        + " ended the answer early (no finish reason and no [DONE]).", 0, "");
            }
            long end = System.nanoTime();
            int promptTokens = usage == null ? 0 : usage.path("prompt_tokens").asInt();
            int generated = usage == null ? chunks : usage.path("completion_tokens").asInt(chunks);
            double ttftMs = firstNanos == 0 ? 0 : (firstNanos - start) / 1e6;
            double decodeSeconds = firstNanos == 0 ? 0 : (end - firstNanos) / 1e9;
            double perSecond = decodeSeconds > 0 && generated > 1 ? (generated - 1) / decodeSeconds : 0;
            double reasoningMs = reasoning.length() == 0 ? 0
                    : ((reasoningEndNanos == 0 ? end : reasoningEndNanos) - firstNanos) / 1e6;
            FinishReason reason = cancelled ? FinishReason.CANCELLED
                    : "length".equals(finish) ? FinishReason.LENGTH : FinishReason.STOP;
            return new GenerationResult(List.of(), List.of(), text.toString(), reasoning.toString(), answer.toString(),
                    thinkTags.unclosed(), reason, new GenerationMetrics(promptTokens, 0, generated, 0, ttftMs, 0, perSecond,
                            reasoningMs));
        }
    }
}
