package io.kaiyuan.engine.ort;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtLoggingLevel;
import ai.onnxruntime.OrtProvider;
import ai.onnxruntime.OrtSession;
import io.kaiyuan.engine.api.ExecutionProvider;
import io.kaiyuan.engine.api.ModelLoadException;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one ONNX Runtime environment of the process and the choice of execution provider. Create once in
 * the composition root and inject it. Thread-safe.
 */
public final class OrtRuntime {
    private static final Logger LOG = LoggerFactory.getLogger(OrtRuntime.class);
    /** GPU providers in the order {@link ExecutionProvider#AUTO} tries them. */
    private static final List<ExecutionProvider> AUTO_ORDER =
            List.of(ExecutionProvider.CUDA, ExecutionProvider.DIRECTML, ExecutionProvider.COREML);

    private final OrtEnvironment env;
    private final Supplier<Set<OrtProvider>> available;
    /** Where the sessions it opens write ONNX Runtime's profile (a prefix; null: no profiling). */
    private final Path profilePrefix;

    public OrtRuntime() {
        this(OrtEnvironment::getAvailableProviders, null);
    }

    /**
     * A runtime whose sessions record ONNX Runtime's own profile (every node's kernel time, every run) into a
     * JSON file named from {@code profilePrefix}; {@link ai.onnxruntime.OrtSession#endProfiling()} ends it and
     * gives the file. For measuring only: profiling slows every run down.
     */
    public static OrtRuntime profiling(Path profilePrefix) {
        return new OrtRuntime(OrtEnvironment::getAvailableProviders, profilePrefix);
    }

    /** For tests: pretend that these providers are compiled in. */
    OrtRuntime(Supplier<Set<OrtProvider>> available) {
        this(available, null);
    }

    private OrtRuntime(Supplier<Set<OrtProvider>> available, Path profilePrefix) {
        this.profilePrefix = profilePrefix;
        // Failures reach the user as exceptions with a message of Kaiyuan's; ONNX Runtime's own log would
        // only repeat them on stderr, where generated text and JSON are read by other tools.
        this.env = OrtEnvironment.getEnvironment(OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL, "kaiyuan");
        this.available = available;
    }

    public OrtEnvironment environment() {
        return env;
    }

    /** The ONNX Runtime version, such as 1.29.0. */
    public String version() {
        return env.getVersion();
    }

    /** The providers this ONNX Runtime build has, CPU always among them. */
    public Set<ExecutionProvider> availableProviders() {
        Set<ExecutionProvider> out = EnumSet.of(ExecutionProvider.CPU);
        for (OrtProvider p : available.get()) {
            switch (p) {
                case CUDA -> out.add(ExecutionProvider.CUDA);
                case DIRECT_ML -> out.add(ExecutionProvider.DIRECTML);
                case CORE_ML -> out.add(ExecutionProvider.COREML);
                default -> { }
            }
        }
        return out;
    }

    /** A session and the provider it really runs on. */
    public record OpenedSession(OrtSession session, ExecutionProvider provider) {}

    /**
     * Opens a session on the graph file (so ONNX Runtime finds its external _data files beside it).
     * {@link ExecutionProvider#AUTO} tries the GPU providers present and falls back to the CPU when one
     * fails to start; an explicit provider that is missing or fails throws
     * {@link ProviderUnavailableException} saying what to install. {@code threads} 0 leaves ONNX Runtime's
     * default (one per physical core).
     */
    public OpenedSession open(Path graph, ExecutionProvider requested, int threads) {
        Set<ExecutionProvider> present = availableProviders();
        if (requested == ExecutionProvider.AUTO) {
            for (ExecutionProvider p : AUTO_ORDER) {
                if (present.contains(p)) {
                    try {
                        return new OpenedSession(create(graph, p, threads), p);
                    } catch (OrtException | RuntimeException e) {
                        LOG.warn("{} is present but did not start ({}); running on the CPU", p.cliName(), e.getMessage());
                    }
                }
            }
            return openOn(graph, ExecutionProvider.CPU, threads);
        }
        if (!present.contains(requested)) {
            throw new ProviderUnavailableException(missingMessage(requested));
        }
        return openOn(graph, requested, threads);
    }

    private OpenedSession openOn(Path graph, ExecutionProvider provider, int threads) {
        try {
            return new OpenedSession(create(graph, provider, threads), provider);
        } catch (OrtException e) {
            if (provider != ExecutionProvider.CPU && isProviderFailure(e)) {
                throw new ProviderUnavailableException(provider.cliName() + " is in this build but did not start ("
                        + e.getMessage() + "). " + failedMessage(provider), e);
            }
            throw new ModelLoadException("ONNX Runtime cannot load " + graph + ": " + e.getMessage(), e);
        }
    }

    private static boolean isProviderFailure(OrtException e) {
        String m = String.valueOf(e.getMessage()).toLowerCase(java.util.Locale.ROOT);
        return m.contains("provider") || m.contains("cuda") || m.contains("cudnn") || m.contains("directml")
                || m.contains("coreml") || m.contains("not supported");
    }

    private OrtSession create(Path graph, ExecutionProvider provider, int threads) throws OrtException {
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            if (threads > 0) {
                options.setIntraOpNumThreads(threads);
            }
            options.setInterOpNumThreads(1);
            if (profilePrefix != null) {
                options.enableProfiling(profilePrefix.toString());
            }
            switch (provider) {
                case CUDA -> options.addCUDA(0);
                case DIRECTML -> options.addDirectML(0);
                case COREML -> options.addCoreML();
                default -> { }
            }
            return env.createSession(graph.toString(), options);
        }
    }

    /** What to do when a provider is compiled in but fails to start. */
    static String failedMessage(ExecutionProvider p) {
        return switch (p) {
            case CUDA -> "Install the NVIDIA driver, CUDA 12 and cuDNN 9 so that their libraries (libcudart,"
                    + " libcublasLt, libcudnn) are on the library path, or use --provider cpu.";
            case DIRECTML -> "Update the GPU driver and DirectX 12, or use --provider cpu.";
            case COREML -> "CoreML needs macOS 12 or later on Apple silicon; use --provider cpu.";
            default -> "Use --provider cpu.";
        };
    }

    /** What to do when a provider is missing. */
    static String missingMessage(ExecutionProvider p) {
        return switch (p) {
            case CUDA -> "CUDA is not in this build of Kaiyuan: build with 'mvn -B verify -P cuda' (onnxruntime_gpu)"
                    + " on a machine with an NVIDIA driver, CUDA 12 and cuDNN 9, or use --provider cpu.";
            case DIRECTML -> "DirectML is not in ONNX Runtime's Java packages: it needs a Windows build of ONNX Runtime"
                    + " with DirectML (onnxruntime-directml); use --provider cpu meanwhile.";
            case COREML -> "CoreML is only in ONNX Runtime for macOS on Apple silicon; use --provider cpu.";
            default -> "Use --provider cpu.";
        };
    }
}
