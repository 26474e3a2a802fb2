package io.kaiyuan.ui.models;

import io.kaiyuan.ui.common.FileDialogs;
import io.kaiyuan.engine.download.Sources;
import io.kaiyuan.engine.model.CatalogEntry;
import io.kaiyuan.engine.model.MemoryFit;
import io.kaiyuan.engine.model.ModelRegistry;
import io.kaiyuan.engine.model.Variant;
import java.text.MessageFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.ResourceBundle;
import java.util.function.Consumer;
import javafx.beans.binding.Bindings;
import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.scene.Node;
import javafx.scene.Parent;
import javafx.scene.control.Button;
import javafx.scene.control.CheckBox;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Hyperlink;
import javafx.scene.control.Label;
import javafx.scene.control.ListCell;
import javafx.scene.control.ListView;
import javafx.scene.control.MenuItem;
import javafx.scene.control.ProgressBar;
import javafx.scene.control.ProgressIndicator;
import javafx.scene.control.SplitMenuButton;
import javafx.scene.control.TextField;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;

/**
 * The model manager page: a recommendation for newcomers, the catalog with search, filters and fit
 * badges, downloads with progress, and the installed models. Build and use on the FX thread.
 */
public final class ModelManagerView {
    /** Style classes of the fit badge, one per verdict. */
    public static final String BADGE_STYLE = "fit-badge";
    public static final String ROW_STYLE = "catalog-row";

    private final ModelManagerViewModel model;
    private final ResourceBundle messages;
    private final Locale locale;
    private final Consumer<String> openLink;
    private final FileDialogs dialogs;
    private final VBox root = new VBox(10);
    /** The source selector's item that asks for a base URL of one's own. */
    static final String CUSTOM_SOURCE = "\u0000custom";
    private Runnable openSettings = () -> { };
    private Consumer<String> chatWith = id -> { };

    /**
     * @param openLink opens a web address or a folder's file: URI in the system's browser or file manager
     */
    public ModelManagerView(ModelManagerViewModel model, ResourceBundle messages, Consumer<String> openLink) {
        this(model, messages, openLink, FileDialogs.SYSTEM);
    }

    /** @param dialogs where Import asks for the model folder */
    public ModelManagerView(ModelManagerViewModel model, ResourceBundle messages, Consumer<String> openLink,
            FileDialogs dialogs) {
        this.dialogs = dialogs;
        this.model = model;
        this.messages = messages;
        this.locale = messages.getLocale();
        this.openLink = openLink;
        build();
    }

    public Parent root() {
        return root;
    }

    private TextField searchField;

    /** Puts the cursor in the search field, its text selected (Ctrl+F on this page). */
    public void focusSearch() {
        searchField.requestFocus();
        searchField.selectAll();
    }

    /** What "Open settings" after a failed download does: the shell shows the Settings page (tokens, proxy). */
    public void setOnOpenSettings(Runnable openSettings) {
        this.openSettings = openSettings;
    }

    /** A source's name as people read it. */
    String sourceName(String name) {
        return model.sourceName(name);
    }

    /** A source's name for a button: a hub of one's own by its host alone, so a long address never crowds the row. */
    String shortSourceName(String name) {
        if (name != null && webAddress(name)) {
            return java.net.URI.create(name).getHost();
        }
        return sourceName(name);
    }

    /** Whether {@code text} is an http or https address with a host. */
    static boolean webAddress(String text) {
        try {
            java.net.URI uri = new java.net.URI(text);
            return uri.getHost() != null && ("https".equalsIgnoreCase(uri.getScheme()) || "http".equalsIgnoreCase(uri.getScheme()));
        } catch (java.net.URISyntaxException e) {
            return false;
        }
    }

    /** What "Chat with this model" does: the shell opens a new chat with it. */
    public void setOnChatWith(Consumer<String> chatWith) {
        this.chatWith = chatWith;
    }

    private void build() {
        root.setPadding(new Insets(16));
        root.getStyleClass().add("models-page");
        Label title = new Label(messages.getString("models.title"));
        title.setStyle("-fx-font-size: 20px;");

        Label recommended = new Label();
        recommended.setId("models-recommended");
        recommended.setWrapText(true);
        recommended.textProperty().bind(Bindings.createStringBinding(() -> {
            CatalogRow r = model.recommendedProperty().get();
            return r == null ? "" : MessageFormat.format(messages.getString("models.recommended"), r.entry().name(locale),
                    ModelManagerViewModel.gb(r.fit().weightsBytes()));
        }, model.recommendedProperty()));
        // Shown only while nothing is installed: the newcomer's way in.
        recommended.visibleProperty().bind(Bindings.isEmpty(model.installed()).and(model.recommendedProperty().isNotNull()));
        recommended.managedProperty().bind(recommended.visibleProperty());

        TextField search = new TextField();
        searchField = search;
        search.setId("models-search");
        search.setPromptText(messages.getString("models.search"));
        search.textProperty().bindBidirectional(model.searchProperty());
        HBox.setHgrow(search, Priority.ALWAYS);
        ComboBox<String> family = new ComboBox<>();
        family.setId("models-family");
        family.getItems().add(messages.getString("models.family.all"));
        family.getItems().addAll(model.families());
        family.getSelectionModel().select(0);
        family.valueProperty().addListener((o, a, b) ->
                model.familyProperty().set(b == null || family.getSelectionModel().getSelectedIndex() == 0 ? null : b));
        ComboBox<Long> size = new ComboBox<>();
        size.setId("models-size");
        size.getItems().addAll(0L, 1_000_000_000L, 2_000_000_000L, 4_000_000_000L);
        javafx.util.Callback<javafx.scene.control.ListView<Long>, ListCell<Long>> sizeCells = v -> new ListCell<>() {
            @Override
            protected void updateItem(Long item, boolean empty) {
                super.updateItem(item, empty);
                setText(empty || item == null ? null : item == 0 ? messages.getString("models.size.any")
                        : MessageFormat.format(messages.getString("models.size.upTo"), item / 1_000_000_000L));
            }
        };
        size.setCellFactory(sizeCells);
        size.setButtonCell(sizeCells.call(null));
        size.getSelectionModel().select(0);
        size.valueProperty().addListener((o, a, b) -> model.maxBytesProperty().set(b == null || b == 0 ? null : b));
        CheckBox fits = new CheckBox(messages.getString("models.fitsOnly"));
        fits.setId("models-fits-only");
        fits.selectedProperty().bindBidirectional(model.fitsOnlyProperty());
        ComboBox<String> source = new ComboBox<>();
        source.setId("models-source");
        source.getItems().addAll(Sources.NAMES);
        source.getItems().add(CUSTOM_SOURCE);
        if (!Sources.NAMES.contains(model.sourceProperty().get())) {
            source.getItems().add(source.getItems().size() - 1, model.sourceProperty().get());
        }
        source.setValue(model.sourceProperty().get());
        source.setConverter(new javafx.util.StringConverter<>() {
            @Override
            public String toString(String name) {
                return sourceName(name);
            }

            @Override
            public String fromString(String text) {
                return text;
            }
        });
        source.setOnAction(e -> {
            String chosen = source.getValue();
            if (CUSTOM_SOURCE.equals(chosen)) {
                // A hub of one's own: asked for its base URL; cancelling keeps the source in use.
                javafx.scene.control.TextInputDialog dialog = io.kaiyuan.ui.common.Dialogs.text(root, messages,
                        messages.getString("models.source.custom.title"), "https://");
                dialog.setContentText(messages.getString("models.source.custom.prompt"));
                String previous = model.sourceProperty().get();
                java.util.Optional<String> url = dialog.showAndWait().map(String::strip).filter(u -> !u.isEmpty());
                if (url.isPresent() && !webAddress(url.get())) {
                    io.kaiyuan.ui.common.Dialogs.inform(root, messages, javafx.scene.control.Alert.AlertType.WARNING,
                            MessageFormat.format(messages.getString("models.source.custom.bad"), url.get()));
                    url = java.util.Optional.empty();
                }
                java.util.Optional<String> chosenUrl = url;
                javafx.application.Platform.runLater(() -> {
                    java.util.Optional<String> url2 = chosenUrl;
                    if (url2.isPresent()) {
                        if (!source.getItems().contains(url2.get())) {
                            source.getItems().add(source.getItems().size() - 1, url2.get());
                        }
                        source.setValue(url2.get());
                        model.sourceProperty().set(url2.get());
                    } else {
                        source.setValue(previous);
                    }
                });
            } else if (chosen != null) {
                model.sourceProperty().set(chosen);
            }
        });
        // The explanation sits on an icon beside the selector: a tooltip on the selector covered its list.
        Label sourceHelp = new Label(null, new org.kordamp.ikonli.javafx.FontIcon(org.kordamp.ikonli.feather.Feather.INFO));
        sourceHelp.setId("models-source-help");
        Tooltip sourceTip = new Tooltip(messages.getString("models.source.tooltip"));
        sourceTip.setWrapText(true);
        sourceTip.setMaxWidth(420);
        sourceHelp.setTooltip(sourceTip);
        Label sourceLabel = new Label(messages.getString("models.source"));
        for (Region r : new Region[] {family, size, fits, sourceLabel, source}) {
            r.setMinWidth(Region.USE_PREF_SIZE);
        }
        search.setMinWidth(160);
        Region gap = new Region();
        HBox.setHgrow(gap, Priority.ALWAYS);
        // Beyond the catalog: the hub itself, searched for the same text (Enter in the field does it too).
        Button hubSearch = new Button();
        hubSearch.setId("models-hub-search");
        hubSearch.setGraphic(new org.kordamp.ikonli.javafx.FontIcon(org.kordamp.ikonli.feather.Feather.SEARCH));
        hubSearch.textProperty().bind(Bindings.createStringBinding(() -> MessageFormat.format(
                messages.getString("models.hub.search"), shortSourceName(model.sourceProperty().get())),
                model.sourceProperty()));
        hubSearch.disableProperty().bind(Bindings.createBooleanBinding(() -> model.searchProperty().get() == null
                || model.searchProperty().get().isBlank(), model.searchProperty()));
        hubSearch.setMinWidth(Region.USE_PREF_SIZE);
        hubSearch.setOnAction(e -> model.searchHub());
        search.setOnAction(e -> model.searchHub());
        HBox findRow = new HBox(8, search, hubSearch, family, size);
        findRow.setAlignment(Pos.CENTER_LEFT);
        Label hubStatus = new Label();
        hubStatus.setId("models-hub-status");
        hubStatus.setWrapText(true);
        hubStatus.textProperty().bind(model.hubStatusProperty());
        ProgressIndicator hubBusy = new ProgressIndicator();
        hubBusy.setPrefSize(16, 16);
        hubBusy.setMaxSize(16, 16);
        Button hubCancel = new Button(messages.getString("models.hub.cancel"));
        hubCancel.setId("models-hub-cancel");
        hubCancel.setOnAction(e -> model.cancelHubSearch());
        hubCancel.setMinWidth(Region.USE_PREF_SIZE);
        show(hubBusy, model.hubSearchingProperty());
        show(hubCancel, model.hubSearchingProperty());
        HBox hubRow = new HBox(8, hubBusy, hubStatus, hubCancel);
        hubRow.setAlignment(Pos.CENTER_LEFT);
        HBox.setHgrow(hubStatus, Priority.ALWAYS);
        show(hubRow, model.hubStatusProperty().isNotEmpty());
        HBox sourceRow = new HBox(8, fits, gap, sourceLabel, source, sourceHelp);
        sourceRow.setAlignment(Pos.CENTER_LEFT);
        VBox filters = new VBox(8, findRow, sourceRow, hubRow);

        ListView<CatalogRow> catalog = new ListView<>(model.visibleRows());
        catalog.setId("models-catalog");
        Label noMatch = new Label();
        noMatch.setId("models-no-match");
        noMatch.setWrapText(true);
        noMatch.textProperty().bind(Bindings.createStringBinding(() -> model.searchProperty().get() == null
                || model.searchProperty().get().isBlank() ? messages.getString("models.noMatch.filters")
                : MessageFormat.format(messages.getString("models.noMatch"), model.searchProperty().get().strip()),
                model.searchProperty()));
        Button clear = new Button(messages.getString("models.clearFilters"));
        clear.setId("models-clear-filters");
        clear.setOnAction(e -> {
            model.clearFilters();
            search.clear();
            family.getSelectionModel().select(0);
            size.getSelectionModel().select(0);
        });
        VBox placeholder = new VBox(8, noMatch, clear);
        placeholder.setAlignment(Pos.CENTER);
        placeholder.setMaxWidth(420);
        catalog.setPlaceholder(placeholder);
        catalog.setCellFactory(v -> new RowCell());
        VBox.setVgrow(catalog, Priority.ALWAYS);

        Label installedTitle = new Label(messages.getString("models.installed.title"));
        installedTitle.setStyle("-fx-font-size: 16px;");
        Button importButton = new Button(messages.getString("models.import"));
        importButton.setId("models-import");
        importButton.setOnAction(e -> {
            dialogs.folder(root.getScene() == null ? null : root.getScene().getWindow(),
                    messages.getString("models.import.title")).ifPresent(model::importFolder);
        });
        Region spacer = new Region();
        HBox.setHgrow(spacer, Priority.ALWAYS);
        HBox installedHeader = new HBox(8, installedTitle, spacer, importButton);
        installedHeader.setAlignment(Pos.CENTER_LEFT);
        ListView<ModelRegistry.InstalledModel> installed = new ListView<>(model.installed());
        installed.setId("models-installed");
        installed.setPlaceholder(new Label(messages.getString("models.installed.empty")));
        installed.setPrefHeight(160);
        // one whole row (name, facts wrapped in two lines, how it runs) even in a 700-pixel window
        installed.setMinHeight(120);
        installed.setCellFactory(v -> new InstalledCell());
        Label message = new Label();
        message.setId("models-message");
        message.setWrapText(true);
        message.textProperty().bind(model.messageProperty());

        Label runtime = new Label();
        runtime.setId("models-runtime");
        runtime.setWrapText(true);
        runtime.textProperty().bind(model.runtimeProperty());
        runtime.getStyleClass().add("message-footer");
        root.getChildren().addAll(title, recommended, filters, catalog, installedHeader, installed, message, runtime);
    }

    private String fitText(MemoryFit.Estimate fit) {
        return messages.getString("models.fit." + fit.fit().name());
    }

    /** One catalog model: what it is, whether it fits, and its download. */
    private final class RowCell extends io.kaiyuan.ui.common.WrappingCell<CatalogRow> {
        @Override
        protected void updateItem(CatalogRow row, boolean empty) {
            super.updateItem(row, empty);
            setText(null);
            setGraphic(empty || row == null ? null : card(row));
        }

        private Node card(CatalogRow row) {
            CatalogEntry e = row.entry();
            Label name = new Label(e.name(locale));
            name.setStyle("-fx-font-weight: bold; -fx-font-size: 14px;");
            Label org = new Label(e.organisation(locale));
            Label badge = new Label(fitText(row.fit()));
            badge.getStyleClass().addAll(BADGE_STYLE, BADGE_STYLE + "-" + row.fit().fit().name().toLowerCase(Locale.ROOT));
            badge.setTooltip(new Tooltip(MessageFormat.format(messages.getString("models.fit.tooltip"),
                    ModelManagerViewModel.gb(row.fit().weightsBytes()), ModelManagerViewModel.gb(row.fit().kvCacheBytes()),
                    row.fit().contextTokens(), ModelManagerViewModel.gb(row.fit().availableBytes()))));
            HBox head = new HBox(8, name, org, badge);
            head.setAlignment(Pos.BASELINE_LEFT);
            if (e.reasoning()) {
                head.getChildren().add(new Label(messages.getString("models.reasoning")));
            }
            Variant v = e.cpuVariant();
            String size = MessageFormat.format(messages.getString(e.weightsBytes(v).isPresent() ? "models.size" : "models.size.estimated"),
                    ModelManagerViewModel.gb(e.estimatedWeightsBytes(v)), v.cliName());
            Hyperlink licence = new Hyperlink(e.licence().name().isEmpty() ? messages.getString("models.hub.licence.unknown")
                    : MessageFormat.format(messages.getString("models.licence"), e.licence().name()));
            licence.setOnAction(a -> openLink.accept(e.licence().url()));
            // The facts wrap to a second line on a narrow window rather than cutting any of them short.
            javafx.scene.layout.FlowPane facts = new javafx.scene.layout.FlowPane(12, 2);
            if (row.hub().isPresent()) {
                // Found on the hub: what its search said, then what its listing and config.json say.
                io.kaiyuan.engine.download.RepoSummary hub = row.hub().get();
                if (hub.downloads() > 0 || hub.likes() > 0) { // unknown for a download continued after a restart
                    facts.getChildren().add(new Label(MessageFormat.format(messages.getString("models.hub.stats"),
                            String.format(locale, "%,d", hub.downloads()), String.format(locale, "%,d", hub.likes()))));
                }
                hub.lastModified().filter(m -> m.length() >= 10).ifPresent(m -> facts.getChildren().add(new Label(
                        MessageFormat.format(messages.getString("models.hub.updated"), m.substring(0, 10)))));
            } else {
                facts.getChildren().add(new Label(MessageFormat.format(messages.getString("models.params"),
                        String.format(Locale.ROOT, "%.1fB", e.parameters() / 1e9))));
            }
            facts.getChildren().addAll(
                    new Label(MessageFormat.format(messages.getString("models.context"), String.valueOf(e.contextLength()))),
                    new Label(size), licence);
            facts.setAlignment(Pos.CENTER_LEFT);
            facts.setMinWidth(0);
            facts.setPrefWrapLength(360);
            Label description = new Label(e.description(locale));
            description.setWrapText(true);
            description.setMinHeight(Region.USE_PREF_SIZE);
            description.setVisible(!e.description(locale).isBlank());
            description.setManaged(description.isVisible());
            VBox text = new VBox(2, head, facts, description, status(row));
            HBox.setHgrow(text, Priority.ALWAYS);
            HBox card = new HBox(12, text, actions(row));
            card.getStyleClass().add(ROW_STYLE);
            card.setId("row-" + e.id());
            card.setAlignment(Pos.CENTER_LEFT);
            card.setPadding(new Insets(6));
            card.setMinWidth(0);
            return card;
        }

        private Node status(CatalogRow row) {
            ProgressBar bar = new ProgressBar();
            bar.setId("progress-" + row.entry().id());
            bar.progressProperty().bind(row.progressProperty());
            bar.setPrefWidth(260);
            bar.visibleProperty().bind(row.stateProperty().isEqualTo(CatalogRow.State.DOWNLOADING)
                    .or(row.stateProperty().isEqualTo(CatalogRow.State.PAUSED)));
            bar.managedProperty().bind(bar.visibleProperty());
            Label detail = new Label();
            detail.setId("detail-" + row.entry().id());
            detail.textProperty().bind(Bindings.createStringBinding(() -> switch (row.stateProperty().get()) {
                case QUEUED -> messages.getString("models.queued");
                case FAILED -> row.errorProperty().get();
                case INSTALLED -> "";
                default -> row.detailProperty().get();
            }, row.stateProperty(), row.detailProperty(), row.errorProperty()));
            detail.setWrapText(true);
            Label source = new Label();
            source.setId("source-" + row.entry().id());
            // The sources in the order tried, the one in use now marked.
            source.textProperty().bind(Bindings.createStringBinding(() -> {
                String active = row.activeSourceProperty().get();
                return active.isEmpty() ? row.sourceProperty().get()
                        : MessageFormat.format(messages.getString("models.source.active"), active, row.sourceProperty().get());
            }, row.sourceProperty(), row.activeSourceProperty()));
            source.visibleProperty().bind(bar.visibleProperty());
            source.managedProperty().bind(source.visibleProperty());
            // On its own line: the sources tried (and "without your token") may be long, the figures must not wrap.
            source.setWrapText(true);
            source.setMinHeight(Region.USE_PREF_SIZE);
            source.getStyleClass().add("text-muted");
            HBox box = new HBox(8, bar, detail);
            box.setAlignment(Pos.CENTER_LEFT);
            HBox.setHgrow(detail, Priority.ALWAYS);
            detail.setMinWidth(0);
            detail.visibleProperty().bind(row.stateProperty().isNotEqualTo(CatalogRow.State.FAILED));
            detail.managedProperty().bind(detail.visibleProperty());
            return new VBox(4, box, source, failure(row));
        }

        /** A failed download: what happened, in full and in the error colour, and buttons for what to do next. */
        private Node failure(CatalogRow row) {
            Label text = new Label();
            text.setId("failure-" + row.entry().id());
            text.getStyleClass().add("error-text");
            text.setWrapText(true);
            text.setMinHeight(Region.USE_PREF_SIZE);
            javafx.scene.layout.FlowPane actions = new javafx.scene.layout.FlowPane(6, 6);
            VBox box = new VBox(6, text, actions);
            Runnable show = () -> {
                CatalogRow.Failure f = row.failureProperty().get();
                boolean failed = f != null && row.stateProperty().get() == CatalogRow.State.FAILED;
                box.setVisible(failed);
                box.setManaged(failed);
                if (!failed) {
                    return;
                }
                text.setText(model.failureText(row, f));
                actions.getChildren().clear();
                io.kaiyuan.engine.download.HubException.Kind kind = f.kind();
                if (kind != io.kaiyuan.engine.download.HubException.Kind.NOT_FOUND) {
                    Button retry = new Button(messages.getString("models.retry"), new org.kordamp.ikonli.javafx.FontIcon(
                            org.kordamp.ikonli.feather.Feather.ROTATE_CW));
                    retry.setId("retry-" + row.entry().id());
                    retry.setOnAction(e -> model.retry(row));
                    actions.getChildren().add(retry);
                }
                for (String other : model.otherSources(row, f)) {
                    Button tryOther = new Button(MessageFormat.format(messages.getString("models.tryFrom"), sourceName(other)));
                    tryOther.setId("try-" + other + "-" + row.entry().id());
                    tryOther.setOnAction(e -> model.downloadFrom(row, other));
                    actions.getChildren().add(tryOther);
                }
                if (kind == io.kaiyuan.engine.download.HubException.Kind.UNREACHABLE
                        || kind == io.kaiyuan.engine.download.HubException.Kind.NEEDS_ACCESS) {
                    Button settings = new Button(messages.getString(kind == io.kaiyuan.engine.download.HubException.Kind.NEEDS_ACCESS
                            ? "models.openSettings.token" : "models.openSettings.proxy"),
                            new org.kordamp.ikonli.javafx.FontIcon(org.kordamp.ikonli.feather.Feather.SETTINGS));
                    settings.setId("settings-for-" + row.entry().id());
                    settings.setOnAction(e -> openSettings.run());
                    actions.getChildren().add(settings);
                }
                if (kind == io.kaiyuan.engine.download.HubException.Kind.NEEDS_ACCESS) {
                    Button page = new Button(messages.getString("models.openModelPage"));
                    page.setOnAction(e -> openLink.accept("https://huggingface.co/" + row.entry().huggingFaceRepo()));
                    actions.getChildren().add(page);
                }
                actions.getChildren().forEach(n -> ((Region) n).setMinWidth(Region.USE_PREF_SIZE));
            };
            row.failureProperty().addListener((o, a, b) -> show.run());
            row.stateProperty().addListener((o, a, b) -> show.run());
            show.run();
            return box;
        }

        private Node actions(CatalogRow row) {
            CatalogEntry e = row.entry();
            SplitMenuButton download = new SplitMenuButton();
            download.setId("download-" + e.id());
            // Retry after a failure is in the failure's own row of buttons; this one stays Download (and its variants).
            download.setText(messages.getString("models.download"));
            download.setTooltip(new Tooltip(MessageFormat.format(messages.getString("models.download.tooltip"), e.cpuVariant().cliName())));
            download.setOnAction(a -> model.download(row, Optional.empty()));
            for (VariantChoice choice : VariantChoice.of(e)) {
                Label what = new Label(choice.label(messages, e));
                what.setWrapText(false);
                javafx.scene.control.CustomMenuItem item = new javafx.scene.control.CustomMenuItem(what);
                item.setId("variant-" + choice.names().get(0).cliName());
                item.setOnAction(a -> model.download(row, Optional.of(choice.names().get(0))));
                download.getItems().add(item);
            }
            Button pause = new Button();
            pause.setId("pause-" + e.id());
            pause.textProperty().bind(Bindings.createStringBinding(() -> messages.getString(
                    row.stateProperty().get() == CatalogRow.State.PAUSED ? "models.resume" : "models.pause"), row.stateProperty()));
            pause.setOnAction(a -> {
                if (row.stateProperty().get() == CatalogRow.State.PAUSED) {
                    model.resume(row);
                } else {
                    model.pause(row);
                }
            });
            Button cancel = new Button(messages.getString("models.cancel"));
            cancel.setId("cancel-" + e.id());
            cancel.setOnAction(a -> model.cancel(row));
            Label installed = new Label(messages.getString("models.installedBadge"));
            installed.setId("installed-" + e.id());
            var state = row.stateProperty();
            var idle = state.isEqualTo(CatalogRow.State.AVAILABLE).or(state.isEqualTo(CatalogRow.State.FAILED));
            var active = state.isEqualTo(CatalogRow.State.DOWNLOADING).or(state.isEqualTo(CatalogRow.State.PAUSED));
            show(download, idle);
            show(pause, active);
            show(cancel, active.or(state.isEqualTo(CatalogRow.State.QUEUED)));
            show(installed, state.isEqualTo(CatalogRow.State.INSTALLED));
            HBox box = new HBox(6, download, pause, cancel, installed);
            box.setAlignment(Pos.CENTER_RIGHT);
            box.setMinWidth(Region.USE_PREF_SIZE);
            return box;
        }
    }

    private static void show(Node node, javafx.beans.value.ObservableBooleanValue when) {
        node.visibleProperty().bind(when);
        node.managedProperty().bind(node.visibleProperty());
    }

    /** One installed model with its actions. */
    private final class InstalledCell extends io.kaiyuan.ui.common.WrappingCell<ModelRegistry.InstalledModel> {
        @Override
        protected void updateItem(ModelRegistry.InstalledModel m, boolean empty) {
            super.updateItem(m, empty);
            setText(null);
            if (empty || m == null) {
                setGraphic(null);
                return;
            }
            Label name = new Label(m.id());
            name.setStyle("-fx-font-weight: bold;");
            name.setWrapText(true);
            name.setMinHeight(Region.USE_PREF_SIZE);
            String commit = m.commit().length() > 7 ? m.commit().substring(0, 7) : m.commit();
            Label facts = new Label(MessageFormat.format(messages.getString("models.installed.row"), m.variant(),
                    ModelManagerViewModel.gb(m.bytes()), m.source().isEmpty() ? "-" : sourceName(m.source()), m.repo(), commit));
            facts.setWrapText(true);
            facts.setMinHeight(Region.USE_PREF_SIZE);
            facts.getStyleClass().add("text-muted");
            VBox text = new VBox(2, name, facts);
            if (!m.runs().isEmpty()) {
                // how the graph runs on this CPU, as recorded when it was first loaded
                Label runs = new Label(messages.getString("models.runs." + m.runs()));
                runs.setId("runs-" + m.id());
                runs.setWrapText(true);
                runs.setMinHeight(Region.USE_PREF_SIZE);
                runs.getStyleClass().add("text-muted");
                text.getChildren().add(runs);
            }
            text.setMinWidth(0);
            HBox.setHgrow(text, Priority.ALWAYS);
            Button chat = new Button(messages.getString("models.chat"), new org.kordamp.ikonli.javafx.FontIcon(
                    org.kordamp.ikonli.feather.Feather.MESSAGE_SQUARE));
            chat.setId("chat-with-" + m.id());
            chat.getStyleClass().add("accent");
            chat.setMinWidth(Region.USE_PREF_SIZE);
            chat.setOnAction(a -> chatWith.accept(m.id()));
            Button verify = new Button(messages.getString("models.verify"));
            verify.setId("verify-" + m.id());
            verify.setOnAction(a -> model.verify(m.id()));
            Button open = new Button(messages.getString("models.openFolder"));
            open.setOnAction(a -> openLink.accept(m.dir().toUri().toString()));
            Button delete = new Button(messages.getString("models.delete"));
            delete.setId("delete-" + m.id());
            delete.setOnAction(a -> {
                // The truth about what goes: an import used in place keeps its own files.
                String question = model.inPlace(m) ? MessageFormat.format(messages.getString("models.delete.confirm.inPlace"),
                        m.id(), m.dir()) : MessageFormat.format(messages.getString("models.delete.confirm"), m.id(),
                        ModelManagerViewModel.gb(m.bytes()));
                if (io.kaiyuan.ui.common.Dialogs.confirm(this, messages, question,
                        model.inPlace(m) ? "models.delete.inPlace" : "models.delete")) {
                    model.remove(m.id());
                }
            });
            for (Button b : new Button[] {verify, open, delete}) {
                b.setMinWidth(Region.USE_PREF_SIZE);
            }
            HBox row = new HBox(8, text, chat, verify, open, delete);
            row.setAlignment(Pos.CENTER_LEFT);
            row.setMinWidth(0);
            setGraphic(row);
        }
    }
}
