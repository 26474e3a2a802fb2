package io.kaiyuan.engine.api;

import java.util.Locale;

/** Where ONNX Runtime runs the model. {@link #AUTO} picks the best one present on this machine. */
public enum ExecutionProvider {
    AUTO,
    CPU,
    CUDA,
    DIRECTML,
    COREML;

    /** The name used on the command line and in JSON. */
    public String cliName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses a command-line name (case-insensitive); throws with the accepted names otherwise. */
    public static ExecutionProvider parse(String name) {
        for (ExecutionProvider p : values()) {
            if (p.cliName().equalsIgnoreCase(name.trim())) {
                return p;
            }
        }
        throw new IllegalArgumentException("Unknown provider '" + name + "': use auto, cpu, cuda, directml or coreml.");
    }
}
