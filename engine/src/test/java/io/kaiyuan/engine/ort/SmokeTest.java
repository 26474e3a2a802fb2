package io.kaiyuan.engine.ort;

import ai.onnxruntime.*;
import io.kaiyuan.engine.testing.TinyQwen;
import java.nio.file.*;
import java.util.*;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SmokeTest {
    @TempDir Path dir;
    @Test void loads() throws Exception {
        for (TinyQwen.Spec spec : List.of(TinyQwen.qwen2(), TinyQwen.qwen3().fp16Kv(true).positionIds(false).logitsToKeep(true).externalData(true))) {
            Path m = TinyQwen.build(spec, dir.resolve(spec.modelType()));
            var env = OrtEnvironment.getEnvironment();
            try (var s = env.createSession(m.resolve("onnx/model.onnx").toString(), new OrtSession.SessionOptions())) {
                System.out.println(s.getInputInfo());
                System.out.println(s.getOutputInfo());
                Map<String, OnnxTensor> in = new HashMap<>();
                in.put("input_ids", OnnxTensor.createTensor(env, new long[][]{{5, 6, 7}}));
                in.put("attention_mask", OnnxTensor.createTensor(env, new long[][]{{1, 1, 1}}));
                if (spec.positionIds()) in.put("position_ids", OnnxTensor.createTensor(env, new long[][]{{0, 1, 2}}));
                if (spec.logitsToKeep()) in.put("num_logits_to_keep", OnnxTensor.createTensor(env, 1L));
                for (int i = 0; i < spec.layers(); i++) for (String kv : List.of("key", "value")) {
                    var buf = java.nio.ByteBuffer.allocateDirect(0);
                    in.put("past_key_values." + i + "." + kv, OnnxTensor.createTensor(env, buf, new long[]{1, spec.kvHeads(), 0, spec.headDim()}, spec.fp16Kv() ? OnnxJavaType.FLOAT16 : OnnxJavaType.FLOAT));
                }
                try (var r = s.run(in)) {
                    for (var e : r) System.out.println(e.getKey() + " " + e.getValue().getInfo());
                }
            }
        }
    }
}
