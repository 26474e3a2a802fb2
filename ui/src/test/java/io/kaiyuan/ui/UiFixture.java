package io.kaiyuan.ui;

import io.kaiyuan.engine.api.FinishReason;
import io.kaiyuan.engine.api.GenerationMetrics;
import io.kaiyuan.engine.api.SamplingOverrides;
import io.kaiyuan.engine.chat.ChatStore;
import io.kaiyuan.engine.chat.Conversation;
import io.kaiyuan.engine.chat.StoredMessage;
import io.kaiyuan.engine.download.FileTransfer;
import io.kaiyuan.engine.download.ModelInstaller;
import io.kaiyuan.engine.model.Catalog;
import io.kaiyuan.engine.model.MemoryFit;
import io.kaiyuan.engine.model.ModelRegistry;
import io.kaiyuan.engine.remote.RemoteEndpoints;
import io.kaiyuan.engine.remote.RemoteException;
import io.kaiyuan.engine.remote.Secrets;
import io.kaiyuan.ui.chat.ChatBackend;
import io.kaiyuan.ui.chat.ScriptedBackend;
import io.kaiyuan.ui.compare.TinyCompareBackend;
import io.kaiyuan.ui.models.EngineModelsBackend;
import io.kaiyuan.ui.settings.ApiServerControl;
import io.kaiyuan.ui.settings.HubAccess;
import io.kaiyuan.ui.settings.Settings;
import io.kaiyuan.ui.shell.MainWindow;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import javafx.application.Platform;

/** The whole window's services as the page tests use them: real stores and models, a conversation worth reading. */
final class UiFixture {
    static final String QUESTION = """
            I'm porting a small service from Go to Rust and keep fighting the borrow checker: a struct that holds a \
            reference to a config, a function that returns the longer of two string slices, and a cache that hands out \
            references to its entries. Can you explain lifetimes properly, with examples, and tell me when I should just \
            clone instead? 另外，请用中文总结一下 Go 和 Rust 在内存管理上的区别。""";
    static final String ANSWER = """
            ## What a lifetime is

            A **lifetime** is the span in which a reference is valid; you write one where a function *relates* \
            references, as `longest` does:

            ```rust
            fn longest<'a>(x: &'a str, y: &'a str) -> &'a str {
                if x.len() > y.len() { x } else { y }
            }
            ```

            | Concern | Go | Rust |
            |---|---|---|
            | Who frees memory | the garbage collector | the owner, when it goes out of scope |
            | 悬垂引用 | 不可能（GC 保留对象） | 编译时拒绝 |

            > 总结：Go 靠垃圾回收，Rust 靠所有权和借用检查。

            A very long identifier such as `this_is_a_deliberately_long_identifier_that_does_not_fit_on_one_line` wraps.""";

    /**
     * What the pages run on: a chat with a stored conversation, two tiny models to compare, a catalog whose
     * downloads go to a closed port on this machine (so they fail as unreachable, never reaching out), a
     * remote endpoint whose answers fail with the key refused, settings with the API server, remote endpoints
     * and download settings. {@code closing} gets what the test closes.
     */
    static MainWindow.Services services(Path dir, ExecutorService io, List<AutoCloseable> closing) throws Exception {
        ChatStore store = ChatStore.open(dir.resolve("chats.db"));
        closing.add(store);
        Conversation c = store.create("Lifetimes", Optional.of("qwen2.5-0.5b-instruct"));
        GenerationMetrics metrics = new GenerationMetrics(412, 0, 386, 850, 212, 910, 38.4, 4300);
        store.replaceFrom(c.id(), 0, List.of(StoredMessage.user(QUESTION), StoredMessage.answer(ANSWER,
                "The user ports a Go service to Rust. Explain lifetimes, show longest, compare with Go in a table, and "
                        + "summarise in Chinese as asked.", "qwen2.5-0.5b-instruct", "q4", SamplingOverrides.NONE, metrics,
                FinishReason.STOP)));
        store.addVersion(c.id(), 1, StoredMessage.answer("Shorter: annotate lifetimes where a function returns one of "
                + "several references; otherwise own the data.", "", "qwen2.5-0.5b-instruct", "q4", SamplingOverrides.NONE,
                metrics, FinishReason.STOP));
        ScriptedBackend chat = new ScriptedBackend() {
            @Override
            public List<ModelChoice> modelChoices() {
                return List.of(new ModelChoice("qwen2.5-0.5b-instruct", false, 786_000_000L, "q4", MemoryFit.Fit.FITS),
                        new ModelChoice("deepseek-r1-distill-qwen-1.5b", false, 1_900_000_000L, "q4", MemoryFit.Fit.TIGHT),
                        ChatBackend.ModelChoice.of("remote/lab/Qwen/Qwen3-235B-A22B-Instruct-2507"));
            }

            @Override
            public List<String> installedModels() {
                return modelChoices().stream().map(ModelChoice::id).toList();
            }

            @Override
            public java.util.OptionalInt contextWindow(String modelId) {
                return java.util.OptionalInt.of(32768);
            }

            @Override
            public void answer(String modelId, List<io.kaiyuan.engine.api.ChatMessage> conversation,
                    Map<String, Object> templateVariables, SamplingOverrides sampling, io.kaiyuan.engine.api.TokenListener listener,
                    io.kaiyuan.engine.api.CancellationToken cancel, Completion completion) {
                if (modelId.startsWith("remote/")) {
                    completion.failed(new RemoteException(RemoteException.Kind.KEY_REFUSED, "lab",
                            "lab answered HTTP 401: Authentication Fails", 401, "HTTP 401: Authentication Fails"));
                    return;
                }
                super.answer(modelId, conversation, templateVariables, sampling, listener, cancel, completion);
            }
        };
        TinyCompareBackend compare = new TinyCompareBackend(dir.resolve("compare"));
        closing.add(compare);
        ModelRegistry registry = new ModelRegistry(dir.resolve("models"));
        Path installed = dir.resolve("models").resolve("deepseek-r1-distill-qwen-1.5b");
        Files.createDirectories(installed);
        Files.writeString(installed.resolve(ModelRegistry.MANIFEST), "{\"id\":\"deepseek-r1-distill-qwen-1.5b\",\"source\":"
                + "\"huggingface\",\"repo\":\"onnx-community/DeepSeek-R1-Distill-Qwen-1.5B-ONNX\",\"commit\":"
                + "\"0123456789abcdef\",\"variant\":\"q4\",\"files\":[{\"path\":\"onnx/model_q4.onnx\",\"size\":1312000000}]}");
        Files.writeString(dir.resolve("endpoints.json"), "{\"endpoints\":[{\"name\":\"lab\",\"base_url\":"
                + "\"http://127.0.0.1:9/v1\",\"models\":[\"Qwen/Qwen3-235B-A22B-Instruct-2507\",\"deepseek-v3\"]}]}");
        RemoteEndpoints remotes = new RemoteEndpoints(dir.resolve("endpoints.json"), new Secrets(dir.resolve("keys.json")));
        ApiServerControl server = new ApiServerControl() {
            @Override
            public Optional<String> apply(boolean on, int port, String apiKey) {
                return on ? Optional.of("http://127.0.0.1:" + port + "/v1") : Optional.empty();
            }

            @Override
            public String apiKey() {
                return "";
            }
        };
        int closed;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        }
        String nowhere = "http://127.0.0.1:" + closed;
        HubAccess hubAccess = new HubAccess() {
            private volatile Values values = Values.NONE;

            @Override
            public Values load() {
                return values;
            }

            @Override
            public void save(Values v) {
                values = v;
            }
        };
        return MainWindow.Services.chat(chat, io).withStore(store)
                // the hubs at a port nothing listens on
                .withModels(new EngineModelsBackend(Catalog.bundled(), registry,
                        new ModelInstaller(registry.modelsDir(), FileTransfer.defaults()),
                        () -> Map.of("HF_ENDPOINT", nowhere, "MODELSCOPE_DOMAIN", nowhere), 16L << 30, io, null))
                .withSettings(Settings.DEFAULTS, List.of("cpu"), s -> { })
                .withCompare(compare).withServer(server).withRemotes(remotes).withHubAccess(hubAccess);
    }
}
