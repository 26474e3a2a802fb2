package io.kaiyuan.engine.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.kaiyuan.engine.api.CancellationToken;
import io.kaiyuan.engine.api.GenerationException;
import io.kaiyuan.engine.api.GenerationResult;
import io.kaiyuan.engine.api.ModelLoadException;
import io.kaiyuan.engine.api.TokenListener;
import io.kaiyuan.engine.template.ChatTemplateException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kaiyuan's OpenAI-compatible HTTP API over the installed models: {@code GET /v1/models},
 * {@code GET /v1/models/{id}} and {@code POST /v1/chat/completions}, streaming (server-sent events) or
 * not. Safe by default: it binds 127.0.0.1, answers only local Host and Origin names unless others are
 * configured (against DNS rebinding), checks the API key when one is set, limits the body size, answers
 * 429 when a model's queue is full, and stops a streaming generation whose client has gone.
 */
public final class OpenAiServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(OpenAiServer.class);
    private static final Set<String> LOCAL_HOSTS = Set.of("localhost", "127.0.0.1", "::1");

    private final ServerConfig config;
    private final ModelPool pool;
    private final HttpServer http;
    private final ExecutorService handlers;
    private final AtomicBoolean closed = new AtomicBoolean();

    /** Binds the address and starts answering. */
    public static OpenAiServer start(ServerConfig config, ModelPool pool) throws IOException {
        return new OpenAiServer(config, pool);
    }

    private OpenAiServer(ServerConfig config, ModelPool pool) throws IOException {
        this.config = config;
        this.pool = pool;
        this.http = HttpServer.create(new InetSocketAddress(config.host(), config.port()), 512);
        this.handlers = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "kaiyuan-http");
            t.setDaemon(true);
            return t;
        });
        http.setExecutor(handlers);
        http.createContext("/", this::handle);
        http.start();
        LOG.info("serving the OpenAI API on http://{}:{}/v1", config.host(), port());
    }

    /** The port bound (the one chosen when the configuration asked for 0). */
    public int port() {
        return http.getAddress().getPort();
    }

    /** The API's base address, such as {@code http://127.0.0.1:11435/v1}. */
    public String baseUrl() {
        String host = config.host().contains(":") ? "[" + config.host() + "]" : config.host();
        return "http://" + (config.host().equals("0.0.0.0") ? "127.0.0.1" : host) + ":" + port() + "/v1";
    }

    /** Stops listening, ends open exchanges and closes the models. Any thread; once is enough. */
    @Override
    public void close() {
        if (closed.getAndSet(true)) {
            return;
        }
        http.stop(0);
        handlers.shutdownNow();
        pool.close();
    }

    private void handle(HttpExchange exchange) {
        try {
            String origin = exchange.getRequestHeaders().getFirst("Origin");
            if (!hostAllowed(exchange.getRequestHeaders().getFirst("Host"))) {
                send(exchange, 403, OpenAiProtocol.error("This server answers requests for localhost only; start it with"
                        + " --allow-host NAME to answer another Host name.", "invalid_request_error", null, "host_not_allowed"));
                return;
            }
            if (origin != null) {
                if (!originAllowed(origin)) {
                    send(exchange, 403, OpenAiProtocol.error("Requests from the web page at " + origin + " are refused;"
                            + " start the server with --allow-origin " + origin + " to allow them.", "invalid_request_error",
                            null, "origin_not_allowed"));
                    return;
                }
                Headers h = exchange.getResponseHeaders();
                h.set("Access-Control-Allow-Origin", origin);
                h.set("Vary", "Origin");
                if (exchange.getRequestMethod().equals("OPTIONS")) {
                    h.set("Access-Control-Allow-Methods", "GET, POST, OPTIONS");
                    h.set("Access-Control-Allow-Headers", allowedRequestHeaders(
                            exchange.getRequestHeaders().getFirst("Access-Control-Request-Headers")));
                    h.set("Access-Control-Max-Age", "600");
                    exchange.sendResponseHeaders(204, -1);
                    return;
                }
            }
            if (!authorized(exchange.getRequestHeaders().getFirst("Authorization"))) {
                send(exchange, 401, OpenAiProtocol.error("Incorrect or missing API key: send the server's key as"
                        + " 'Authorization: Bearer KEY'.", "invalid_request_error", null, "invalid_api_key"));
                return;
            }
            route(exchange);
        } catch (IOException e) {
            LOG.debug("exchange ended early: {}", e.toString());
        } catch (RuntimeException e) {
            LOG.warn("request failed", e);
            try {
                send(exchange, 500, OpenAiProtocol.error("The server failed to answer this request.", "server_error",
                        null, null));
            } catch (IOException | RuntimeException alreadyAnswered) {
                LOG.debug("no answer could be sent: {}", alreadyAnswered.toString());
            }
        } finally {
            exchange.close();
        }
    }

    private void route(HttpExchange exchange) throws IOException {
        String method = exchange.getRequestMethod();
        String path = exchange.getRequestURI().getPath();
        if (path.endsWith("/") && path.length() > 1) {
            path = path.substring(0, path.length() - 1);
        }
        switch (path) {
            case "/v1/models" -> {
                if (allow(exchange, "GET")) {
                    ObjectNode root = OpenAiProtocol.JSON.createObjectNode().put("object", "list");
                    ArrayNode data = root.putArray("data");
                    pool.models().forEach(id -> data.add(model(id)));
                    send(exchange, 200, root);
                }
            }
            case "/v1/chat/completions" -> {
                if (allow(exchange, "POST")) {
                    chatCompletions(exchange);
                }
            }
            case "/health" -> {
                if (allow(exchange, "GET")) {
                    send(exchange, 200, OpenAiProtocol.JSON.createObjectNode().put("status", "ok"));
                }
            }
            default -> {
                if (path.startsWith("/v1/models/") && allow(exchange, "GET")) {
                    String id = path.substring("/v1/models/".length());
                    if (pool.models().contains(id)) {
                        send(exchange, 200, model(id));
                    } else {
                        send(exchange, 404, OpenAiProtocol.error("The model '" + id + "' does not exist.",
                                "invalid_request_error", "model", "model_not_found"));
                    }
                } else if (!path.startsWith("/v1/models/")) {
                    send(exchange, 404, OpenAiProtocol.error("Unknown request URL: " + method + " " + path
                            + ". The API is under /v1: GET /v1/models, POST /v1/chat/completions.",
                            "invalid_request_error", null, "unknown_url"));
                }
            }
        }
    }

    /** The most characters of Access-Control-Request-Headers echoed. */
    private static final int MAX_REQUEST_HEADERS = 2048;

    /**
     * The headers a preflight asks for (browser SDKs send their own, such as OpenAI's x-stainless-*),
     * echoed when they are a plain list of header names; Authorization and Content-Type always.
     */
    static String allowedRequestHeaders(String requested) {
        if (requested == null || requested.isBlank() || requested.length() > MAX_REQUEST_HEADERS
                || !requested.matches("[A-Za-z0-9!#$%&'*+.^_`|~-]+(\\s*,\\s*[A-Za-z0-9!#$%&'*+.^_`|~-]+)*\\s*")) {
            return "Authorization, Content-Type";
        }
        return "Authorization, Content-Type, " + requested.strip();
    }

    private static ObjectNode model(String id) {
        return OpenAiProtocol.JSON.createObjectNode().put("id", id).put("object", "model").put("created", 0)
                .put("owned_by", "kaiyuan");
    }

    private static boolean allow(HttpExchange exchange, String method) throws IOException {
        if (exchange.getRequestMethod().equals(method)) {
            return true;
        }
        exchange.getResponseHeaders().set("Allow", method);
        send(exchange, 405, OpenAiProtocol.error(exchange.getRequestMethod() + " is not allowed here; use " + method + ".",
                "invalid_request_error", null, "method_not_allowed"));
        return false;
    }

    private void chatCompletions(HttpExchange exchange) throws IOException {
        OpenAiProtocol.ChatRequest request;
        try {
            byte[] body = readBody(exchange);
            if (body == null) {
                return; // answered 413
            }
            JsonNode json;
            try {
                json = OpenAiProtocol.JSON.readTree(body);
            } catch (JsonProcessingException e) {
                send(exchange, 400, OpenAiProtocol.error("The body is not valid JSON: " + jsonProblem(e),
                        "invalid_request_error", null, "invalid_json"));
                return;
            }
            request = OpenAiProtocol.chatRequest(json, config.defaultMaxTokens());
        } catch (OpenAiProtocol.BadRequest e) {
            send(exchange, 400, OpenAiProtocol.error(e.getMessage(), "invalid_request_error", e.param(), null));
            return;
        }
        String id = "chatcmpl-" + UUID.randomUUID().toString().replace("-", "");
        long created = System.currentTimeMillis() / 1000;
        CancellationToken cancel = new CancellationToken();
        BlockingQueue<Event> events = new LinkedBlockingQueue<>();
        AtomicBoolean accepted = new AtomicBoolean();
        AtomicBoolean started = new AtomicBoolean();
        boolean stream = request.stream();
        TokenListener listener = new TokenListener() {
            @Override
            public void onText(String text) {
                if (stream) {
                    events.add(new Event(text, false));
                }
            }

            @Override
            public void onReasoning(String text) {
                if (stream) {
                    events.add(new Event(text, true));
                }
            }

            @Override
            public void onToolCall(int index, io.kaiyuan.engine.api.ToolCall call) {
                if (stream) {
                    events.add(new Event(null, false, index, call));
                }
            }

            @Override
            public void onPromptAccepted() {
                accepted.set(true);
                events.add(Event.ACCEPTED);
            }
        };
        CompletableFuture<GenerationResult> future;
        try {
            future = pool.submit(request.model(), request.request(), listener, cancel, () -> started.set(true));
        } catch (ModelPool.UnknownModelException e) {
            send(exchange, 404, OpenAiProtocol.error(e.getMessage(), "invalid_request_error", "model", "model_not_found"));
            return;
        } catch (ModelPool.QueueFullException e) {
            exchange.getResponseHeaders().set("Retry-After", "1");
            send(exchange, 429, OpenAiProtocol.error(e.getMessage(), "rate_limit_error", null, "rate_limit_exceeded"));
            return;
        }
        future.whenComplete((r, t) -> events.add(Event.END));
        if (stream) {
            stream(exchange, request, id, created, events, future, started, cancel);
            return;
        }
        answer(exchange, request, id, created, future, accepted, started, cancel);
    }

    /**
     * Answers a non-streaming request. While the answer is being generated the connection is watched:
     * once the prompt is accepted (or after {@link #queueCommitMs} waiting in the queue), the status
     * and headers go out and a space follows every {@link #heartbeatMs} ms before the JSON (whitespace a
     * JSON reader skips, as OpenAI-compatible servers send); a write that fails means the client has gone,
     * and its generation is stopped, or never started when it was still queued.
     */
    private void answer(HttpExchange exchange, OpenAiProtocol.ChatRequest request, String id, long created,
            CompletableFuture<GenerationResult> future, AtomicBoolean accepted,
            AtomicBoolean started, CancellationToken cancel) throws IOException {
        long start = System.nanoTime();
        OutputStream out = null;
        try {
            while (true) {
                try {
                    GenerationResult result = future.get(heartbeatMs, TimeUnit.MILLISECONDS);
                    ObjectNode body = OpenAiProtocol.completion(id, created, request.model(), result);
                    if (out == null) {
                        send(exchange, 200, body);
                    } else {
                        out.write(OpenAiProtocol.JSON.writeValueAsBytes(body));
                        out.close();
                    }
                    return;
                } catch (TimeoutException stillRunning) {
                    if (out == null && (accepted.get() || !started.get() && System.nanoTime() - start
                            > TimeUnit.MILLISECONDS.toNanos(queueCommitMs))) {
                        exchange.getResponseHeaders().set("Content-Type", "application/json");
                        exchange.sendResponseHeaders(200, 0);
                        out = exchange.getResponseBody();
                    }
                    if (out != null) {
                        out.write(' ');
                        out.flush();
                    }
                } catch (ExecutionException e) {
                    if (out == null) {
                        sendFailure(exchange, e.getCause());
                    } else {
                        // The status has gone out: the failure is the body, in OpenAI's error shape.
                        out.write(OpenAiProtocol.JSON.writeValueAsBytes(failure(e.getCause()).body()));
                        out.close();
                    }
                    return;
                }
            }
        } catch (IOException gone) {
            cancel.cancel();
            LOG.debug("a client went away before its answer; its generation is stopped");
        } catch (InterruptedException e) {
            cancel.cancel();
            Thread.currentThread().interrupt();
        }
    }

    /** The parser's complaint in one line, with where it is, without the parser's own wording of the source. */
    static String jsonProblem(JsonProcessingException e) {
        String problem = e.getOriginalMessage() == null ? "it cannot be read" : e.getOriginalMessage();
        int cut = problem.indexOf('\n');
        problem = cut >= 0 ? problem.substring(0, cut) : problem;
        cut = problem.indexOf(" (for ");
        problem = cut >= 0 ? problem.substring(0, cut) : problem;
        problem = problem.replaceAll("\\s*\\(?Source: REDACTED[^)]*\\)?", "")
                .replaceAll(",? from `[^`]*`", "").replace("`", "'").strip();
        if (problem.length() > 300) {
            problem = problem.substring(0, 300) + "...";
        }
        com.fasterxml.jackson.core.JsonLocation at = e.getLocation();
        return at == null || at.getLineNr() < 0 ? problem
                : problem + " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")";
    }

    /** A piece of streamed text; {@link #ACCEPTED} when the prompt is accepted, {@link #END} when the generation ends. */
    /** Streamed text (answer or reasoning), a tool call (with its index), or one of the markers. */
    private record Event(String text, boolean reasoning, int index, io.kaiyuan.engine.api.ToolCall call) {
        static final Event END = new Event(null, false);
        static final Event ACCEPTED = new Event(null, true);

        Event(String text, boolean reasoning) {
            this(text, reasoning, -1, null);
        }
    }

    /** How long a request waits for its model before its status goes out so its connection can be watched. */
    private volatile long queueCommitMs = 2000;

    /** How often a waiting client gets a keep-alive (a space, or an SSE comment line). */
    private volatile long heartbeatMs = 1000;

    /** Sets the keep-alive interval and the wait before a queued request's status goes out (tests: short ones). */
    void timing(long heartbeat, long queueCommit) {
        this.heartbeatMs = heartbeat;
        this.queueCommitMs = queueCommit;
    }

    /**
     * Streams the answer as server-sent events. The response starts once the prompt is accepted (or after
     * {@link #queueCommitMs} in the queue), so a request that fails before (an unknown model file, a prompt
     * longer than the context) still gets its error status; while no text comes, a keep-alive comment does
     * every {@link #heartbeatMs} ms. A write that fails means the client has gone: its generation is cancelled.
     */
    private void stream(HttpExchange exchange, OpenAiProtocol.ChatRequest request, String id, long created,
            BlockingQueue<Event> events, CompletableFuture<GenerationResult> future,
            AtomicBoolean started, CancellationToken cancel) throws IOException {
        OutputStream out = null;
        long start = System.nanoTime();
        boolean accepted = false;
        try {
            while (true) {
                Event e = events.poll(heartbeatMs, TimeUnit.MILLISECONDS);
                if (e == null || e == Event.ACCEPTED) {
                    accepted |= e == Event.ACCEPTED;
                    boolean waitedLong = !started.get() && System.nanoTime() - start
                            > TimeUnit.MILLISECONDS.toNanos(queueCommitMs);
                    if (out == null && (accepted || waitedLong)) {
                        out = startStream(exchange, request, id, created);
                    } else if (out != null) {
                        out.write(": keep-alive\n\n".getBytes(StandardCharsets.UTF_8));
                        out.flush();
                    }
                    continue;
                }
                if (e == Event.END && out == null && future.isCompletedExceptionally()) {
                    try {
                        future.get();
                    } catch (ExecutionException failure) {
                        sendFailure(exchange, failure.getCause());
                    }
                    return;
                }
                if (out == null) {
                    out = startStream(exchange, request, id, created);
                }
                if (e == Event.END) {
                    break;
                }
                ObjectNode delta = e.call() != null ? OpenAiProtocol.toolCallDelta(e.index(), e.call())
                        : OpenAiProtocol.JSON.createObjectNode().put(e.reasoning() ? "reasoning_content" : "content", e.text());
                write(out, OpenAiProtocol.chunk(id, created, request.model(), delta, null, request.includeUsage()));
            }
            GenerationResult result;
            try {
                result = future.get();
            } catch (ExecutionException failure) {
                write(out, failure(failure.getCause()).body());
                out.write("data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8));
                return;
            }
            ObjectNode last = OpenAiProtocol.chunk(id, created, request.model(), null,
                    OpenAiProtocol.finishReason(result.finishReason()), request.includeUsage());
            if (!result.logprobs().isEmpty()) {
                // Every token's log probability comes with the last chunk.
                ((ObjectNode) last.withArray("choices").get(0)).set("logprobs", OpenAiProtocol.logprobs(result));
            }
            write(out, last);
            if (request.includeUsage()) {
                write(out, OpenAiProtocol.usageChunk(id, created, request.model(), result));
            }
            out.write("data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8));
            out.flush();
        } catch (IOException gone) {
            cancel.cancel();
            LOG.debug("a streaming client went away; its generation is stopped");
        } catch (InterruptedException e) {
            cancel.cancel();
            Thread.currentThread().interrupt();
        }
    }

    /** Sends the event-stream headers and the first chunk (the assistant role). */
    private static OutputStream startStream(HttpExchange exchange, OpenAiProtocol.ChatRequest request, String id,
            long created) throws IOException {
        Headers h = exchange.getResponseHeaders();
        h.set("Content-Type", "text/event-stream; charset=utf-8");
        h.set("Cache-Control", "no-cache");
        exchange.sendResponseHeaders(200, 0);
        OutputStream out = exchange.getResponseBody();
        ObjectNode first = OpenAiProtocol.JSON.createObjectNode().put("role", "assistant").put("content", "");
        write(out, OpenAiProtocol.chunk(id, created, request.model(), first, null, request.includeUsage()));
        return out;
    }

    private static void write(OutputStream out, ObjectNode chunk) throws IOException {
        out.write(("data: " + OpenAiProtocol.JSON.writeValueAsString(chunk) + "\n\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    /** An HTTP status and OpenAI error body. */
    private record Failure(int status, ObjectNode body) {}

    /** What a failed generation answers: 400 for the request's fault, 500 for the model's or the server's. */
    private static Failure failure(Throwable cause) {
        String message = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
        if (cause instanceof ChatTemplateException t && t.pastLimits()) {
            // The model's own template is at fault, not the request.
            return new Failure(500, OpenAiProtocol.error(message, "server_error", null, "chat_template_too_costly"));
        } else if (cause instanceof GenerationException g) {
            return new Failure(400, OpenAiProtocol.error(message, "invalid_request_error", g.field(),
                    message.contains("reads at most") ? "context_length_exceeded" : null));
        } else if (cause instanceof ModelLoadException) {
            return new Failure(500, OpenAiProtocol.error("The model cannot be loaded: " + message, "server_error", "model",
                    null));
        } else if (cause instanceof CancellationException) {
            return new Failure(499, OpenAiProtocol.error("The request was cancelled.", "server_error", null, null));
        }
        LOG.warn("generation failed", cause);
        return new Failure(500, OpenAiProtocol.error("Generation failed: " + message, "server_error", null, null));
    }

    private static void sendFailure(HttpExchange exchange, Throwable cause) throws IOException {
        Failure f = failure(cause);
        send(exchange, f.status(), f.body());
    }

    /** The body, or null after answering 413 when it is larger than the limit. */
    private byte[] readBody(HttpExchange exchange) throws IOException {
        String length = exchange.getRequestHeaders().getFirst("Content-Length");
        if (length != null) {
            try {
                if (Long.parseLong(length.strip()) > config.maxBodyBytes()) {
                    // Declared too large: answered at once, then some of what the client still sends is read and
                    // dropped (for a while at most) so that closing does not reset the connection under the answer.
                    exchange.getResponseHeaders().set("Connection", "close");
                    exchange.getResponseHeaders().set("Content-Type", "application/json");
                    byte[] answer = OpenAiProtocol.JSON.writeValueAsBytes(tooLargeError());
                    exchange.sendResponseHeaders(413, answer.length);
                    OutputStream out = exchange.getResponseBody();
                    out.write(answer);
                    out.flush(); // not closed yet: that would end the connection under the unread body
                    ScheduledFuture<?> watchdog = WATCHDOG.schedule(exchange::close, DRAIN_MS,
                            TimeUnit.MILLISECONDS);
                    try {
                        drain(exchange);
                    } catch (IOException closedByWatchdog) {
                        LOG.debug("stopped reading an oversized body: {}", closedByWatchdog.toString());
                    } finally {
                        watchdog.cancel(false);
                    }
                    return null;
                }
            } catch (NumberFormatException e) {
                throw new OpenAiProtocol.BadRequest("Content-Length is not a number.", null);
            }
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        try (InputStream in = exchange.getRequestBody()) {
            for (int n; (n = in.read(buffer)) > 0; ) {
                body.write(buffer, 0, n);
                if (body.size() > config.maxBodyBytes()) {
                    tooLarge(exchange);
                    return null;
                }
            }
        }
        return body.toByteArray();
    }

    /** Bytes of an oversized body read and dropped so the client, still sending, can read the 413. */
    private static final long DRAIN_BYTES = 8L << 20;

    /** How long an oversized body declared up front is read and dropped after its 413. */
    private static final long DRAIN_MS = 2000;

    private static final ScheduledExecutorService WATCHDOG =
            Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "kaiyuan-http-watchdog");
                t.setDaemon(true);
                return t;
            });

    /** Reads and drops up to {@link #DRAIN_BYTES} of the request body. */
    private static void drain(HttpExchange exchange) throws IOException {
        try (InputStream in = exchange.getRequestBody()) {
            byte[] sink = new byte[8192];
            long dropped = 0;
            for (int n; dropped < DRAIN_BYTES && (n = in.read(sink)) > 0; ) {
                dropped += n;
            }
        }
    }

    private void tooLarge(HttpExchange exchange) throws IOException {
        // Closing with unread bytes makes TCP reset the connection, which loses the answer; drop some first.
        drain(exchange);
        exchange.getResponseHeaders().set("Connection", "close");
        send(exchange, 413, tooLargeError());
    }

    private ObjectNode tooLargeError() {
        return OpenAiProtocol.error("The request body is larger than " + config.maxBodyBytes()
                + " bytes; start the server with a larger --max-body-bytes to accept it.", "invalid_request_error", null,
                "request_too_large");
    }

    private static void send(HttpExchange exchange, int status, ObjectNode body) throws IOException {
        byte[] bytes = OpenAiProtocol.JSON.writeValueAsBytes(body);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    /** Local names always; configured ones (or any, with "*"). A request without Host (HTTP/1.0) is local. */
    boolean hostAllowed(String hostHeader) {
        if (hostHeader == null || config.allowedHosts().contains("*")) {
            return true;
        }
        String host = hostHeader.strip().toLowerCase(Locale.ROOT);
        if (host.startsWith("[")) {
            int end = host.indexOf(']');
            host = end > 0 ? host.substring(1, end) : host;
        } else if (host.indexOf(':') >= 0) {
            host = host.substring(0, host.indexOf(':'));
        }
        return LOCAL_HOSTS.contains(host) || config.allowedHosts().contains(host);
    }

    /** Pages served from this machine, and configured origins (or any, with "*"). */
    boolean originAllowed(String origin) {
        if (config.allowedOrigins().contains("*") || config.allowedOrigins().contains(origin)) {
            return true;
        }
        try {
            URI uri = URI.create(origin);
            String host = uri.getHost();
            if (host == null || !(("http".equals(uri.getScheme())) || "https".equals(uri.getScheme()))) {
                return false;
            }
            host = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
            return LOCAL_HOSTS.contains(host.toLowerCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private boolean authorized(String authorization) {
        if (config.apiKey().isEmpty()) {
            return true;
        }
        if (authorization == null) {
            return false;
        }
        String value = authorization.strip();
        int space = value.indexOf(' ');
        if (space < 0 || !value.substring(0, space).equalsIgnoreCase("Bearer")) {
            return false; // the scheme is case-insensitive (RFC 9110), the key is not
        }
        return MessageDigest.isEqual(config.apiKey().get().getBytes(StandardCharsets.UTF_8),
                value.substring(space + 1).strip().getBytes(StandardCharsets.UTF_8));
    }
}
