package io.kaiyuan.app.cli;

import io.kaiyuan.app.paths.AppPaths;
import io.kaiyuan.engine.api.ExecutionProvider;
import io.kaiyuan.engine.api.GenerationMetrics;
import io.kaiyuan.engine.generate.LanguageModel;
import io.kaiyuan.engine.model.ModelRegistry;
import io.kaiyuan.engine.ort.OrtRuntime;
import io.kaiyuan.engine.server.ModelPool;
import io.kaiyuan.engine.server.OpenAiServer;
import io.kaiyuan.engine.server.ServerConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "serve", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Serve the installed models over an OpenAI-compatible API until stopped (Ctrl+C).",
                "GET /v1/models, POST /v1/chat/completions (streaming or not). Point any OpenAI client at the"
                        + " address it prints, e.g. base URL http://127.0.0.1:11435/v1."})
final class ServeCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--host", paramLabel = "ADDRESS", defaultValue = ServerConfig.DEFAULT_HOST,
            description = "The address to listen on (default: ${DEFAULT-VALUE}, this machine only; 0.0.0.0 for every network).")
    String host;

    @Option(names = "--port", paramLabel = "N", defaultValue = "" + ServerConfig.DEFAULT_PORT,
            description = "The TCP port (default: ${DEFAULT-VALUE}; 0 picks a free one).")
    int port;

    @Option(names = "--api-key", paramLabel = "KEY",
            description = "Require 'Authorization: Bearer KEY' (default: $KAIYUAN_API_KEY, else none).")
    String apiKey;

    @Option(names = "--max-queue", paramLabel = "N", defaultValue = "" + ServerConfig.DEFAULT_MAX_QUEUE,
            description = "Requests that may wait per model behind the running one; more get 429 (default: ${DEFAULT-VALUE}).")
    int maxQueue;

    @Option(names = "--max-body-bytes", paramLabel = "N", defaultValue = "" + ServerConfig.DEFAULT_MAX_BODY_BYTES,
            description = "The largest request body accepted; larger ones get 413 (default: ${DEFAULT-VALUE}).")
    long maxBodyBytes;

    @Option(names = "--default-max-tokens", paramLabel = "N", defaultValue = "" + ServerConfig.DEFAULT_MAX_TOKENS,
            description = "Tokens a request may generate when it sets no max_tokens; the model's context ends it first"
                    + " (default: ${DEFAULT-VALUE}).")
    int defaultMaxTokens;

    @Option(names = "--allow-host", paramLabel = "NAME",
            description = "Also answer requests addressed to this Host name (repeatable; * for any). Local names always are.")
    List<String> allowHosts = new ArrayList<>();

    @Option(names = "--allow-origin", paramLabel = "ORIGIN",
            description = "Also answer web pages from this origin, e.g. https://app.example (repeatable; * for any).")
    List<String> allowOrigins = new ArrayList<>();

    @Option(names = "--provider", paramLabel = "P", defaultValue = "auto",
            description = "auto, cpu, cuda, directml or coreml (default: ${DEFAULT-VALUE}).")
    String provider;

    @Option(names = "--threads", paramLabel = "N", defaultValue = "0",
            description = "Intra-op threads per model; 0 lets ONNX Runtime choose.")
    int threads;

    /** Counted down when the server should stop (tests); Ctrl+C ends the process through the shutdown hook. */
    final CountDownLatch stop = new CountDownLatch(1);

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        String key = apiKey != null ? apiKey : System.getenv("KAIYUAN_API_KEY");
        ServerConfig config = new ServerConfig(host, port, Optional.ofNullable(key), maxQueue, maxBodyBytes,
                Set.copyOf(allowHosts), Set.copyOf(allowOrigins), defaultMaxTokens);
        ModelRegistry registry = new ModelRegistry(AppPaths.fromEnvironment().models());
        ModelPool pool = ModelPool.installed(new OrtRuntime(), registry,
                new LanguageModel.LoadOptions(Optional.empty(), ExecutionProvider.parse(provider), threads), maxQueue);
        pool.onFinished((id, r) -> {
            GenerationMetrics m = r.metrics();
            err.printf(Locale.ROOT, "%s: %d prompt + %d tokens, %s, first token %.0f ms, %.1f tokens/s%n", id,
                    r.promptTokenIds().size(), r.tokenIds().size(), r.finishReason().jsonName(), m.ttftMs(), m.decodeTokensPerS());
            err.flush();
        });
        OpenAiServer server;
        try {
            server = OpenAiServer.start(config, pool);
        } catch (java.net.BindException e) {
            pool.close();
            throw new IllegalArgumentException("Port " + port + " on " + host + " is in use: stop what uses it or pass"
                    + " --port N.");
        }
        Thread hook = new Thread(() -> {
            server.close();
            stop.countDown();
        }, "kaiyuan-serve-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        List<String> models = pool.models();
        out.println("Kaiyuan serves " + models.size() + " installed model" + (models.size() == 1 ? "" : "s") + " at "
                + server.baseUrl() + (config.apiKey().isPresent() ? " (API key required)" : "") + ". Ctrl+C stops.");
        if (models.isEmpty()) {
            out.println("No model is installed yet: './kaiyuan models pull ID' installs one (see './kaiyuan models catalog').");
        }
        if (!InetAddress.getByName(host).isLoopbackAddress()) {
            err.println("kaiyuan: listening on " + host + ": other machines can reach this port"
                    + (config.apiKey().isEmpty() ? " and no --api-key is set" : "") + ". Requests must name this machine"
                    + " in their Host header with --allow-host NAME.");
        }
        out.flush();
        err.flush();
        try {
            stop.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running and closes the server
            }
            server.close();
        }
        return 0;
    }
}
