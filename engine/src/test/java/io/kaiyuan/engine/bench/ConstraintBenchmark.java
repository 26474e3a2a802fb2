package io.kaiyuan.engine.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.kaiyuan.engine.constrain.JsonConstraint;
import io.kaiyuan.engine.constrain.Schema;
import io.kaiyuan.engine.constrain.TokenVocabulary;
import io.kaiyuan.engine.testing.TestModels;
import io.kaiyuan.engine.tokenize.Tokenizer;
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
 * What constrained decoding costs per generated token at Qwen's 151,936-token vocabulary: the mask of the
 * tokens that can continue the document, step by step through a typical answer (keys, free text in
 * Chinese and English, numbers, enums, arrays). Compare with {@code PerTokenBenchmark.chooseGreedy} and a
 * decode step's time from {@code ./kaiyuan bench}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class ConstraintBenchmark {
    /** A person record, and a tool call's arguments (nested object, array of enums). */
    private static final String[] SCHEMAS = {
        "{\"type\":\"object\",\"properties\":{\"name\":{\"type\":\"string\",\"maxLength\":40},\"age\":{\"type\":\"integer\","
                + "\"minimum\":0,\"maximum\":150},\"city\":{\"enum\":[\"北京\",\"上海\",\"深圳\"]},\"bio\":{\"type\":\"string\"}},"
                + "\"required\":[\"name\",\"age\",\"city\",\"bio\"],\"additionalProperties\":false}",
        "{\"type\":\"object\",\"properties\":{\"location\":{\"type\":\"object\",\"properties\":{\"lat\":{\"type\":\"number\","
                + "\"minimum\":-90,\"maximum\":90},\"lon\":{\"type\":\"number\",\"minimum\":-180,\"maximum\":180}},"
                + "\"required\":[\"lat\",\"lon\"],\"additionalProperties\":false},\"units\":{\"type\":\"array\",\"items\":"
                + "{\"enum\":[\"celsius\",\"fahrenheit\"]},\"maxItems\":2},\"days\":{\"type\":\"integer\",\"minimum\":1,"
                + "\"maximum\":14}},\"required\":[\"location\",\"units\",\"days\"],\"additionalProperties\":false}"};
    private static final String[] DOCUMENTS = {
        "{\n  \"name\": \"李雷 (Li Lei)\",\n  \"age\": 34,\n  \"city\": \"深圳\",\n  \"bio\": \"在深圳做嵌入式开发，喜欢爬山和开源模型。"
                + " Works on embedded systems in Shenzhen and runs open models at home.\"\n}",
        "{\"location\": {\"lat\": 31.2304, \"lon\": 121.4737}, \"units\": [\"celsius\"], \"days\": 7}"};

    @Param({"person", "weatherTool"})
    public String schema;

    private Schema compiled;
    private TokenVocabulary vocabulary;
    private int[] history;
    private int prompt;
    private int documentEnd;
    private float[] logits;
    private float[] scratch;
    private JsonConstraint constraint;
    private int at;

    @Setup
    public void setUp() throws Exception {
        int which = schema.equals("person") ? 0 : 1;
        compiled = Schema.compile(new ObjectMapper().readTree(SCHEMAS[which]));
        vocabulary = TokenVocabulary.read(TestModels.qwenTokenizerDir().resolve("tokenizer.json"), TestModels.QWEN_VOCAB);
        try (Tokenizer tokenizer = Tokenizer.load(TestModels.qwenTokenizerDir())) {
            int[] doc = tokenizer.encode(DOCUMENTS[which]);
            prompt = 200;
            history = new int[prompt + doc.length];
            System.arraycopy(doc, 0, history, prompt, doc.length);
            documentEnd = history.length;
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
        constraint = new JsonConstraint(compiled, vocabulary, Set.of(151645, 151643));
        at = prompt;
    }

    /** One step: the previous token taken in, the next token's mask made. */
    @Benchmark
    public float maskOneStep() {
        if (at > documentEnd) {
            restart();
        }
        System.arraycopy(logits, 0, scratch, 0, logits.length);
        constraint.process(scratch, history, at++);
        return scratch[0];
    }
}
