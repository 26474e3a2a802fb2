package io.kaiyuan.engine.bench;

import io.kaiyuan.engine.api.SamplingParams;
import io.kaiyuan.engine.sample.Sampler;
import io.kaiyuan.engine.sample.TokenChooser;
import io.kaiyuan.engine.testing.TestModels;
import io.kaiyuan.engine.tokenize.StreamingDetokenizer;
import io.kaiyuan.engine.tokenize.Tokenizer;
import java.util.OptionalLong;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The Java work the engine does for each generated token, outside ONNX Runtime: choosing the token from
 * a Qwen-sized vocabulary (greedy, and the usual sampling settings) and streaming its text. Compare
 * with a decode step's time from {@code ./kaiyuan bench}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class PerTokenBenchmark {
    private float[] logits;
    private float[] scratch;
    private int[] history;
    private TokenChooser greedy;
    private TokenChooser sampling;
    private Tokenizer tokenizer;
    private int[] textIds;
    private StreamingDetokenizer detokenizer;
    private int next;

    @Setup
    public void setUp() {
        SplittableRandom random = new SplittableRandom(1);
        logits = new float[TestModels.QWEN_VOCAB];
        for (int i = 0; i < logits.length; i++) {
            logits[i] = (float) (random.nextGaussian() * 3);
        }
        scratch = new float[logits.length];
        history = new int[1024];
        for (int i = 0; i < history.length; i++) {
            history[i] = random.nextInt(150_000);
        }
        greedy = Sampler.of(new SamplingParams(false, 1.0, 0, 1.0, 0.0, 1.0, OptionalLong.empty()));
        // Qwen2.5-Instruct's generation_config: temperature 0.7, top-k 20, top-p 0.8, repetition penalty 1.05.
        sampling = Sampler.of(new SamplingParams(true, 0.7, 20, 0.8, 0.0, 1.05, OptionalLong.of(7)));
        tokenizer = Tokenizer.load(TestModels.qwenTokenizerDir());
        textIds = tokenizer.encode("开源模型在本地运行，数据不出本机。Open models run locally; your data stays home. 🚀 ".repeat(50));
    }

    @Setup(Level.Iteration)
    public void newStream() {
        detokenizer = new StreamingDetokenizer(tokenizer);
        next = 0;
    }

    @TearDown
    public void tearDown() {
        tokenizer.close();
    }

    @Benchmark
    public int chooseGreedy() {
        System.arraycopy(logits, 0, scratch, 0, logits.length);
        return greedy.choose(scratch, history, history.length);
    }

    @Benchmark
    public int chooseWithQwenDefaults() {
        System.arraycopy(logits, 0, scratch, 0, logits.length);
        return sampling.choose(scratch, history, history.length);
    }

    @Benchmark
    public String detokenizeOneToken() {
        if (next == textIds.length) {
            newStream();
        }
        return detokenizer.add(textIds[next++]);
    }
}
