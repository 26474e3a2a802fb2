package io.kaiyuan.app.demo;

import io.kaiyuan.engine.api.FinishReason;
import io.kaiyuan.engine.api.GenerationMetrics;
import io.kaiyuan.engine.api.SamplingOverrides;
import io.kaiyuan.engine.chat.ChatStore;
import io.kaiyuan.engine.chat.Conversation;
import io.kaiyuan.engine.chat.StoredMessage;
import io.kaiyuan.engine.model.ModelRegistry;
import io.kaiyuan.engine.testing.TestModels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * A data folder for looking at the app: a tiny random-weight model installed (its answers are noise), and
 * stored conversations with what real answers hold: long questions, thinking, headings, code in several
 * languages, a table, Chinese, a regenerated answer, and days for the list's groups. Used by
 * docs/screenshots/make.sh; {@code main(KAIYUAN_HOME)}.
 */
public final class DemoHome {
    static final String MODEL = "demo/tiny-qwen";
    private static final GenerationMetrics METRICS = new GenerationMetrics(412, 0, 386, 850, 212, 910, 38.4, 4300);

    private static Path database;

    private DemoHome() {}

    public static void main(String[] args) throws Exception {
        Path home = Path.of(args[0]);
        Path models = home.resolve("models");
        Path folder = home.resolve("demo-model");
        if (!Files.isDirectory(folder)) {
            // 4-bit, as the models people download for the CPU
            TestModels.withTokenizer(TestModels.chatSized().dims(64, 4, 2, 16, 64).quant(io.kaiyuan.engine.testing.TinyQwen.Quant.Q4)
                    .variantFile("model_q4"), folder);
        }
        ModelRegistry registry = new ModelRegistry(models);
        if (registry.find(MODEL).isEmpty()) {
            registry.importFolder(folder, MODEL, true);
        }
        database = home.resolve("chats.db");
        try (ChatStore store = ChatStore.open(database)) {
            if (!store.list().isEmpty()) {
                return;
            }
            conversation(store, "How do I read a large CSV file in Python without running out of memory?", Duration.ofDays(9),
                    "Read it **in chunks** so only part of the file is in memory at once.\n\n"
                            + "```python\nimport pandas as pd\n\nfor chunk in pd.read_csv(\"big.csv\", chunksize=100_000):\n"
                            + "    process(chunk)  # each chunk is a DataFrame\n```\n");
            conversation(store, "SQL：怎样找出每个部门工资最高的员工？", Duration.ofDays(3),
                    "用窗口函数最清楚：\n\n```sql\nSELECT department, name, salary\nFROM (\n  SELECT *, RANK() OVER "
                            + "(PARTITION BY department ORDER BY salary DESC) AS r\n  FROM employees\n) t\nWHERE r = 1;\n```\n\n"
                            + "`RANK()` 会保留并列第一的员工；只要一个时用 `ROW_NUMBER()`。");
            Conversation weather = conversation(store, "北京和上海现在的天气怎么样？要带伞吗？", Duration.ofHours(30),
                    "北京晴，21°C，不用带伞；上海小雨，17°C，东北风 3 级，**记得带伞**。");
            store.replaceFrom(weather.id(), 1, List.of(answer("北京晴，21°C，不用带伞；上海小雨，17°C，东北风 3 级，**记得带伞**。",
                    "").withToolRounds(List.of(new io.kaiyuan.engine.chat.ToolRound("我来查一下两个城市现在的天气。",
                            "The user asks about two cities: call get_weather for each.", List.of(
                                    new io.kaiyuan.engine.chat.ToolRound.Call("call_1", "get_weather", "{\"city\": \"北京\"}",
                                            "weather", "{\"city\": \"北京\", \"sky\": \"晴\", \"temp_c\": 21, \"rain_mm\": 0}",
                                            false, 184),
                                    new io.kaiyuan.engine.chat.ToolRound.Call("call_2", "get_weather", "{\"city\": \"上海\"}",
                                            "weather", "{\"city\": \"上海\", \"sky\": \"小雨\", \"temp_c\": 17, \"rain_mm\": 4.2, "
                                                    + "\"wind\": \"东北风 3 级\"}", false, 203)))))));
            age(weather, Duration.ofHours(30));
            conversation(store, "写一首关于长江的诗", Duration.ofHours(26), """
                    ## 长江

                    > 滚滚长江东逝水，浪花淘尽英雄。

                    **源**起雪山之巅，*奔*流万里不还；
                    过三峡而声震，入东海而波宽。

                    1. 第一节写源头的冰雪
                    2. 第二节写三峡的险峻
                    3. 第三节写入海的辽阔

                    这首诗用了**对仗**和`比喻`，你想让我换成现代诗吗？""");
            Conversation rust = conversation(store, """
                    I'm porting a small service from Go to Rust and I keep fighting the borrow checker. Here is what I \
                    have: a struct that holds a reference to a config, a function that returns the longest of two string \
                    slices, and a cache that should hand out references to its entries. The compiler says "missing \
                    lifetime specifier" and "borrowed value does not live long enough".

                    Can you explain lifetimes properly, with examples, and tell me when I should just clone instead? I \
                    would also like a short comparison with how Go handles the same things.""",
                    Duration.ofMinutes(20), """
                    ## What a lifetime is

                    A **lifetime** is the span of code in which a reference is valid. The compiler checks that no reference
                    outlives the value it points to; most of the time it infers lifetimes, and you write them only where a
                    function or a struct *relates* several references, as `longest` does:

                    ```rust
                    fn longest<'a>(x: &'a str, y: &'a str) -> &'a str {
                        if x.len() > y.len() { x } else { y }
                    }

                    struct Service<'c> {
                        config: &'c Config, // the service cannot outlive its config
                    }
                    ```

                    ### When to clone instead

                    - The data is small (a few strings, a config): `clone()` costs little and removes the lifetime.
                    - The value must live in a thread or a task: use `Arc<T>` rather than a reference.
                    - A cache that hands out entries: return `Arc<Entry>` so entries outlive a borrow of the cache.

                    ### Go and Rust side by side

                    | Concern | Go | Rust |
                    |---|---|---|
                    | Who frees memory | the garbage collector | the owner, when it goes out of scope |
                    | Dangling references | impossible (GC keeps the value alive) | rejected at compile time |
                    | Sharing across threads | pointers plus a `sync.Mutex` | `Arc<Mutex<T>>`, checked by `Send`/`Sync` |

                    The same function in Go needs no annotation, because the collector keeps both strings alive:

                    ```go
                    func longest(x, y string) string {
                        if len(x) > len(y) {
                            return x
                        }
                        return y
                    }
                    ```

                    A very long identifier such as `this_is_a_deliberately_long_identifier_that_does_not_fit_on_one_line_of_the_column` wraps too.
                    """);
            store.addVersion(rust.id(), 1, answer("""
                    Lifetimes name how long a borrow lasts. Annotate them when a function returns one of several
                    references; otherwise prefer owned values (`String`, `Arc<T>`) and let the compiler infer the rest.""",
                    "The user wants a shorter answer this time."));
            store.choose(rust.id(), 1, 0);
        }
    }

    private static StoredMessage answer(String text, String reasoning) {
        return StoredMessage.answer(text, reasoning, MODEL, "fp32", SamplingOverrides.NONE, METRICS, FinishReason.STOP);
    }

    /** A stored conversation of one turn, last changed {@code ago} before now. */
    private static Conversation conversation(ChatStore store, String question, Duration ago, String answer) throws Exception {
        Conversation c = store.create(io.kaiyuan.ui.chat.ChatViewModel.title(question), Optional.of(MODEL));
        String reasoning = answer.contains("lifetime") ? """
                The user is porting from Go and fights the borrow checker. Explain what a lifetime is, show `longest`
                and a struct holding a reference, then say when cloning or Arc is the better choice, and compare with
                Go's garbage collector in a small table.""" : "";
        store.replaceFrom(c.id(), 0, List.of(StoredMessage.user(question.strip()), answer(answer.strip(), reasoning)));
        age(c, ago);
        return c;
    }

    /** Makes conversation {@code c} last changed {@code ago} before now. */
    private static void age(Conversation c, Duration ago) throws Exception {
        Instant at = Instant.now().minus(ago);
        try (Connection db = DriverManager.getConnection("jdbc:sqlite:" + database.toAbsolutePath());
                PreparedStatement p = db.prepareStatement("UPDATE conversations SET created_at = ?, updated_at = ? WHERE id = ?")) {
            p.setString(1, at.toString());
            p.setString(2, at.toString());
            p.setLong(3, c.id());
            p.executeUpdate();
        }
    }
}
