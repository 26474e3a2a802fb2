package io.kaiyuan.engine.template.jinja;

/** A template that went past one of its {@link TemplateLimits}. */
public final class TemplateLimitException extends TemplateException {
    /** Which kind of limit: what the template is "too" of. */
    public enum Kind {
        LARGE("large"),
        DEEP("deep"),
        SLOW("slow");

        private final String word;

        Kind(String word) {
            this.word = word;
        }

        /** "large", "deep" or "slow". */
        public String word() {
            return word;
        }
    }

    private final Kind kind;

    TemplateLimitException(Kind kind, String message) {
        super(message, false);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
