package io.kaiyuan.app.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kaiyuan.engine.api.ChatMessage;
import io.kaiyuan.engine.template.ChatTemplates;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code kaiyuan template}: prints a conversation rendered with the model's own chat template. */
@Command(name = "template", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Print the prompt the model's own chat template makes of a conversation (no newline added).")
final class TemplateCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper();

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "<folder|id>",
            description = "A model folder (onnx-community layout) or the id of an installed model.")
    String model;

    @ArgGroup(exclusive = true, multiplicity = "1")
    GenerateCommand.PromptSource promptSource;

    @Option(names = "--no-generation-prompt", description = "Leave out the opening of the assistant's turn.")
    boolean noGenerationPrompt;

    @Option(names = "--enable-thinking", paramLabel = "true|false", arity = "1",
            description = "Qwen3-style templates: think before answering (the template's default when not given).")
    Boolean enableThinking;

    @Option(names = "--var", paramLabel = "NAME=JSON", description = "Another template variable, as JSON; repeatable.")
    Map<String, String> vars = new LinkedHashMap<>();

    @Override
    public Integer call() throws IOException {
        // Only the tokenizer files are read, as transformers' apply_chat_template does: no config or graph needed.
        java.nio.file.Path folder = new ModelOptions.Locator(model).folder();
        List<ChatMessage> messages = promptSource.messages != null
                ? GenerateCommand.readMessages(promptSource.messages)
                : List.of(ChatMessage.user(promptSource.prompt));
        String rendered = ChatTemplates.requireInFolder(folder)
                .render(messages, !noGenerationPrompt, variables(enableThinking, vars));
        PrintWriter out = spec.commandLine().getOut();
        out.print(rendered);
        out.flush();
        return 0;
    }

    /** Template variables from --enable-thinking and --var NAME=JSON (a bad JSON value is named). */
    static Map<String, Object> variables(Boolean enableThinking, Map<String, String> vars) {
        Map<String, Object> variables = new LinkedHashMap<>();
        for (Map.Entry<String, String> v : vars.entrySet()) {
            try {
                variables.put(v.getKey(), JSON.readValue(v.getValue(), Object.class));
            } catch (JsonProcessingException e) {
                throw new IllegalArgumentException("--var " + v.getKey() + "=" + v.getValue() + " is not JSON: "
                        + e.getOriginalMessage() + " (strings need quotes: --var name='\"text\"')");
            }
        }
        if (enableThinking != null) {
            variables.put("enable_thinking", enableThinking);
        }
        return variables;
    }
}
