package io.kaiyuan.ui.models;

import io.kaiyuan.engine.download.DownloadControl;
import io.kaiyuan.engine.model.CatalogEntry;
import io.kaiyuan.engine.model.MemoryFit;
import javafx.beans.property.DoubleProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.SimpleDoubleProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;

/**
 * One model on the model manager page, from the catalog or found by a hub search, with its download
 * state. Properties change on the FX thread.
 */
public final class CatalogRow {
    /** Where the model stands on this machine. */
    public enum State { AVAILABLE, QUEUED, DOWNLOADING, PAUSED, INSTALLED, FAILED }

    private final CatalogEntry entry;
    private final MemoryFit.Estimate fit;
    private final ObjectProperty<State> state = new SimpleObjectProperty<>(State.AVAILABLE);
    private final DoubleProperty progress = new SimpleDoubleProperty(0);
    private final StringProperty detail = new SimpleStringProperty("");
    private final StringProperty error = new SimpleStringProperty("");
    private final StringProperty source = new SimpleStringProperty("");
    private final StringProperty activeSource = new SimpleStringProperty("");
    private final ObjectProperty<Failure> failure = new SimpleObjectProperty<>();
    volatile DownloadControl control;
    /** The variant the last download asked for (empty: the recommended one), for Retry. */
    java.util.Optional<io.kaiyuan.engine.model.Variant> lastVariant = java.util.Optional.empty();

    /**
     * A failed download, for the page to say what happened in its language and offer what to do next.
     *
     * @param kind what went wrong
     * @param source the source that failed, when one did (huggingface, hf-mirror, modelscope, a URL)
     * @param tried the sources the download tried, in order
     * @param detail the engine's own words (English), for a tooltip
     */
    public record Failure(io.kaiyuan.engine.download.HubException.Kind kind, String source, java.util.List<String> tried,
            String detail) {}

    /** What the hub's search said of a model found there; null for the catalog's own. */
    private final io.kaiyuan.engine.download.RepoSummary hub;

    CatalogRow(CatalogEntry entry, MemoryFit.Estimate fit) {
        this(entry, fit, null);
    }

    CatalogRow(CatalogEntry entry, MemoryFit.Estimate fit, io.kaiyuan.engine.download.RepoSummary hub) {
        this.entry = entry;
        this.fit = fit;
        this.hub = hub;
    }

    /** Downloads, likes, update and licence as the hub's search gave them, for a model found there. */
    public java.util.Optional<io.kaiyuan.engine.download.RepoSummary> hub() {
        return java.util.Optional.ofNullable(hub);
    }

    public CatalogEntry entry() {
        return entry;
    }

    /** The recommended CPU variant's fit at the page's context. */
    public MemoryFit.Estimate fit() {
        return fit;
    }

    public ObjectProperty<State> stateProperty() {
        return state;
    }

    /** 0 to 1 while downloading or paused. */
    public DoubleProperty progressProperty() {
        return progress;
    }

    /** Bytes, rate and time left while downloading; what is kept when paused or cancelled. */
    public StringProperty detailProperty() {
        return detail;
    }

    /** What went wrong and what to do, after a failed download. */
    public StringProperty errorProperty() {
        return error;
    }

    /** The last download's failure; null while none. */
    public ObjectProperty<Failure> failureProperty() {
        return failure;
    }

    /** The sources of the download in flight, in the order tried (failover shown in the row). */
    public StringProperty sourceProperty() {
        return source;
    }

    /** The source the download uses now (another one after a failover). */
    public StringProperty activeSourceProperty() {
        return activeSource;
    }
}
