package io.kaiyuan.ui.compare;

import io.kaiyuan.engine.api.SamplingOverrides;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;

/** Sampling settings as typed on the page; an empty field is not set here. */
public final class SamplingFields {
    private final StringProperty temperature = new SimpleStringProperty("");
    private final StringProperty topP = new SimpleStringProperty("");
    private final StringProperty topK = new SimpleStringProperty("");
    private final StringProperty minP = new SimpleStringProperty("");
    private final StringProperty seed = new SimpleStringProperty("");

    /** Temperature; 0 for greedy. */
    public StringProperty temperatureProperty() {
        return temperature;
    }

    public StringProperty topPProperty() {
        return topP;
    }

    public StringProperty topKProperty() {
        return topK;
    }

    public StringProperty minPProperty() {
        return minP;
    }

    public StringProperty seedProperty() {
        return seed;
    }

    javafx.beans.Observable[] all() {
        return new javafx.beans.Observable[] {temperature, topP, topK, minP, seed};
    }

    /** The fields as settings; throws NumberFormatException on a field that is not a number. */
    SamplingOverrides overrides() {
        return new SamplingOverrides(number(temperature, Double::valueOf), number(topK, Integer::valueOf),
                number(topP, Double::valueOf), number(minP, Double::valueOf), null, number(seed, Long::valueOf));
    }

    /** Shows {@code s} in the fields (unset values empty). */
    void set(SamplingOverrides s) {
        temperature.set(text(s.temperature()));
        topP.set(text(s.topP()));
        topK.set(text(s.topK()));
        minP.set(text(s.minP()));
        seed.set(text(s.seed()));
    }

    private static String text(Object value) {
        return value == null ? "" : String.valueOf(value);
    }

    /** Result of a {@code valueOf} on a field's text, or null when the field is empty. */
    static <T> T number(StringProperty field, java.util.function.Function<String, T> parse) {
        String text = field.get() == null ? "" : field.get().strip();
        return text.isEmpty() ? null : parse.apply(text);
    }
}
