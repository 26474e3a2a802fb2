package io.kaiyuan.app.cli;

import io.kaiyuan.engine.api.ExecutionProvider;
import io.kaiyuan.engine.ort.OrtRuntime;
import java.io.PrintWriter;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code kaiyuan providers}: the execution providers this machine and build have. */
@Command(name = "providers", mixinStandardHelpOptions = true,
        description = "List the execution providers (cpu, cuda, directml, coreml) this build of Kaiyuan can use.")
final class ProvidersCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        Set<ExecutionProvider> present = new OrtRuntime().availableProviders();
        for (ExecutionProvider p : ExecutionProvider.values()) {
            if (p != ExecutionProvider.AUTO) {
                out.printf("%-9s %s%n", p.cliName(), present.contains(p) ? "available" : "not available");
            }
        }
        out.flush();
        return 0;
    }
}
