package io.kaiyuan.engine.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.kaiyuan.engine.constrain.CallSection;
import io.kaiyuan.engine.constrain.Schema;
import io.kaiyuan.engine.constrain.TokenVocabulary;
import io.kaiyuan.engine.constrain.ToolCallConstraint;
import io.kaiyuan.engine.testing.TestModels;
import io.kaiyuan.engine.tokenize.Tokenizer;
import io.kaiyuan.engine.tools.ToolCallFormat;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What keeping a tool call to its format costs per generated token at Qwen's 151,936-token vocabulary,
 * step by step through an answer that thinks, says a sentence and calls two functions: Hermes-style (the
 * opening one token) and DeepSeek's (its markers many tokens, read byte by byte).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class ToolCallBenchmark {
    private static final String WEATHER = "{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\",\"maxLength\":20},"
            + "\"days\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":14}},\"required\":[\"city\",\"days\"],"
            + "\"additionalProperties\":false}";
    private static final String TIME = "{\"type\":\"object\",\"properties\":{\"zone\":{\"enum\":[\"Asia/Shanghai\",\"UTC\"]}},"
            + "\"required\":[\"zone\"]}";
    private static final String THINKING = "The user asks about the weather in Beijing and the time there.\n</think>\n\n我来查一下。";
    private static final String HERMES = THINKING + "\n<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"北京\", "
            + "\"days\": 3}}\n</tool_call>\n<tool_call>\n{\"name\": \"get_time\", \"arguments\": {\"zone\": \"Asia/Shanghai\"}}\n"
            + "</tool_call>";
    private static final String DEEPSEEK = THINKING + "<｜tool▁calls▁begin｜><｜tool▁call▁begin｜>function<｜tool▁sep｜>get_weather\n"
            + "```json\n{\"city\": \"北京\", \"days\": 3}\n```<｜tool▁call▁end｜>\n<｜tool▁call▁begin｜>function<｜tool▁sep｜>get_time\n"
            + "```json\n{\"zone\": \"Asia/Shanghai\"}\n```<｜tool▁call▁end｜><｜tool▁calls▁end｜>";

    @Param({"hermes", "deepseek"})
    public String format;

    private CallSection section;
    private TokenVocabulary vocabulary;
    private int[] history;
    private int prompt;
    private float[] logits;
    private float[] scratch;
    private ToolCallConstraint constraint;
    private int at;

    @Setup
    public void setUp() throws Exception {
        ObjectMapper json = new ObjectMapper();
        ToolCallFormat f = format.equals("hermes") ? ToolCallFormat.HERMES : ToolCallFormat.DEEPSEEK;
        section = f.section(List.of("get_weather", "get_time"),
                List.of(Schema.parameters(json.readTree(WEATHER)), Schema.parameters(json.readTree(TIME))), true);
        vocabulary = TokenVocabulary.read(TestModels.qwenTokenizerDir().resolve("tokenizer.json"), TestModels.QWEN_VOCAB);
        try (Tokenizer tokenizer = Tokenizer.load(TestModels.qwenTokenizerDir())) {
            int[] answer = tokenizer.encode(format.equals("hermes") ? HERMES : DEEPSEEK);
            prompt = 200;
            history = new int[prompt + answer.length];
            System.arraycopy(answer, 0, history, prompt, answer.length);
        }
        SplittableRandom random = new SplittableRandom(1);
        logits = new float[TestModels.QWEN_VOCAB];
        for (int i = 0; i < logits.length; i++) {
            logits[i] = (float) (random.nextGaussian() * 3);
        }
        scratch = new float[logits.length];
        restart();
    }

    private void restart() {
        constraint = new ToolCallConstraint(vocabulary, Set.of(151645, 151643), section, ToolCallConstraint.Mode.AUTO, true, true);
        at = prompt;
    }

    /** One step: the previous token taken in, the next token's mask made. */
    @Benchmark
    public float maskOneStep() {
        if (at > history.length) {
            restart();
        }
        System.arraycopy(logits, 0, scratch, 0, logits.length);
        constraint.process(scratch, history, at++);
        return scratch[0];
    }
}
