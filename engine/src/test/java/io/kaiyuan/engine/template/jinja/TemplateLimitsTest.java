package io.kaiyuan.engine.template.jinja;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kaiyuan.engine.template.jinja.TemplateLimitException.Kind;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Templates are untrusted code: each bomb ends in a one-line {@link TemplateLimitException} of the right
 * kind, quickly and without exhausting the stack or the heap; the real templates stay far below every limit.
 */
@Timeout(60)
class TemplateLimitsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2025-07-10T12:00:00Z"), ZoneOffset.UTC);
    private static final Map<String, Object> NO_CONTEXT = Map.of();

    private static TemplateLimitException bomb(Kind kind, String source) {
        return bomb(kind, source, TemplateLimits.DEFAULT);
    }

    private static TemplateLimitException bomb(Kind kind, String source, TemplateLimits limits) {
        long start = System.nanoTime();
        TemplateLimitException e = assertThrows(TemplateLimitException.class,
                () -> JinjaTemplate.compile(source, limits).render(NO_CONTEXT, CLOCK, limits));
        String shown = source.length() > 70 ? source.substring(0, 70) + "..." : source;
        System.out.printf(Locale.ROOT, "template bomb %s: %s after %d ms: %s%n", shown.replace("\n", " "), kind,
                (System.nanoTime() - start) / 1_000_000, e.getMessage());
        assertEquals(kind, e.kind(), e.getMessage());
        assertTrue(!e.getMessage().contains("\n") && e.getStackTrace().length < 200, "one line, a short trace");
        return e;
    }

    @Test
    void nestedStatementsAreRefusedWhenRead() {
        String source = "{% if true %}".repeat(5000) + "x" + "{% endif %}".repeat(5000);
        assertTrue(bomb(Kind.DEEP, source).getMessage().contains("more than 100 levels"));
    }

    @Test
    void nestedParenthesesAreRefusedWhenRead() {
        bomb(Kind.DEEP, "{{ " + "(".repeat(20000) + "1" + ")".repeat(20000) + " }}");
        bomb(Kind.DEEP, "{{ " + "-".repeat(20000) + "1 }}");
        bomb(Kind.DEEP, "{{ " + "not ".repeat(20000) + "1 }}");
        bomb(Kind.DEEP, "{{ f" + "()".repeat(20000) + " }}");
    }

    @Test
    void aMacroThatCallsItselfWithoutEndIsStopped() {
        assertTrue(bomb(Kind.DEEP, "{% macro m(n) %}{{ m(n + 1) }}{% endmacro %}{{ m(0) }}").getMessage()
                .contains("calls itself"));
    }

    @Test
    void aLongChainOfOperatorsIsStopped() {
        bomb(Kind.DEEP, "{{ " + "1 + ".repeat(100_000) + "1 }}");
    }

    @Test
    void aHugeRangeIsRefusedBeforeItIsBuilt() {
        assertTrue(bomb(Kind.LARGE, "{% for i in range(999999999) %}{% endfor %}").getMessage()
                .contains("more than 1,048,576 items"));
        bomb(Kind.LARGE, "{{ range(-9223372036854775807, 9223372036854775807) | length }}");
    }

    @Test
    void endlessLoopsRunOutOfSteps() {
        String source = "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}";
        assertTrue(bomb(Kind.SLOW, source).getMessage().contains("more than 10,000,000 steps"));
    }

    @Test
    void theDeadlineStopsASlowRender() {
        TemplateLimits limits = new TemplateLimits(1 << 20, 100, 400, 200, Long.MAX_VALUE, 4 << 20, 1 << 20,
                Long.MAX_VALUE, Duration.ofMillis(300));
        String source = "{% for i in range(100000) %}{% for j in range(100000) %}{{ j }}{% endfor %}{% endfor %}";
        long start = System.nanoTime();
        TemplateLimitException e = bomb(Kind.SLOW, source.replace("{{ j }}", ""), limits);
        assertTrue(e.getMessage().contains("did not finish within 0.3 s"), e.getMessage());
        assertTrue((System.nanoTime() - start) / 1_000_000 < 20_000, "stopped near its deadline");
    }

    @Test
    void doublingATextIsStopped() {
        String source = "{% set ns = namespace(s='ab') %}{% for i in range(64) %}{% set ns.s = ns.s ~ ns.s %}"
                + "{% endfor %}{{ ns.s | length }}";
        assertTrue(bomb(Kind.LARGE, source).getMessage().contains("longer than 4,194,304 characters"));
        bomb(Kind.LARGE, source.replace("ns.s ~ ns.s", "ns.s + ns.s"));
        bomb(Kind.LARGE, "{% set ns = namespace(l=[1]) %}{% for i in range(64) %}{% set ns.l = ns.l + ns.l %}"
                + "{% endfor %}");
    }

    @Test
    void amplifyingFiltersAreStopped() {
        String big = "{% set ns = namespace(s='abcdefghij') %}{% for i in range(18) %}{% set ns.s = ns.s ~ ns.s %}"
                + "{% endfor %}";
        bomb(Kind.LARGE, big + "{{ ns.s.replace('a', ns.s) }}");
        bomb(Kind.LARGE, big + "{{ ns.s | replace('', ns.s) }}");
        bomb(Kind.LARGE, "{{ 'x' | indent(999999999, true) }}");
        bomb(Kind.LARGE, big + "{{ [ns.s, ns.s, ns.s, ns.s, ns.s, ns.s, ns.s, ns.s, ns.s, ns.s] | join(ns.s) }}");
    }

    @Test
    void keepingManyLargeValuesRunsOutOfBudget() {
        String source = "{% set ns = namespace(s='abcdefghij', l=[]) %}{% for i in range(18) %}"
                + "{% set ns.s = ns.s ~ ns.s %}{% endfor %}"
                + "{% for i in range(100000) %}{% set ns.l = ns.l + [ns.s ~ i] %}{% endfor %}";
        assertTrue(bomb(Kind.LARGE, source).getMessage().contains("in all"));
        bomb(Kind.LARGE, "{% set ns = namespace(s='abcdefghij') %}{% for i in range(18) %}"
                + "{% set ns.s = ns.s ~ ns.s %}{% endfor %}{{ [" + "ns.s, ".repeat(60) + "1] | tojson }}");
    }

    @Test
    void deeplyNestedValuesAreNotWrittenOut() {
        bomb(Kind.DEEP, "{% set ns = namespace(x=[]) %}{% for i in range(100000) %}{% set ns.x = [ns.x] %}{% endfor %}"
                + "{{ ns.x | tojson }}");
        bomb(Kind.DEEP, "{% set ns = namespace() %}{% set ns.self = ns %}{{ ns }}");
    }

    @Test
    void aTooLongSourceIsRefused() {
        bomb(Kind.LARGE, "x".repeat((1 << 20) + 1));
    }

    @Test
    void theOutputIsCappedToo() {
        bomb(Kind.LARGE, "{% for i in range(1000000) %}0123456789{% endfor %}");
    }

    /**
     * The headroom the real templates leave: each of the 53 corpus templates and the Qwen3 cases rendered
     * with its own context and with its conversation repeated 100 times, measured against every limit.
     */
    @Test
    void realTemplatesStayFarBelowEveryLimit() throws IOException {
        TemplateLimits limits = TemplateLimits.DEFAULT;
        long operations = 0;
        long evaluationDepth = 0;
        long chars = 0;
        long items = 0;
        long built = 0;
        int nesting = 0;
        int rendered = 0;
        long slowestNanos = 0;
        List<Map<String, Object>> contexts = new ArrayList<>();
        List<String> sources = new ArrayList<>();
        for (JsonNode c : corpus("/chat-templates/hf-jinja-e2e.json")) {
            sources.add(c.get("chat_template").asText());
            contexts.add(JSON.convertValue(c.get("context"), Map.class));
        }
        JsonNode qwen3 = tree("/chat-templates/qwen3-transformersjs.json");
        String qwen3Template = qwen3Template();
        for (JsonNode c : qwen3.get("cases")) {
            Map<String, Object> context = new LinkedHashMap<>();
            context.put("messages", JSON.convertValue(c.get("messages"), List.class));
            context.put("add_generation_prompt", true);
            context.put("enable_thinking", c.get("enable_thinking").asBoolean());
            sources.add(qwen3Template);
            contexts.add(context);
        }
        for (int i = 0; i < sources.size(); i++) {
            String source = sources.get(i);
            nesting = Math.max(nesting, leastNesting(source));
            JinjaTemplate template = JinjaTemplate.compile(source, limits);
            for (Map<String, Object> context : List.of(contexts.get(i), longer(contexts.get(i), 100))) {
                JinjaTemplate.Measured m;
                long start = System.nanoTime();
                try {
                    m = template.measure(context, CLOCK, limits);
                    slowestNanos = Math.max(slowestNanos, System.nanoTime() - start);
                } catch (TemplateLimitException e) {
                    throw new AssertionError("a real template went past a limit: " + e.getMessage(), e);
                } catch (TemplateException e) {
                    continue; // the repeated conversation broke the template's own rules (roles alternating)
                }
                rendered++;
                operations = Math.max(operations, m.usage().operations());
                evaluationDepth = Math.max(evaluationDepth, m.usage().evaluationDepth());
                chars = Math.max(chars, m.usage().chars());
                items = Math.max(items, m.usage().items());
                built = Math.max(built, m.usage().built());
            }
        }
        System.out.printf(Locale.ROOT, "template headroom over %d templates, %d renders: nesting %d of %d, "
                + "evaluation depth %d of %d, steps %,d of %,d, longest text %,d of %,d, longest list %,d of %,d, "
                + "built %,d of %,d, slowest render %.1f ms of %d s%n", sources.size(), rendered, nesting,
                limits.maxNesting(), evaluationDepth, limits.maxEvaluationDepth(), operations, limits.maxOperations(), chars,
                limits.maxChars(), items, limits.maxItems(), built, limits.maxBuilt(), slowestNanos / 1e6,
                limits.deadline().toSeconds());
        assertTrue(rendered > sources.size(), "the long conversations rendered too");
        assertTrue(nesting * 4 <= limits.maxNesting(), "nesting " + nesting);
        assertTrue(evaluationDepth * 4 <= limits.maxEvaluationDepth(), "evaluation depth " + evaluationDepth);
        assertTrue(operations * 20 <= limits.maxOperations(), "steps " + operations);
        assertTrue(chars * 20 <= limits.maxChars(), "text " + chars);
        assertTrue(items * 20 <= limits.maxItems(), "list " + items);
        assertTrue(built * 20 <= limits.maxBuilt(), "built " + built);
    }

    /** The smallest nesting limit the template parses under. */
    private static int leastNesting(String source) {
        for (int n = 1; ; n++) {
            try {
                JinjaTemplate.compile(source, new TemplateLimits(1 << 20, n, 400, 200, 1, 1, 1, 1, Duration.ofSeconds(1)));
                return n;
            } catch (TemplateLimitException e) {
                if (n > TemplateLimits.DEFAULT.maxNesting()) {
                    throw e;
                }
            }
        }
    }

    /** The conversation with its messages after the system message repeated {@code times} times. */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> longer(Map<String, Object> context, int times) {
        Map<String, Object> out = new LinkedHashMap<>(context);
        if (!(context.get("messages") instanceof List<?> messages) || messages.isEmpty()) {
            return out;
        }
        List<Object> head = new ArrayList<>();
        List<Object> rest = new ArrayList<>(messages);
        if (rest.get(0) instanceof Map<?, ?> first && "system".equals(first.get("role"))) {
            head.add(rest.remove(0));
        }
        List<Object> all = new ArrayList<>(head);
        for (int i = 0; i < times; i++) {
            all.addAll(rest);
        }
        out.put("messages", all);
        return out;
    }

    private static String qwen3Template() throws IOException {
        for (JsonNode c : corpus("/chat-templates/hf-jinja-e2e.json")) {
            if (c.get("name").asText().equals("Qwen/Qwen3-0.6B")) {
                return c.get("chat_template").asText();
            }
        }
        throw new AssertionError("the corpus holds Qwen3's template");
    }

    private static JsonNode corpus(String resource) throws IOException {
        return tree(resource).get("cases");
    }

    private static JsonNode tree(String resource) throws IOException {
        try (InputStream in = TemplateLimitsTest.class.getResourceAsStream(resource)) {
            return JSON.readTree(in);
        }
    }
}
