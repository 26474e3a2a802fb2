package io.kaiyuan.ui.compare;

import io.kaiyuan.engine.api.CancellationToken;
import io.kaiyuan.engine.api.ExecutionProvider;
import io.kaiyuan.engine.api.GenerationMetrics;
import io.kaiyuan.engine.api.SamplingOverrides;
import io.kaiyuan.engine.compare.RunCard;
import io.kaiyuan.engine.model.Variant;
import io.kaiyuan.engine.remote.Endpoint;
import java.text.MessageFormat;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.ResourceBundle;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

/** One column: the model picked, how it runs (variant, provider, its own sampling settings), and what it produced. */
public final class CompareColumn {
    /** The variant choice meaning "the best for the provider". */
    public static final String AUTO = "auto";

    private final StringProperty model = new SimpleStringProperty();
    private final StringProperty runModel = new SimpleStringProperty();
    private final StringProperty text = new SimpleStringProperty("");
    private final StringProperty reasoning = new SimpleStringProperty("");
    private final javafx.beans.property.DoubleProperty reasoningMs = new javafx.beans.property.SimpleDoubleProperty(0);
    private final StringProperty figures = new SimpleStringProperty("");
    private final StringProperty blindFigures = new SimpleStringProperty("");
    /** What this column ran in the last run (in blind mode another column's pick). */
    CompareBackend.Choice ran;
    private final StringProperty marks = new SimpleStringProperty("");
    private final StringProperty variant = new SimpleStringProperty(AUTO);
    private final StringProperty provider = new SimpleStringProperty(ExecutionProvider.AUTO.cliName());
    private final SamplingFields sampling = new SamplingFields();
    private final ObservableList<String> variants = FXCollections.observableArrayList(AUTO);
    private volatile CancellationToken stop = new CancellationToken();

    CompareColumn() {}

    /** The model picked for this column. */
    public StringProperty modelProperty() {
        return model;
    }

    /**
     * What this column ran, as titled once the names are shown and as rated on the leaderboard: the model,
     * and its variant, provider and own settings where chosen (in blind mode another column's pick, as the
     * columns are shuffled).
     */
    public StringProperty runModelProperty() {
        return runModel;
    }

    /** The answer (without the thinking). */
    public StringProperty textProperty() {
        return text;
    }

    /** The model's thinking before its answer; empty for none. */
    public StringProperty reasoningProperty() {
        return reasoning;
    }

    /** How long the model thought, once the run ended; 0 before. */
    public javafx.beans.property.DoubleProperty reasoningMsProperty() {
        return reasoningMs;
    }

    /** Time to first token, tokens/s, tokens, finish reason, load time, memory, tokens per 1,000 characters. */
    public StringProperty figuresProperty() {
        return figures;
    }

    /**
     * The figures that do not tell one model from another (nor a local one from a remote one): time to
     * first token, tokens/s, tokens and finish reason; shown in a blind run until the names are.
     */
    public StringProperty blindFiguresProperty() {
        return blindFigures;
    }

    /** Picks what {@code choice} says: model, variant, provider and own sampling. */
    void apply(CompareBackend.Choice choice) {
        model.set(choice.modelId());
        String v = choice.variant().map(Variant::cliName).orElse(AUTO);
        if (!variants.contains(v)) {
            variants.add(v);
        }
        variant.set(v);
        provider.set(choice.provider().cliName());
        sampling.set(choice.sampling());
    }

    /** Stops this column alone while the run goes on (any thread). */
    public void stop() {
        stop.cancel();
    }

    /** "fastest", "shortest" or both. */
    public StringProperty marksProperty() {
        return marks;
    }

    /** The variant (q4, fp16, ...), or {@link #AUTO} for the best one for the provider. */
    public StringProperty variantProperty() {
        return variant;
    }

    /** The variants installed for the picked model, {@link #AUTO} first. */
    public ObservableList<String> variants() {
        return variants;
    }

    /** auto, cpu, cuda, directml or coreml. */
    public StringProperty providerProperty() {
        return provider;
    }

    /** This column's own sampling settings; an empty field takes the shared value. */
    public SamplingFields sampling() {
        return sampling;
    }

    /** The properties that make up {@link #settingsSummary()}, to bind on. */
    public javafx.beans.Observable[] settings() {
        List<javafx.beans.Observable> all = new ArrayList<>(List.of(variant, provider));
        all.addAll(List.of(sampling.all()));
        return all.toArray(new javafx.beans.Observable[0]);
    }

    /** What this column sets apart from the others ("q4 · cpu · temperature=0.7"); empty when nothing. */
    public String settingsSummary() {
        List<String> parts = new ArrayList<>();
        if (variant.get() != null && !AUTO.equals(variant.get())) {
            parts.add(variant.get());
        }
        if (provider.get() != null && !ExecutionProvider.AUTO.cliName().equals(provider.get())) {
            parts.add(provider.get());
        }
        try {
            SamplingOverrides own = ownSampling();
            if (!own.equals(SamplingOverrides.NONE)) {
                parts.add(RunCard.describe(own));
            }
        } catch (NumberFormatException e) {
            parts.add("?");
        }
        return String.join(" · ", parts);
    }

    /** This column's own settings as typed; throws NumberFormatException on a field that is not a number. */
    SamplingOverrides ownSampling() {
        return sampling.overrides();
    }

    /** The choice as picked, or null when a field does not parse. */
    CompareBackend.Choice choice0() {
        try {
            return choice();
        } catch (RuntimeException e) {
            return null;
        }
    }

    CompareBackend.Choice choice() {
        boolean remote = Endpoint.isRemote(model.get()); // runs elsewhere as the endpoint chooses
        String v = remote ? null : variant.get();
        String p = remote ? null : provider.get();
        return new CompareBackend.Choice(model.get(), v == null || AUTO.equals(v) ? Optional.empty()
                : Optional.of(Variant.parse(v)), p == null ? ExecutionProvider.AUTO : ExecutionProvider.parse(p),
                ownSampling());
    }

    /** Takes a run card column's settings: what it set apart from the card's shared settings. */
    void take(RunCard.ColumnRun run, SamplingOverrides shared) {
        model.set(run.model());
        boolean remote = Endpoint.isRemote(run.model()); // its variant and provider are the endpoint's
        String v = remote ? AUTO : run.variant();
        variant.set(v);
        if (!variants.contains(v)) {
            variants.add(v);
        }
        provider.set(remote ? ExecutionProvider.AUTO.cliName() : run.provider());
        SamplingOverrides s = run.sampling();
        sampling.set(new SamplingOverrides(own(s.temperature(), shared.temperature()), own(s.topK(), shared.topK()),
                own(s.topP(), shared.topP()), own(s.minP(), shared.minP()), null, own(s.seed(), shared.seed())));
    }

    /** A column's value where it differs from the shared one, else null (the column takes the shared value). */
    private static <T> T own(T value, T shared) {
        return value == null || value.equals(shared) ? null : value;
    }

    /** Empties the answer, thinking, figures and marks before a run. */
    void clear() {
        text.set("");
        reasoning.set("");
        reasoningMs.set(0);
        figures.set("");
        blindFigures.set("");
        marks.set("");
    }

    /** A new stop for the run about to start. */
    CancellationToken newStop() {
        stop = new CancellationToken();
        return stop;
    }

    /**
     * Shows what this column ran in a finished run: its answer, thinking and figures in {@code messages}'
     * language, and whether it was the fastest or the shortest.
     *
     * @param peakNote said after the peak memory (that the models ran together), or empty
     */
    void show(RunCard.ColumnRun run, ResourceBundle messages, boolean fastest, boolean shortest, String peakNote) {
        GenerationMetrics m = run.result().metrics();
        text.set(run.result().answer());
        reasoning.set(run.result().reasoning());
        reasoningMs.set(m.reasoningMs());
        String finish = messages.getString("finish." + run.result().finishReason().jsonName());
        figures.set(new MessageFormat(messages.getString("compare.figures"), Locale.ENGLISH).format(new Object[] {
            String.format(Locale.ROOT, "%.0f", m.ttftMs()), String.format(Locale.ROOT, "%.1f", m.decodeTokensPerS()),
            m.generatedTokens(), finish,
            run.loadMs(), run.modelResidentBytes() < 0 ? "?" : String.format(Locale.ROOT, "%.0f", run.modelResidentBytes() / 1e6),
            String.format(Locale.ROOT, "%.0f", run.peakResidentBytes() / 1e6), peakNote,
            run.tokensPer1000Chars() < 0 ? "?" : String.format(Locale.ROOT, "%.0f", run.tokensPer1000Chars())}));
        blindFigures.set(new MessageFormat(messages.getString("compare.figures.blind"), Locale.ENGLISH)
                .format(new Object[] {String.format(Locale.ROOT, "%.0f", m.ttftMs()),
                    String.format(Locale.ROOT, "%.1f", m.decodeTokensPerS()), m.generatedTokens(), finish}));
        List<String> marked = new ArrayList<>();
        if (fastest) {
            marked.add(messages.getString("compare.fastest"));
        }
        if (shortest) {
            marked.add(messages.getString("compare.shortest"));
        }
        marks.set(String.join(" · ", marked));
    }

    /** What a column's choice is titled and rated as: the model, and what was chosen for it. */
    static String label(CompareBackend.Choice choice) {
        StringBuilder sb = new StringBuilder(choice.modelId());
        choice.variant().ifPresent(v -> sb.append('@').append(v.cliName()));
        if (choice.provider() != ExecutionProvider.AUTO) {
            sb.append(" on ").append(choice.provider().cliName());
        }
        if (!choice.sampling().equals(SamplingOverrides.NONE)) {
            sb.append(" (").append(RunCard.describe(choice.sampling())).append(')');
        }
        return sb.toString();
    }
}
