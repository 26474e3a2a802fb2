package io.kaiyuan.engine.template.jinja;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The template features the issue lists, each on its own (the corpus covers them in real templates). */
class FeaturesTest {
    private static String render(String template, Map<String, Object> context) {
        return JinjaTemplate.compile(template).render(context,
                Clock.fixed(Instant.parse("2025-07-10T08:30:00Z"), ZoneOffset.UTC));
    }

    private static String render(String template) {
        return render(template, Map.of());
    }

    @Test
    void slicingWithStepsAndNegativeIndexes() {
        Map<String, Object> ctx = Map.of("m", List.of(1, 2, 3, 4));
        assertEquals("[4, 3, 2, 1]|[2, 3, 4]|4|[1, 3]", render("{{ m[::-1] }}|{{ m[1:] }}|{{ m[-1] }}|{{ m[::2] }}", ctx));
        assertEquals("olleh", render("{{ 'hello'[::-1] }}"));
    }

    @Test
    void namespacesLoopsAndMacros() {
        String t = "{%- set ns = namespace(n=0) -%}{%- for x in [1,2,3] if x > 1 -%}{%- set ns.n = ns.n + x -%}"
                + "{{ loop.index }}/{{ loop.length }}{{ ',' if not loop.last }}{%- endfor -%}={{ ns.n }}"
                + "{% macro greet(name, p='Hi') %}{{ p }} {{ name }}{% endmacro %};{{ greet('你') }};{{ greet('x', p='Yo') }}";
        assertEquals("1/2,2/2=5;Hi 你;Yo x", render(t));
        assertEquals("empty", render("{% for x in [] %}{{ x }}{% else %}empty{% endfor %}"));
        assertEquals("12", render("{% for x in [1,2,3] %}{% if x == 3 %}{% break %}{% endif %}{{ x }}{% endfor %}"));
    }

    @Test
    void pythonStringAndDictMethods() {
        assertEquals("abc|xab|b-c|True", render("{{ '\\n\\nabc\\n'.strip('\\n') }}|{{ 'xabx'.rstrip('x') }}|"
                + "{{ 'a-b-c'.split('-', 1)[1] }}|{{ 'True' if 'think'.startswith(('x', 'th')) }}"));
        assertEquals("v|d|k=v", render("{{ d.get('k') }}|{{ d.get('z', 'd') }}|{% for k, v in d.items() %}{{ k }}={{ v }}{% endfor %}",
                Map.of("d", Map.of("k", "v"))));
    }

    @Test
    void filtersFromTheIssue() {
        assertEquals("[2, 3]|[1]|[0, \"\"]", render("{{ [0, 2, '', 3] | select | list }}|{{ [1, 2, 3] | select('odd') | reject('equalto', 3) | list }}"
                + "|{{ [0, 2, '', 3] | reject | list }}"));
        assertEquals("3.0|2.5|2.0|3.0", render("{{ 2.5 | round }}|{{ 2.54 | round(1) }}|{{ 2.7 | round(method='floor') }}|{{ 2.1 | round(0, 'ceil') }}"));
        assertEquals("{\"b\": 1, \"a\": [1, 2]}", render("{{ {'b': 1, 'a': [1, 2]} | tojson }}"));
        assertEquals("{\n  \"b\": 1\n}", render("{{ {'b': 1} | tojson(indent=2) }}"));
        assertEquals("A|b|3|x y|Hello World", render("{{ 'a' | upper }}|{{ 'B' | lower }}|{{ [1,2,3] | length }}|"
                + "{{ ['x', 'y'] | join(' ') }}|{{ 'hello world' | title }}"));
        assertEquals("u|[\"a\", \"b\"]|1|2", render("{{ undefined_thing | default('u') }}|{{ ['b','a','b'] | unique | sort | tojson }}|"
                + "{{ '1' | int }}|{{ [1, 2] | last }}"));
    }

    @Test
    void testsAndMembership() {
        assertEquals("yes|no|yes|yes", render("{{ 'yes' if x is defined else 'no' }}|{{ 'yes' if y is defined else 'no' }}|"
                + "{{ 'yes' if x is string }}|{{ 'yes' if 'a' in ['a'] and 'z' not in 'abc' }}", Map.of("x", "s")));
        assertEquals("mapping sequence none", render("{{ 'mapping' if d is mapping }} {{ 'sequence' if l is sequence }} "
                + "{{ 'none' if n is none }}", new java.util.HashMap<>(Map.of("d", Map.of(), "l", List.of()))
                        {{ put("n", null); }}));
    }

    @Test
    void raiseExceptionAndStrftime() {
        TemplateException e = assertThrows(TemplateException.class, () -> render("{{ raise_exception('no system role') }}"));
        assertEquals("no system role", e.getMessage());
        assertEquals("10 Jul 2025", render("{{ strftime_now('%d %b %Y') }}"));
    }

    @Test
    void whitespaceControlAndTrimBlocks() {
        assertEquals("axb", render("a\n{%- if true %}x{% endif %}\nb"), "{%- strips before, trim_blocks the newline after");
        assertEquals("a b", render("a  {{- ' ' -}}  b"), "{{- and -}} strip around the expression");
        assertTrue(render("  {% if true %}\nx\n  {% endif %}\n").equals("x\n"), "lstrip_blocks and trim_blocks");
    }
}
