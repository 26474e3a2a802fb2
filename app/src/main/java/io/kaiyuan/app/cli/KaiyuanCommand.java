package io.kaiyuan.app.cli;

import io.kaiyuan.engine.api.GenerationException;
import io.kaiyuan.engine.api.ModelLoadException;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code kaiyuan} command and its subcommands. */
@Command(
        name = "kaiyuan",
        mixinStandardHelpOptions = true,
        versionProvider = KaiyuanCommand.Version.class,
        description = {"Run China's open language models on your own machine.",
                "Without a subcommand, ./kaiyuan starts the desktop app."},
        subcommands = {GenerateCommand.class, TemplateCommand.class, CompareCommand.class, ModelsCommand.class, BenchCommand.class, ProvidersCommand.class, ServeCommand.class,
                CommandLine.HelpCommand.class})
public final class KaiyuanCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** Runs the CLI on stdout/stderr in UTF-8 and returns the exit code. */
    public static int execute(String... args) {
        PrintWriter out = new PrintWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8), true);
        PrintWriter err = new PrintWriter(new OutputStreamWriter(System.err, StandardCharsets.UTF_8), true);
        return commandLine(out, err).execute(args);
    }

    /** The configured command line writing to the given streams (tests use their own). */
    public static CommandLine commandLine(PrintWriter out, PrintWriter err) {
        CommandLine cli = new CommandLine(new KaiyuanCommand());
        cli.setOut(out);
        cli.setErr(err);
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            PrintWriter w = commandLine.getErr();
            if (e instanceof ModelLoadException || e instanceof GenerationException || e instanceof IllegalArgumentException
                    || e instanceof io.kaiyuan.engine.download.HubException
                    || e instanceof UncheckedIOException || e instanceof IOException) {
                w.println("kaiyuan: " + e.getMessage());
                if (e instanceof io.kaiyuan.engine.download.HubException hub
                        && hub.kind() == io.kaiyuan.engine.download.HubException.Kind.UNREACHABLE
                        && hub.source().filter(s -> s.equals("huggingface") || s.equals("hf-mirror")).isPresent()) {
                    w.println("kaiyuan: try another source: --source hf-mirror or --source modelscope;"
                            + " a proxy comes from HTTPS_PROXY.");
                }
                w.flush();
                return 2;
            }
            w.println("kaiyuan: unexpected error: " + e);
            e.printStackTrace(w);
            w.flush();
            return 1;
        });
        return cli;
    }

    /** The version: the module's (module path) or the jar manifest's (class path). */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            Module module = KaiyuanCommand.class.getModule();
            String v = module.isNamed()
                    ? module.getDescriptor().rawVersion().orElse(null)
                    : KaiyuanCommand.class.getPackage().getImplementationVersion();
            return new String[] {"Kaiyuan " + (v != null ? v : "development build"), runtime(),
                "Java " + Runtime.version() + " (" + System.getProperty("java.vm.name") + ")"};
        }

        /** The ONNX Runtime version and the execution providers it has here. */
        static String runtime() {
            try {
                io.kaiyuan.engine.ort.OrtRuntime ort = new io.kaiyuan.engine.ort.OrtRuntime();
                return "ONNX Runtime " + ort.version() + " (providers: " + String.join(", ",
                        ort.availableProviders().stream().map(io.kaiyuan.engine.api.ExecutionProvider::cliName).sorted().toList())
                        + ")";
            } catch (RuntimeException | LinkageError e) {
                return "ONNX Runtime: not available here (" + e.getMessage() + ")";
            }
        }
    }
}
