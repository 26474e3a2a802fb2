package io.kaiyuan.engine.template.jinja;

import java.time.Duration;

/**
 * How much a chat template may do, in the spirit of Jinja's sandbox: a template comes from a downloaded
 * folder and runs in the app and in the server, so it is bounded like any other input.
 *
 * @param maxSourceChars the template's own length
 * @param maxNesting how deeply statements and expressions may nest in the source
 * @param maxEvaluationDepth how deeply evaluation may nest (macro calls, recursion included)
 * @param maxValueDepth how deeply a value may nest when written out (tojson, printing a list)
 * @param maxOperations the steps one render may take (every construct evaluated is one)
 * @param maxChars the longest text a render may build, the output included
 * @param maxItems the longest list a render may build
 * @param maxBuilt the characters and list items a render may build in all
 * @param deadline the wall-clock time one render may take
 */
public record TemplateLimits(int maxSourceChars, int maxNesting, int maxEvaluationDepth, int maxValueDepth,
        long maxOperations, int maxChars, int maxItems, long maxBuilt, Duration deadline) {

    /**
     * Far above any real chat template (see {@code TemplateLimitsTest} for the headroom measured on the
     * conformance corpus and the real templates) and far below what hurts the machine.
     */
    public static final TemplateLimits DEFAULT = new TemplateLimits(1 << 20, 100, 400, 200, 10_000_000L,
            4 << 20, 1 << 20, 128L << 20, Duration.ofSeconds(5));

    public TemplateLimits {
        if (maxSourceChars <= 0 || maxNesting <= 0 || maxEvaluationDepth <= 0 || maxValueDepth <= 0
                || maxOperations <= 0 || maxChars <= 0 || maxItems <= 0 || maxBuilt <= 0
                || deadline.isNegative() || deadline.isZero()) {
            throw new IllegalArgumentException("template limits must be positive");
        }
    }
}
