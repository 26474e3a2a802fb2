package io.kaiyuan.ui.chat;

import io.kaiyuan.engine.chat.Conversation;
import io.kaiyuan.ui.common.FileDialogs;
import java.nio.file.Path;
import java.text.MessageFormat;
import java.util.List;
import java.util.Locale;
import java.util.ResourceBundle;
import javafx.beans.binding.Bindings;
import javafx.collections.ListChangeListener;
import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.scene.Node;
import javafx.scene.Parent;
import javafx.scene.control.Button;
import javafx.scene.control.CheckBox;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Hyperlink;
import javafx.scene.control.Label;
import javafx.scene.control.MenuButton;
import javafx.scene.control.MenuItem;
import javafx.scene.control.ProgressBar;
import javafx.scene.control.ProgressIndicator;
import javafx.scene.control.ScrollPane;
import javafx.scene.control.TextArea;
import javafx.scene.control.ToggleButton;
import javafx.scene.control.Tooltip;
import javafx.scene.input.DragEvent;
import javafx.scene.input.KeyCode;
import javafx.scene.input.TransferMode;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.FlowPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.StackPane;
import javafx.scene.layout.VBox;
import org.kordamp.ikonli.feather.Feather;
import org.kordamp.ikonli.javafx.FontIcon;

/**
 * The chat page: the conversations on the left; the model picker and the conversation's tools on top;
 * the messages; and the composer with its attachments. An empty conversation offers a model to download
 * (none installed) or starter prompts. Files dropped on the page are attached. FX thread only.
 */
public final class ChatView {
    /** Style classes of a message's parts. */
    public static final String THINKING_STYLE = "thinking";
    public static final String REASONING_STYLE = "reasoning";
    public static final String FOOTER_STYLE = "message-footer";

    private final ChatViewModel model;
    private final ResourceBundle messages;
    private final FileDialogs dialogs;
    private final BorderPane root = new BorderPane();
    private final ModelPicker picker;
    private final ConversationList conversations;
    private final MessageList list;
    private final TextArea input = new TextArea();
    private Runnable showModels = () -> { };

    public ChatView(ChatViewModel model, ResourceBundle messages) {
        this(model, messages, FileDialogs.SYSTEM);
    }

    /** @param dialogs where Export asks for the file to write and Attach for the file to read */
    public ChatView(ChatViewModel model, ResourceBundle messages, FileDialogs dialogs) {
        this(model, messages, dialogs, url -> { });
    }

    /**
     * @param openLink opens a link of an answer in the system's browser
     */
    public ChatView(ChatViewModel model, ResourceBundle messages, FileDialogs dialogs, java.util.function.Consumer<String> openLink) {
        this.model = model;
        this.messages = messages;
        this.dialogs = dialogs;
        Locale locale = messages.getLocale() == null || messages.getLocale().getLanguage().isEmpty() ? Locale.ENGLISH
                : messages.getLocale();
        picker = new ModelPicker(model, messages);
        conversations = new ConversationList(model, messages, locale);
        list = new MessageList(model, messages, new Markdown(messages.getString("chat.copy"), openLink));

        ConversationSettingsView settingsPane = new ConversationSettingsView(model, messages);
        ToggleButton settings = new ToggleButton(null, new FontIcon(Feather.SLIDERS));
        settings.setId("chat-settings");
        settings.getStyleClass().add("button-icon");
        settings.setTooltip(new Tooltip(messages.getString("chat.settings.tooltip")));
        settings.setMinWidth(Region.USE_PREF_SIZE);
        ScrollPane settingsScroll = new ScrollPane(settingsPane.root());
        settingsScroll.setFitToWidth(true);
        settingsScroll.setHbarPolicy(ScrollPane.ScrollBarPolicy.NEVER);
        settingsScroll.getStyleClass().addAll("edge-to-edge", "conversation-settings-scroll");
        settingsScroll.setPrefWidth(300);
        settingsScroll.setMinWidth(Region.USE_PREF_SIZE);

        BorderPane chat = new BorderPane();
        chat.getStyleClass().add("chat-pane");
        chat.setTop(new VBox(topBar(settings), banner()));
        chat.rightProperty().bind(Bindings.when(settings.selectedProperty()).then((Node) settingsScroll).otherwise((Node) null));
        StackPane centre = new StackPane(list.root(), emptyState());
        centre.setMinWidth(0);
        chat.setCenter(centre);
        chat.setBottom(composer());
        chat.setMinWidth(0);
        acceptDroppedFiles(chat);

        root.setLeft(conversations.root());
        root.setCenter(chat);
        root.getStyleClass().add("chat-page");
    }

    private HBox topBar(ToggleButton settings) {
        Button newChat = new Button(null, new FontIcon(Feather.PLUS));
        newChat.setId("chat-new");
        newChat.getStyleClass().add("button-icon");
        newChat.setTooltip(new Tooltip(messages.getString("chat.new.tooltip")));
        newChat.setMinWidth(Region.USE_PREF_SIZE);
        newChat.setOnAction(e -> {
            model.newChat();
            input.requestFocus();
        });
        CheckBox think = new CheckBox(messages.getString("chat.thinkingSwitch"));
        think.setId("chat-thinking");
        think.setTooltip(new Tooltip(messages.getString("chat.thinkingSwitch.tooltip")));
        think.setMinWidth(Region.USE_PREF_SIZE);
        think.selectedProperty().bindBidirectional(model.thinkingProperty());
        think.visibleProperty().bind(model.thinkingSwitchProperty());
        think.managedProperty().bind(think.visibleProperty());
        ProgressIndicator spinner = new ProgressIndicator();
        spinner.setPrefSize(16, 16);
        Label loading = new Label();
        loading.setId("chat-loading");
        loading.getStyleClass().add(FOOTER_STYLE);
        loading.textProperty().bind(model.loadingStatusProperty());
        loading.setGraphic(spinner);
        loading.setWrapText(true);
        loading.setMinWidth(0);
        loading.visibleProperty().bind(model.loadingStatusProperty().isNotEmpty());
        loading.managedProperty().bind(loading.visibleProperty());
        HBox.setHgrow(loading, Priority.SOMETIMES);
        Hyperlink cancelLoading = new Hyperlink(messages.getString("chat.loading.cancel"));
        cancelLoading.setId("chat-loading-cancel");
        cancelLoading.setTooltip(new Tooltip(messages.getString("chat.loading.cancel.tip")));
        cancelLoading.setMinWidth(Region.USE_PREF_SIZE);
        cancelLoading.setOnAction(e -> model.cancelLoading());
        cancelLoading.visibleProperty().bind(model.loadingProperty());
        cancelLoading.managedProperty().bind(cancelLoading.visibleProperty());
        Region spacer = new Region();
        HBox.setHgrow(spacer, Priority.ALWAYS);
        MenuButton export = new MenuButton(null, new FontIcon(Feather.SHARE));
        export.setId("chat-export");
        export.getStyleClass().add("button-icon");
        export.setTooltip(new Tooltip(messages.getString("chat.export.tooltip")));
        export.setMinWidth(Region.USE_PREF_SIZE);
        for (ChatViewModel.ExportFormat format : ChatViewModel.ExportFormat.values()) {
            MenuItem item = new MenuItem(messages.getString("chat.export." + format.name()));
            item.setOnAction(e -> {
                String extension = format == ChatViewModel.ExportFormat.JSON ? "json" : "md";
                dialogs.save(root.getScene().getWindow(), safeFileName(model) + "." + extension, List.of(
                        new FileDialogs.Filter(messages.getString("chat.export." + format.name()), "*." + extension)))
                        .ifPresent(file -> model.export(file, format));
            });
            export.getItems().add(item);
        }
        export.disableProperty().bind(Bindings.isEmpty(model.conversation()));
        HBox top = new HBox(8, newChat, picker.button(), think, loading, cancelLoading, spacer, settings, export);
        top.getStyleClass().add("chat-top-bar");
        top.setAlignment(Pos.CENTER_LEFT);
        top.setPadding(new Insets(8, 12, 8, 12));
        top.setMinWidth(0);
        return top;
    }

    /** The error and the notice of the last turn, wrapped in full; the error can be dismissed. */
    private VBox banner() {
        Label error = new Label();
        error.setId("chat-error");
        error.getStyleClass().add("error-text");
        error.setWrapText(true);
        error.setMinHeight(Region.USE_PREF_SIZE);
        error.textProperty().bind(model.errorProperty());
        HBox.setHgrow(error, Priority.ALWAYS);
        error.setMaxWidth(Double.MAX_VALUE);
        Button dismiss = new Button(null, new FontIcon(Feather.X));
        dismiss.getStyleClass().addAll("button-icon", "flat");
        dismiss.setTooltip(new Tooltip(messages.getString("chat.dismiss")));
        dismiss.setOnAction(e -> model.errorProperty().set(""));
        HBox errorRow = new HBox(6, new FontIcon(Feather.ALERT_CIRCLE), error, dismiss);
        errorRow.getStyleClass().addAll("banner", "banner-error");
        errorRow.setAlignment(Pos.CENTER_LEFT);
        errorRow.visibleProperty().bind(model.errorProperty().isNotEmpty());
        errorRow.managedProperty().bind(errorRow.visibleProperty());
        Label notice = new Label();
        notice.setId("chat-notice");
        notice.setWrapText(true);
        notice.setMinHeight(Region.USE_PREF_SIZE);
        notice.textProperty().bind(model.noticeProperty());
        notice.getStyleClass().add("notice-text");
        notice.setMaxWidth(Double.MAX_VALUE);
        HBox noticeRow = new HBox(6, new FontIcon(Feather.INFO), notice);
        HBox.setHgrow(notice, Priority.ALWAYS);
        noticeRow.getStyleClass().addAll("banner", "banner-notice");
        noticeRow.setAlignment(Pos.CENTER_LEFT);
        noticeRow.visibleProperty().bind(model.noticeProperty().isNotEmpty());
        noticeRow.managedProperty().bind(noticeRow.visibleProperty());
        return new VBox(errorRow, noticeRow, approvalRow());
    }

    /** A tool call waiting for the user: what it runs, where, with which arguments; Allow or Deny. */
    private HBox approvalRow() {
        Label what = new Label();
        what.setId("chat-tool-ask");
        what.setWrapText(true);
        what.setMinHeight(Region.USE_PREF_SIZE);
        Label args = new Label();
        args.setId("chat-tool-arguments");
        args.setWrapText(true);
        args.setMinHeight(Region.USE_PREF_SIZE);
        args.getStyleClass().add("code-input");
        Button allow = new Button(messages.getString("chat.tools.allow"));
        allow.setId("chat-tool-allow");
        allow.setDefaultButton(false);
        allow.getStyleClass().add("accent");
        Button deny = new Button(messages.getString("chat.tools.deny"));
        deny.setId("chat-tool-deny");
        VBox text = new VBox(4, what, args);
        HBox.setHgrow(text, Priority.ALWAYS);
        text.setMaxWidth(Double.MAX_VALUE);
        allow.setMinWidth(Region.USE_PREF_SIZE);
        deny.setMinWidth(Region.USE_PREF_SIZE);
        HBox row = new HBox(8, new FontIcon(Feather.TOOL), text, allow, deny);
        row.getStyleClass().addAll("banner", "banner-notice");
        row.setAlignment(Pos.CENTER_LEFT);
        model.toolApprovalProperty().addListener((o, a, ask) -> {
            if (ask != null) {
                what.setText(java.text.MessageFormat.format(messages.getString("chat.tools.ask"), ask.call().name(),
                        ask.server()));
                String a2 = ask.call().arguments();
                args.setText(a2.length() > 400 ? a2.substring(0, 400) + "…" : a2);
                allow.requestFocus();
            }
        });
        allow.setOnAction(e -> {
            ToolApproval ask = model.toolApprovalProperty().get();
            if (ask != null) {
                ask.answer(true);
                model.toolApprovalProperty().set(null);
            }
        });
        deny.setOnAction(e -> {
            ToolApproval ask = model.toolApprovalProperty().get();
            if (ask != null) {
                ask.answer(false);
                model.toolApprovalProperty().set(null);
            }
        });
        row.visibleProperty().bind(model.toolApprovalProperty().isNotNull());
        row.managedProperty().bind(row.visibleProperty());
        return row;
    }

    /**
     * What an empty conversation shows: with no model, the recommended one to download (and its progress);
     * with a model, the assistant to start from and a few starter prompts.
     */
    private Node emptyState() {
        Label title = new Label();
        title.getStyleClass().addAll("title-3", "empty-title");
        title.setWrapText(true);
        title.setMinHeight(Region.USE_PREF_SIZE);
        Label text = new Label();
        text.setWrapText(true);
        text.setMinHeight(Region.USE_PREF_SIZE);
        text.getStyleClass().add("empty-text");

        // No model installed.
        Button download = new Button();
        download.setId("chat-download-offer");
        download.getStyleClass().add("accent");
        download.setGraphic(new FontIcon(Feather.DOWNLOAD));
        download.setWrapText(true);
        download.setMinHeight(Region.USE_PREF_SIZE);
        download.setOnAction(e -> model.downloadOffer());
        ProgressBar progress = new ProgressBar();
        progress.setMaxWidth(Double.MAX_VALUE);
        Label status = new Label();
        status.setId("chat-download-status");
        status.getStyleClass().add(FOOTER_STYLE);
        status.setWrapText(true);
        status.setMinHeight(Region.USE_PREF_SIZE);
        Button browse = new Button(messages.getString("chat.empty.browse"));
        browse.getStyleClass().add("flat");
        browse.setWrapText(true);
        browse.setOnAction(e -> showModels.run());
        VBox noModel = new VBox(10, download, progress, status, browse);
        noModel.setAlignment(Pos.CENTER);

        // A model is there: an assistant and starter prompts.
        ComboBox<AssistantChoice> assistant = new ComboBox<>(model.assistants());
        assistant.setId("chat-empty-assistant");
        assistant.setMinWidth(Region.USE_PREF_SIZE);
        Label assistantLabel = new Label(messages.getString("chat.assistant.choose"));
        assistantLabel.setMinWidth(Region.USE_PREF_SIZE);
        HBox assistantRow = new HBox(8, assistantLabel, assistant);
        assistantRow.setAlignment(Pos.CENTER);
        Runnable showAssistant = () -> assistant.getSelectionModel().select(model.assistant().orElse(null));
        model.systemPromptProperty().addListener((o, a, b) -> showAssistant.run());
        model.assistants().addListener((ListChangeListener<AssistantChoice>) c -> showAssistant.run());
        showAssistant.run();
        assistant.setOnAction(e -> {
            AssistantChoice a = assistant.getValue();
            if (a != null && !a.equals(model.assistant().orElse(null))) {
                model.useAssistant(a);
            }
        });
        FlowPane starters = new FlowPane(8, 8);
        starters.setId("chat-starters");
        starters.setAlignment(Pos.CENTER);
        starters.setPrefWrapLength(520);
        for (String prompt : model.starters()) {
            Button b = new Button(prompt);
            b.getStyleClass().add("starter-prompt");
            b.setWrapText(true);
            b.setMaxWidth(250);
            b.setPrefWidth(250);
            b.setMinHeight(Region.USE_PREF_SIZE);
            b.setOnAction(e -> model.sendStarter(prompt));
            starters.getChildren().add(b);
        }
        VBox withModel = new VBox(14, assistantRow, starters);
        withModel.setAlignment(Pos.CENTER);

        VBox box = new VBox(12, title, text, noModel, withModel);
        box.setId("chat-empty");
        box.getStyleClass().add("empty-state");
        box.setAlignment(Pos.CENTER);
        box.setMaxWidth(560);
        box.setPadding(new Insets(24));

        Runnable update = () -> {
            ModelOffer offer = model.offerProperty().get();
            boolean noModels = model.modelsKnownProperty().get() && model.models().isEmpty();
            boolean downloading = offer != null && offer.downloading().get();
            title.setText(messages.getString(noModels ? "chat.empty.noModel.title" : "chat.empty.title"));
            text.setText(noModels ? messages.getString(offer != null ? "chat.empty.noModel.text" : "chat.empty.noModel.cli")
                    : messages.getString("chat.empty.text"));
            noModel.setVisible(noModels);
            noModel.setManaged(noModels);
            download.setVisible(noModels && offer != null);
            download.setManaged(download.isVisible());
            download.setText(offer == null ? "" : offer.label());
            download.setDisable(downloading);
            progress.setVisible(downloading);
            progress.setManaged(downloading);
            status.setVisible(offer != null && !offer.status().get().isEmpty());
            status.setManaged(status.isVisible());
            withModel.setVisible(!noModels);
            withModel.setManaged(!noModels);
        };
        model.modelsKnownProperty().addListener((o, a, b) -> update.run());
        model.models().addListener((ListChangeListener<String>) c -> update.run());
        javafx.beans.value.ChangeListener<Object> onOffer = (o, a, b) -> update.run();
        model.offerProperty().addListener((o, a, b) -> {
            if (b != null) {
                b.downloading().addListener(onOffer);
                b.status().addListener(onOffer);
                progress.progressProperty().bind(Bindings.createDoubleBinding(() -> b.progress().get(), b.progress()));
                status.textProperty().bind(b.status());
            }
            update.run();
        });
        if (model.offerProperty().get() != null) {
            ModelOffer b = model.offerProperty().get();
            b.downloading().addListener(onOffer);
            b.status().addListener(onOffer);
            progress.progressProperty().bind(Bindings.createDoubleBinding(() -> b.progress().get(), b.progress()));
            status.textProperty().bind(b.status());
        }
        update.run();

        ScrollPane scroll = new ScrollPane(new StackPane(box));
        scroll.setFitToWidth(true);
        scroll.setFitToHeight(true);
        scroll.getStyleClass().add("edge-to-edge");
        scroll.setHbarPolicy(ScrollPane.ScrollBarPolicy.NEVER);
        scroll.visibleProperty().bind(Bindings.isEmpty(model.conversation()));
        scroll.setMinWidth(0);
        return scroll;
    }

    /** The input with its attachments, Attach, Send/Stop, the keys' hint and the context used. */
    private VBox composer() {
        FlowPane chips = new FlowPane(6, 6);
        chips.setId("chat-attachments");
        chips.getStyleClass().add("attachment-chips");
        Runnable showChips = () -> chips.getChildren().setAll(model.attachments().stream().map(this::chip).toList());
        model.attachments().addListener((ListChangeListener<Attachment>) c -> showChips.run());
        chips.visibleProperty().bind(Bindings.isNotEmpty(model.attachments()));
        chips.managedProperty().bind(chips.visibleProperty());

        input.setId("chat-input");
        input.setPromptText(messages.getString("chat.placeholder"));
        input.setWrapText(true);
        input.setPrefRowCount(3);
        input.setMinWidth(0);
        input.textProperty().bindBidirectional(model.inputProperty());
        input.addEventFilter(javafx.scene.input.KeyEvent.KEY_PRESSED, e -> {
            if (e.getCode() == KeyCode.ENTER && !e.isShiftDown() && !e.isShortcutDown()) {
                e.consume();
                model.send();
            } else if (e.getCode() == KeyCode.ENTER && e.isShiftDown()) {
                e.consume();
                input.insertText(input.getCaretPosition(), "\n");
            }
        });
        Button attach = new Button(null, new FontIcon(Feather.PAPERCLIP));
        attach.setId("chat-attach");
        attach.getStyleClass().add("button-icon");
        attach.setTooltip(new Tooltip(messages.getString("chat.attach.tooltip")));
        attach.setMinWidth(Region.USE_PREF_SIZE);
        attach.setOnAction(e -> dialogs.open(root.getScene().getWindow(), List.of(
                new FileDialogs.Filter(messages.getString("chat.attach.files"), "*.*")))
                .ifPresent(file -> model.attach(List.of(file))));
        Button send = new Button();
        send.setId("chat-send");
        send.getStyleClass().add("accent");
        send.setMinWidth(Region.USE_PREF_SIZE);
        Runnable sendLabel = () -> {
            boolean busy = model.stateProperty().get() == ChatViewModel.State.GENERATING;
            send.setText(messages.getString(busy ? "chat.stop" : "chat.send"));
            send.setGraphic(new FontIcon(busy ? Feather.SQUARE : Feather.SEND));
        };
        model.stateProperty().addListener((o, a, b) -> sendLabel.run());
        sendLabel.run();
        send.setTooltip(new Tooltip(messages.getString("chat.send.tooltip")));
        send.setOnAction(e -> {
            if (model.stateProperty().get() == ChatViewModel.State.GENERATING) {
                model.stop();
            } else {
                model.send();
            }
        });
        HBox row = new HBox(8, attach, input, send);
        row.setAlignment(Pos.BOTTOM_LEFT);
        HBox.setHgrow(input, Priority.ALWAYS);

        Label hint = new Label(messages.getString("chat.keys.hint"));
        hint.getStyleClass().add(FOOTER_STYLE);
        hint.setWrapText(true);
        hint.setMinHeight(Region.USE_PREF_SIZE);
        HBox.setHgrow(hint, Priority.ALWAYS);
        hint.setMaxWidth(Double.MAX_VALUE);
        Label context = new Label();
        context.setId("chat-context");
        context.getStyleClass().add(FOOTER_STYLE);
        context.setTooltip(new Tooltip(messages.getString("chat.context.tooltip")));
        context.setMinWidth(Region.USE_PREF_SIZE);
        context.textProperty().bind(Bindings.createStringBinding(() -> MessageFormat.format(messages.getString("chat.context"),
                String.format(Locale.ROOT, "%,d", model.contextUsedProperty().get()
                        + model.attachments().stream().mapToInt(a -> Math.max(0, a.tokens())).sum()),
                String.format(Locale.ROOT, "%,d", model.contextLimitProperty().get())),
                model.contextUsedProperty(), model.contextLimitProperty(), model.attachments()));
        context.visibleProperty().bind(model.contextLimitProperty().greaterThan(0));
        HBox hints = new HBox(8, hint, context);
        hints.setAlignment(Pos.CENTER_LEFT);
        VBox composer = new VBox(6, chips, row, hints);
        composer.getStyleClass().add("composer");
        composer.setPadding(new Insets(8, 12, 10, 12));
        composer.setMaxWidth(MessageList.COLUMN_WIDTH + 40);
        VBox outer = new VBox(composer);
        outer.setAlignment(Pos.CENTER);
        outer.getStyleClass().add("composer-area");
        return outer;
    }

    private Node chip(Attachment a) {
        String tokens = a.tokens() < 0
                ? new MessageFormat(messages.getString("chat.attach.chars"), Locale.ENGLISH).format(new Object[] {a.text().length()})
                : new MessageFormat(messages.getString("chat.attach.tokens"), Locale.ENGLISH).format(new Object[] {a.tokens()});
        Label name = new Label(a.name() + " · " + tokens, new FontIcon(Feather.FILE_TEXT));
        name.setMinWidth(Region.USE_PREF_SIZE);
        Button remove = new Button(null, new FontIcon(Feather.X));
        remove.getStyleClass().addAll("button-icon", "flat", "small");
        remove.setTooltip(new Tooltip(messages.getString("chat.attach.remove")));
        remove.setOnAction(e -> model.removeAttachment(a));
        HBox chip = new HBox(4, name, remove);
        chip.getStyleClass().add("attachment-chip");
        chip.setAlignment(Pos.CENTER_LEFT);
        return chip;
    }

    /** Text and code files dropped anywhere on the chat are attached to the next message. */
    private void acceptDroppedFiles(Node target) {
        target.addEventHandler(DragEvent.DRAG_OVER, e -> {
            if (e.getDragboard().hasFiles()) {
                e.acceptTransferModes(TransferMode.COPY);
                e.consume();
            }
        });
        target.addEventHandler(DragEvent.DRAG_ENTERED, e -> {
            if (e.getDragboard().hasFiles()) {
                target.getStyleClass().add("drop-target");
            }
        });
        target.addEventHandler(DragEvent.DRAG_EXITED, e -> target.getStyleClass().remove("drop-target"));
        target.addEventHandler(DragEvent.DRAG_DROPPED, e -> {
            boolean ok = e.getDragboard().hasFiles();
            if (ok) {
                model.attach(e.getDragboard().getFiles().stream().map(java.io.File::toPath).toList());
            }
            e.setDropCompleted(ok);
            e.consume();
        });
    }

    /** A file name from the conversation's title: no characters that file systems refuse. */
    static String safeFileName(ChatViewModel model) {
        Conversation c = model.currentProperty().get();
        String title = c != null ? c.title() : "conversation";
        String cleaned = title.replaceAll("[\\\\/:*?\"<>|\\p{Cntrl}]", "_").strip();
        return cleaned.isEmpty() ? "conversation" : cleaned.length() > 60 ? cleaned.substring(0, 60) : cleaned;
    }

    public Parent root() {
        return root;
    }

    /** What "browse the catalog" on the empty chat does: the shell shows the Models page. */
    public void setOnShowModels(Runnable r) {
        this.showModels = r;
    }

    /** Opens the model picker with its search focused (Ctrl+K). */
    public void pickModel() {
        picker.show();
    }

    /** Puts the focus in the message input (Ctrl+L, and after a new chat). */
    public void focusInput() {
        input.requestFocus();
    }

    /** Puts the focus in the conversation search (Ctrl+F). */
    public void focusSearch() {
        conversations.search().requestFocus();
    }

    /** Attaches files as if dropped (the Attach button's chooser, tests). */
    public void attach(List<Path> files) {
        model.attach(files);
    }

    /** The messages' scrolling list, for tests. */
    MessageList messageList() {
        return list;
    }
}
