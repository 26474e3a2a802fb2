package io.kaiyuan.app.cli;

import io.kaiyuan.engine.api.SamplingOverrides;
import picocli.CommandLine.Option;

/** The sampling options of the commands that generate; unset ones take the model's defaults. */
final class SamplingOptions {
    @Option(names = "--temperature", paramLabel = "T", description = "0 means greedy (default: the model's).")
    Double temperature;

    @Option(names = "--top-k", paramLabel = "K", description = "Keep the K most likely tokens (default: the model's).")
    Integer topK;

    @Option(names = "--top-p", paramLabel = "P", description = "Nucleus sampling threshold (default: the model's).")
    Double topP;

    @Option(names = "--min-p", paramLabel = "P", description = "Drop tokens below P times the top probability.")
    Double minP;

    @Option(names = "--repetition-penalty", paramLabel = "R", description = "Penalise repeated tokens (default: the model's).")
    Double repetitionPenalty;

    @Option(names = "--seed", paramLabel = "S", description = "Makes sampling reproducible.")
    Long seed;

    SamplingOverrides overrides() {
        return new SamplingOverrides(temperature, topK, topP, minP, repetitionPenalty, seed);
    }
}
