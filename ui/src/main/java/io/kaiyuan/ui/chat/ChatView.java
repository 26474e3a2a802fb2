package io.kaiyuan.ui.chat;

import io.kaiyuan.ui.common.FileDialogs;
import io.kaiyuan.engine.chat.Conversation;
import java.text.MessageFormat;
import java.util.ResourceBundle;
import javafx.scene.control.Alert;
import javafx.scene.control.ButtonType;
import javafx.scene.control.ContextMenu;
import javafx.scene.control.Dialog;
import javafx.scene.control.Hyperlink;
import javafx.scene.control.MenuItem;
import javafx.scene.control.TextField;
import javafx.scene.control.TextInputDialog;
import javafx.scene.control.TitledPane;
import javafx.scene.Node;
import javafx.scene.layout.Region;
import javafx.scene.input.Clipboard;
import javafx.scene.input.ClipboardContent;
import javafx.beans.binding.Bindings;
import javafx.geometry.Insets;
import javafx.scene.Parent;
import javafx.scene.control.Button;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.ListCell;
import javafx.scene.control.ListView;
import javafx.scene.control.TextArea;
import javafx.scene.control.Tooltip;
import javafx.scene.input.KeyCode;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;

/** The chat page: model picker, the conversation, and the input with Send / Stop. FX thread only. */
public final class ChatView {
    /** Style classes of a message's parts. */
    public static final String THINKING_STYLE = "thinking";
    public static final String REASONING_STYLE = "reasoning";
    public static final String FOOTER_STYLE = "message-footer";
    private final BorderPane root = new BorderPane();
    private final FileDialogs dialogs;

    public ChatView(ChatViewModel model, ResourceBundle messages) {
        this(model, messages, FileDialogs.SYSTEM);
    }

    /** @param dialogs where Export asks for the file to write */
    public ChatView(ChatViewModel model, ResourceBundle messages, FileDialogs dialogs) {
        this.dialogs = dialogs;
        ComboBox<String> picker = new ComboBox<>(model.models());
        picker.setId("chat-model");
        picker.valueProperty().bindBidirectional(model.selectedModelProperty());
        picker.setPromptText(messages.getString("chat.pickModel"));
        picker.setTooltip(new Tooltip(messages.getString("chat.pickModel.tooltip")));
        Label error = new Label();
        error.setId("chat-error");
        error.textProperty().bind(model.errorProperty());
        error.getStyleClass().add("error-text");
        Button newChat = new Button("+");
        newChat.setId("chat-new");
        newChat.setTooltip(new Tooltip(messages.getString("chat.new.tooltip")));
        newChat.setOnAction(e -> model.newChat());
        javafx.scene.control.CheckBox think = new javafx.scene.control.CheckBox(messages.getString("chat.thinkingSwitch"));
        think.setId("chat-thinking");
        think.setTooltip(new Tooltip(messages.getString("chat.thinkingSwitch.tooltip")));
        think.selectedProperty().bindBidirectional(model.thinkingProperty());
        think.visibleProperty().bind(model.thinkingSwitchProperty());
        think.managedProperty().bind(think.visibleProperty());
        Label context = new Label();
        context.setId("chat-context");
        context.setTooltip(new Tooltip(messages.getString("chat.context.tooltip")));
        context.textProperty().bind(Bindings.createStringBinding(() -> MessageFormat.format(messages.getString("chat.context"),
                String.format(java.util.Locale.ROOT, "%,d", model.contextUsedProperty().get()),
                String.format(java.util.Locale.ROOT, "%,d", model.contextLimitProperty().get())),
                model.contextUsedProperty(), model.contextLimitProperty()));
        context.visibleProperty().bind(model.contextLimitProperty().greaterThan(0));
        context.getStyleClass().add(ChatView.FOOTER_STYLE);
        javafx.scene.layout.Region spacer = new javafx.scene.layout.Region();
        HBox.setHgrow(spacer, Priority.ALWAYS);
        javafx.scene.control.MenuButton export = new javafx.scene.control.MenuButton(messages.getString("chat.export"));
        export.setId("chat-export");
        for (ChatViewModel.ExportFormat format : ChatViewModel.ExportFormat.values()) {
            MenuItem item = new MenuItem(messages.getString("chat.export." + format.name()));
            item.setOnAction(e -> {
                String extension = format == ChatViewModel.ExportFormat.JSON ? "json" : "md";
                dialogs.save(root.getScene().getWindow(), safeFileName(model) + "." + extension, java.util.List.of(
                        new FileDialogs.Filter(messages.getString("chat.export." + format.name()), "*." + extension)))
                        .ifPresent(file -> model.export(file, format));
            });
            export.getItems().add(item);
        }
        export.disableProperty().bind(Bindings.isEmpty(model.conversation()));
        ConversationSettingsView settingsPane = new ConversationSettingsView(model, messages);
        javafx.scene.control.ToggleButton settings = new javafx.scene.control.ToggleButton(messages.getString("chat.settings"));
        settings.setId("chat-settings");
        settings.setTooltip(new Tooltip(messages.getString("chat.settings.tooltip")));
        picker.setOnAction(e -> model.preload());
        javafx.scene.control.ProgressIndicator spinner = new javafx.scene.control.ProgressIndicator();
        spinner.setPrefSize(18, 18);
        Label loading = new Label();
        loading.setId("chat-loading");
        loading.textProperty().bind(model.loadingStatusProperty());
        loading.setGraphic(spinner);
        loading.visibleProperty().bind(model.loadingStatusProperty().isNotEmpty());
        loading.managedProperty().bind(loading.visibleProperty());
        HBox top = new HBox(12, newChat, picker, think, loading, error, spacer, context, settings, export);
        top.setAlignment(javafx.geometry.Pos.CENTER_LEFT);
        Label notice = new Label();
        notice.setId("chat-notice");
        notice.setWrapText(true);
        notice.textProperty().bind(model.noticeProperty());
        notice.visibleProperty().bind(model.noticeProperty().isNotEmpty());
        notice.managedProperty().bind(notice.visibleProperty());
        notice.getStyleClass().add("notice-text");
        top.setPadding(new Insets(8));

        ListView<MessageItem> list = new ListView<>(model.conversation());
        list.setId("chat-messages");
        list.setCellFactory(v -> new MessageCell(model, messages));
        list.setFocusTraversable(false);
        // The page decides the list's width; its cells wrap to it (their labels follow the list's width).
        list.setPrefWidth(200);
        list.setMinWidth(0);
        model.conversation().addListener((javafx.collections.ListChangeListener<MessageItem>) c ->
                list.scrollTo(Math.max(0, model.conversation().size() - 1)));

        TextArea input = new TextArea();
        input.setId("chat-input");
        input.setPromptText(messages.getString("chat.placeholder"));
        input.setWrapText(true);
        input.setPrefRowCount(3);
        input.textProperty().bindBidirectional(model.inputProperty());
        input.setOnKeyPressed(e -> {
            if (e.getCode() == KeyCode.ENTER && !e.isShiftDown()) {
                e.consume();
                model.send();
            } else if (e.getCode() == KeyCode.ENTER) {
                e.consume();
                input.insertText(input.getCaretPosition(), "\n");
            }
        });
        Button send = new Button();
        send.setId("chat-send");
        send.textProperty().bind(Bindings.when(model.stateProperty().isEqualTo(ChatViewModel.State.GENERATING))
                .then(messages.getString("chat.stop")).otherwise(messages.getString("chat.send")));
        send.setTooltip(new Tooltip(messages.getString("chat.send.tooltip")));
        send.setOnAction(e -> {
            if (model.stateProperty().get() == ChatViewModel.State.GENERATING) {
                model.stop();
            } else {
                model.send();
            }
        });
        HBox bottom = new HBox(8, input, send);
        HBox.setHgrow(input, Priority.ALWAYS);
        bottom.setPadding(new Insets(8));
        // Page shortcuts, also while the input has the focus: Ctrl+K picks a model, Ctrl+N starts a new chat.
        root.addEventFilter(javafx.scene.input.KeyEvent.KEY_PRESSED, e -> {
            if (e.isShortcutDown() && e.getCode() == KeyCode.K) {
                e.consume();
                picker.requestFocus();
                picker.show();
            } else if (e.isShortcutDown() && e.getCode() == KeyCode.N) {
                e.consume();
                model.newChat();
                input.requestFocus();
            } else if (e.getCode() == KeyCode.ESCAPE) {
                model.stop();
            }
        });
        BorderPane chat = new BorderPane();
        chat.setTop(new VBox(top, notice));
        javafx.scene.control.ScrollPane settingsScroll = new javafx.scene.control.ScrollPane(settingsPane.root());
        settingsScroll.setFitToWidth(true);
        chat.rightProperty().bind(Bindings.when(settings.selectedProperty()).then((Node) settingsScroll).otherwise((Node) null));
        chat.setCenter(list);
        chat.setBottom(bottom);
        root.setLeft(conversationList(model, messages));
        root.setCenter(chat);
    }

    /** A file name from the conversation's title: no characters that file systems refuse. */
    static String safeFileName(ChatViewModel model) {
        Conversation c = model.currentProperty().get();
        String title = c != null ? c.title() : "conversation";
        String cleaned = title.replaceAll("[\\\\/:*?\"<>|\\p{Cntrl}]", "_").strip();
        return cleaned.isEmpty() ? "conversation" : cleaned.length() > 60 ? cleaned.substring(0, 60) : cleaned;
    }

    /** The stored conversations: search, open, rename and delete. */
    private static VBox conversationList(ChatViewModel model, ResourceBundle messages) {
        TextField search = new TextField();
        search.setId("chat-search");
        search.setPromptText(messages.getString("chat.search"));
        search.textProperty().bindBidirectional(model.searchProperty());
        ListView<Conversation> list = new ListView<>(model.conversations());
        list.setId("chat-conversations");
        list.setPlaceholder(new Label(messages.getString("chat.conversations.empty")));
        list.setCellFactory(v -> new ConversationCell(model, messages));
        list.getSelectionModel().selectedItemProperty().addListener((o, a, b) -> {
            Conversation shown = model.currentProperty().get();
            if (b != null && (shown == null || shown.id() != b.id())) {
                model.open(b);
            }
        });
        model.currentProperty().addListener((o, a, b) -> {
            if (b == null) {
                list.getSelectionModel().clearSelection();
            }
        });
        VBox.setVgrow(list, Priority.ALWAYS);
        VBox box = new VBox(6, search, list);
        box.setPadding(new Insets(8));
        box.setPrefWidth(220);
        return box;
    }

    /** A conversation's title, with rename and delete in its context menu. */
    private static final class ConversationCell extends ListCell<Conversation> {
        private final ChatViewModel model;
        private final ResourceBundle messages;

        ConversationCell(ChatViewModel model, ResourceBundle messages) {
            this.model = model;
            this.messages = messages;
        }

        @Override
        protected void updateItem(Conversation c, boolean empty) {
            super.updateItem(c, empty);
            if (empty || c == null) {
                setText(null);
                setContextMenu(null);
                return;
            }
            setText(c.title());
            MenuItem rename = new MenuItem(messages.getString("chat.rename"));
            rename.setOnAction(e -> {
                TextInputDialog dialog = new TextInputDialog(c.title());
                dialog.setTitle(messages.getString("chat.rename.title"));
                dialog.setHeaderText(null);
                dialog.initOwner(getScene().getWindow());
                dialog.showAndWait().ifPresent(t -> model.rename(c, t));
            });
            MenuItem delete = new MenuItem(messages.getString("chat.delete"));
            delete.setOnAction(e -> {
                Alert confirm = new Alert(Alert.AlertType.CONFIRMATION,
                        MessageFormat.format(messages.getString("chat.delete.confirm"), c.title()), ButtonType.OK, ButtonType.CANCEL);
                confirm.setHeaderText(null);
                confirm.initOwner(getScene().getWindow());
                confirm.showAndWait().filter(b -> b == ButtonType.OK).ifPresent(b -> model.delete(c));
            });
            setContextMenu(new ContextMenu(rename, delete));
        }
    }

    public Parent root() {
        return root;
    }

    /** A message: who wrote it, its thinking (when there is some), its text as Markdown, its footer and actions. */
    private static final class MessageCell extends ListCell<MessageItem> {
        private final ChatViewModel model;
        private final ResourceBundle messages;
        private final Markdown markdown;
        private Runnable unbind = () -> { };

        MessageCell(ChatViewModel model, ResourceBundle messages) {
            this.model = model;
            this.messages = messages;
            this.markdown = new Markdown(messages.getString("chat.copy"), url -> { });
            // A cell otherwise takes its text's unwrapped width and the list scrolls sideways.
            setPrefWidth(0);
        }

        @Override
        protected void updateItem(MessageItem item, boolean empty) {
            super.updateItem(item, empty);
            unbind.run();
            unbind = () -> { };
            if (empty || item == null) {
                setGraphic(null);
                return;
            }
            boolean user = item.role().equals("user");
            Label who = new Label(messages.getString(user ? "chat.you" : "chat.assistant"));
            who.setStyle("-fx-font-weight: bold;");
            var width = getListView().widthProperty().subtract(48);

            Label reasoning = new Label();
            reasoning.getStyleClass().add(REASONING_STYLE);
            reasoning.textProperty().bind(item.reasoningProperty());
            reasoning.setWrapText(true);
            TitledPane thinking = new TitledPane();
            thinking.getStyleClass().add(THINKING_STYLE);
            thinking.setContent(reasoning);
            thinking.setAnimated(false);
            thinking.textProperty().bind(Bindings.createStringBinding(() -> item.reasoningMsProperty().get() > 0
                    ? MessageFormat.format(messages.getString("chat.thought"),
                            String.format(java.util.Locale.ROOT, "%.1f", item.reasoningMsProperty().get() / 1000))
                    : messages.getString("chat.thinking"), item.reasoningMsProperty()));
            thinking.visibleProperty().bind(item.reasoningProperty().isNotEmpty());
            thinking.managedProperty().bind(thinking.visibleProperty());
            // Open while the model thinks; folded away once the answer starts.
            thinking.setExpanded(item.textProperty().get().isEmpty());
            javafx.beans.value.ChangeListener<String> fold = (o, a, b) -> {
                if (a.isEmpty() && !b.isEmpty()) {
                    thinking.setExpanded(false);
                }
            };
            item.textProperty().addListener(fold);

            Node content;
            if (user) {
                Label text = new Label();
                text.getStyleClass().add("message-text");
                text.textProperty().bind(item.textProperty());
                text.setWrapText(true);
                content = text;
            } else {
                if (item.markdownView == null) {
                    MarkdownPane pane = new MarkdownPane(markdown);
                    pane.getStyleClass().add("message-text");
                    pane.setMarkdown(item.textProperty().get());
                    item.textProperty().addListener((o, a, b) -> pane.setMarkdown(b));
                    item.markdownView = pane;
                }
                content = item.markdownView;
            }
            Runnable unrender = unbind;
            unbind = () -> {
                unrender.run();
                item.textProperty().removeListener(fold);
            };
            Label footer = new Label();
            footer.textProperty().bind(item.footerProperty());
            footer.setStyle("-fx-font-size: 11px;");
            footer.getStyleClass().add(FOOTER_STYLE);
            footer.visibleProperty().bind(item.footerProperty().isNotEmpty());
            footer.managedProperty().bind(footer.visibleProperty());
            VBox box = new VBox(4, who, thinking, content, footer, actions(item));
            box.setPadding(new Insets(4));
            for (Region r : new Region[] {thinking, (Region) content, footer}) {
                r.setMinWidth(0);
                r.prefWidthProperty().bind(width);
                r.maxWidthProperty().bind(width);
            }
            setGraphic(box);
        }

        /** Copy for every message; Edit for the user's; Regenerate for the last answer. */
        private HBox actions(MessageItem item) {
            Hyperlink copy = new Hyperlink(messages.getString("chat.copy"));
            copy.getStyleClass().add("chat-copy");
            copy.setOnAction(e -> {
                ClipboardContent content = new ClipboardContent();
                content.putString(item.textProperty().get());
                Clipboard.getSystemClipboard().setContent(content);
            });
            HBox box = new HBox(4, copy);
            if (item.role().equals("user")) {
                Hyperlink edit = new Hyperlink(messages.getString("chat.edit"));
                edit.getStyleClass().add("chat-edit");
                edit.setOnAction(e -> editDialog(item).ifPresent(t -> model.edit(item, t)));
                box.getChildren().add(edit);
            } else {
                Hyperlink again = new Hyperlink(messages.getString("chat.regenerate"));
                again.getStyleClass().add("chat-regenerate");
                again.setOnAction(e -> model.regenerate());
                var items = getListView().getItems();
                again.visibleProperty().bind(Bindings.createBooleanBinding(
                        () -> !items.isEmpty() && items.get(items.size() - 1) == item, items));
                again.managedProperty().bind(again.visibleProperty());
                box.getChildren().add(again);
            }
            box.disableProperty().bind(model.stateProperty().isEqualTo(ChatViewModel.State.GENERATING));
            return box;
        }

        private java.util.Optional<String> editDialog(MessageItem item) {
            Dialog<String> dialog = new Dialog<>();
            dialog.setTitle(messages.getString("chat.edit.title"));
            dialog.initOwner(getScene().getWindow());
            TextArea area = new TextArea(item.textProperty().get());
            area.setId("chat-edit-text");
            area.setWrapText(true);
            dialog.getDialogPane().setContent(area);
            dialog.getDialogPane().getButtonTypes().addAll(ButtonType.OK, ButtonType.CANCEL);
            dialog.setResultConverter(b -> b == ButtonType.OK ? area.getText() : null);
            return dialog.showAndWait();
        }
    }
}
