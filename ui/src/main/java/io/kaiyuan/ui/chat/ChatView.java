package io.kaiyuan.ui.chat;

import java.util.ResourceBundle;
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
    private final BorderPane root = new BorderPane();

    public ChatView(ChatViewModel model, ResourceBundle messages) {
        ComboBox<String> picker = new ComboBox<>(model.models());
        picker.setId("chat-model");
        picker.valueProperty().bindBidirectional(model.selectedModelProperty());
        picker.setPromptText(messages.getString("chat.pickModel"));
        picker.setTooltip(new Tooltip(messages.getString("chat.pickModel.tooltip")));
        Label error = new Label();
        error.setId("chat-error");
        error.textProperty().bind(model.errorProperty());
        error.setStyle("-fx-text-fill: #b3261e;");
        Button newChat = new Button("+");
        newChat.setId("chat-new");
        newChat.setTooltip(new Tooltip(messages.getString("chat.new.tooltip")));
        newChat.setOnAction(e -> model.newChat());
        HBox top = new HBox(12, newChat, picker, error);
        top.setPadding(new Insets(8));

        ListView<MessageItem> list = new ListView<>(model.conversation());
        list.setId("chat-messages");
        list.setCellFactory(v -> new MessageCell(messages));
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
        root.setTop(top);
        root.setCenter(list);
        root.setBottom(bottom);
    }

    public Parent root() {
        return root;
    }

    /** A message: who wrote it, its reasoning (when there is some), its text and its footer. */
    private static final class MessageCell extends ListCell<MessageItem> {
        private final ResourceBundle messages;

        MessageCell(ResourceBundle messages) {
            this.messages = messages;
            // A cell otherwise takes its text's unwrapped width and the list scrolls sideways.
            setPrefWidth(0);
        }

        @Override
        protected void updateItem(MessageItem item, boolean empty) {
            super.updateItem(item, empty);
            if (empty || item == null) {
                setGraphic(null);
                return;
            }
            Label who = new Label(messages.getString(item.role().equals("user") ? "chat.you" : "chat.assistant"));
            who.setStyle("-fx-font-weight: bold;");
            Label reasoning = new Label();
            reasoning.textProperty().bind(item.reasoningProperty());
            reasoning.setWrapText(true);
            reasoning.setStyle("-fx-text-fill: #6b6b6b; -fx-font-style: italic;");
            reasoning.visibleProperty().bind(item.reasoningProperty().isNotEmpty());
            reasoning.managedProperty().bind(reasoning.visibleProperty());
            Label text = new Label();
            text.getStyleClass().add("message-text");
            text.textProperty().bind(item.textProperty());
            text.setWrapText(true);
            Label footer = new Label();
            footer.textProperty().bind(item.footerProperty());
            footer.setStyle("-fx-text-fill: #6b6b6b; -fx-font-size: 11px;");
            footer.visibleProperty().bind(item.footerProperty().isNotEmpty());
            footer.managedProperty().bind(footer.visibleProperty());
            VBox box = new VBox(4, who, reasoning, text, footer);
            box.setPadding(new Insets(4));
            var width = getListView().widthProperty().subtract(48);
            for (Label l : new Label[] {reasoning, text, footer}) {
                l.setMinWidth(0);
                l.prefWidthProperty().bind(width);
                l.maxWidthProperty().bind(width);
            }
            setGraphic(box);
        }
    }
}
