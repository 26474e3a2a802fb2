package io.kaiyuan.ui.chat;

import java.text.MessageFormat;
import java.util.ResourceBundle;
import javafx.beans.binding.Bindings;
import javafx.beans.value.ChangeListener;
import javafx.collections.ListChangeListener;
import javafx.geometry.Pos;
import javafx.scene.Node;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.TextArea;
import javafx.scene.control.Tooltip;
import javafx.scene.input.Clipboard;
import javafx.scene.input.ClipboardContent;
import javafx.scene.input.KeyCode;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;
import org.kordamp.ikonli.feather.Feather;
import org.kordamp.ikonli.javafx.FontIcon;

/**
 * One message on the chat page. The user's messages sit in a bubble on the right; answers take the
 * column, with their thinking in a block that folds, their text as Markdown, their figures, and the
 * versions of a regenerated answer ("‹ 2/3 ›"). All text wraps at any width and can be selected in part.
 * Editing a message of the user turns the bubble into an editor where it stands. FX thread only.
 */
final class MessageView extends SizeCachingVBox {
    /** Style classes, styled in kaiyuan.css. */
    static final String USER_STYLE = "message-user";
    static final String ANSWER_STYLE = "message-answer";
    static final String BUBBLE_STYLE = "user-bubble";
    static final String ACTIONS_STYLE = "message-actions";

    private final MessageItem item;
    private final ChatViewModel model;
    private final ResourceBundle messages;
    private final Markdown markdown;
    private final TextSelection selection;
    private final VBox body = new VBox(6);
    private final HBox actions = new HBox(2);
    private Runnable unbind = () -> { };

    MessageView(MessageItem item, ChatViewModel model, ResourceBundle messages, Markdown markdown) {
        super(4);
        this.item = item;
        this.model = model;
        this.messages = messages;
        this.markdown = markdown;
        getStyleClass().addAll("message", item.isUser() ? USER_STYLE : ANSWER_STYLE);
        setMinWidth(0);
        body.setMinWidth(0);
        actions.getStyleClass().add(ACTIONS_STYLE);
        actions.setAlignment(item.isUser() ? Pos.CENTER_RIGHT : Pos.CENTER_LEFT);
        getChildren().addAll(body, actions);
        selection = new TextSelection(this, messages);
        item.revisionProperty().addListener(onRevision);
        item.versions().addListener(onVersions);
        show();
    }

    private final javafx.beans.InvalidationListener onRevision = o -> show();
    private final ListChangeListener<MessageItem.Version> onVersions = c -> actions.getChildren().setAll(actionButtons());

    /** Stops following the message (the view is no longer shown). */
    void dispose() {
        unbind.run();
        unbind = () -> { };
        item.revisionProperty().removeListener(onRevision);
        item.versions().removeListener(onVersions);
    }

    MessageItem item() {
        return item;
    }

    TextSelection selection() {
        return selection;
    }

    /** Shows the chosen version (again). */
    private void show() {
        unbind.run();
        unbind = () -> { };
        selection.clear();
        if (item.isUser()) {
            showUser();
        } else {
            showAnswer();
        }
        actions.getChildren().setAll(actionButtons());
    }

    private void showUser() {
        RichText text = RichText.of(item.textProperty().get(), "message-text");
        VBox bubble = new VBox(text);
        bubble.getStyleClass().add(BUBBLE_STYLE);
        bubble.setMinWidth(0);
        bubble.maxWidthProperty().bind(widthProperty().multiply(0.85));
        HBox row = new HBox(bubble);
        row.setAlignment(Pos.TOP_RIGHT);
        row.setMinWidth(0);
        body.getChildren().setAll(row);
    }

    private void showAnswer() {
        MessageItem.Version v = item.chosen();
        // the tool calls made before the text stand before it, each round's text with its calls
        javafx.beans.binding.StringBinding calls = Bindings.createStringBinding(
                () -> ToolNotes.markdown(v.toolRounds(), messages), v.toolRounds());
        javafx.beans.binding.StringBinding text = Bindings.createStringBinding(
                () -> calls.get() + v.textProperty().get(), calls, v.textProperty());
        javafx.beans.binding.StringBinding thinking = Bindings.createStringBinding(
                () -> ToolNotes.reasoning(v.toolRounds(), v.reasoningProperty().get()), v.toolRounds(), v.reasoningProperty());
        AnswerView answer = new AnswerView(text, thinking, v.reasoningMsProperty(), markdown, messages);
        Label footer = new Label();
        footer.getStyleClass().add(ChatView.FOOTER_STYLE);
        footer.setWrapText(true);
        footer.setMinHeight(Region.USE_PREF_SIZE);
        footer.textProperty().bind(v.footerProperty());
        footer.visibleProperty().bind(v.footerProperty().isNotEmpty());
        footer.managedProperty().bind(footer.visibleProperty());
        ChangeListener<String> onFooter = (o, a, b) -> {
            answer.flush();
            actions.getChildren().setAll(actionButtons());
        };
        v.footerProperty().addListener(onFooter);
        unbind = () -> {
            answer.dispose();
            v.footerProperty().removeListener(onFooter);
            text.dispose();
            thinking.dispose();
            calls.dispose();
        };
        body.getChildren().setAll(answer, footer);
    }

    private static Button iconButton(Feather icon, String tooltip, String styleClass) {
        Button b = new Button(null, new FontIcon(icon));
        b.getStyleClass().addAll(styleClass, "flat", "button-icon", "message-action");
        b.setTooltip(new Tooltip(tooltip));
        b.setFocusTraversable(false);
        b.setMinWidth(Region.USE_PREF_SIZE);
        return b;
    }

    /** Copy for every message; Edit for the user's; Regenerate for the last answer; the versions of an answer. */
    private java.util.List<Node> actionButtons() {
        java.util.List<Node> out = new java.util.ArrayList<>();
        Button copy = iconButton(Feather.COPY, messages.getString("chat.copy"), "chat-copy");
        copy.setOnAction(e -> {
            ClipboardContent content = new ClipboardContent();
            content.putString(item.textProperty().get());
            Clipboard.getSystemClipboard().setContent(content);
        });
        out.add(copy);
        var busy = model.stateProperty().isEqualTo(ChatViewModel.State.GENERATING);
        if (item.isUser()) {
            Button edit = iconButton(Feather.EDIT_2, messages.getString("chat.edit"), "chat-edit");
            edit.setOnAction(e -> startEdit());
            edit.disableProperty().bind(busy);
            out.add(edit);
            return out;
        }
        if (item.versions().size() > 1) {
            Button previous = iconButton(Feather.CHEVRON_LEFT, messages.getString("chat.version.previous"), "chat-version-previous");
            Button next = iconButton(Feather.CHEVRON_RIGHT, messages.getString("chat.version.next"), "chat-version-next");
            Label which = new Label(MessageFormat.format(messages.getString("chat.version"), item.chosenProperty().get() + 1,
                    item.versions().size()));
            which.getStyleClass().addAll("chat-version", ChatView.FOOTER_STYLE);
            which.setMinWidth(Region.USE_PREF_SIZE);
            previous.setOnAction(e -> model.choose(item, item.chosenProperty().get() - 1));
            next.setOnAction(e -> model.choose(item, item.chosenProperty().get() + 1));
            previous.disableProperty().bind(busy.or(Bindings.createBooleanBinding(() -> item.chosenProperty().get() == 0,
                    item.chosenProperty())));
            next.disableProperty().bind(busy.or(Bindings.createBooleanBinding(
                    () -> item.chosenProperty().get() >= item.versions().size() - 1, item.chosenProperty(), item.versions())));
            out.add(previous);
            out.add(which);
            out.add(next);
        }
        Button again = iconButton(Feather.REFRESH_CW, messages.getString("chat.regenerate"), "chat-regenerate");
        again.setOnAction(e -> model.regenerate());
        var items = model.conversation();
        again.visibleProperty().bind(Bindings.createBooleanBinding(
                () -> !items.isEmpty() && items.get(items.size() - 1) == item, items));
        again.managedProperty().bind(again.visibleProperty());
        again.disableProperty().bind(busy);
        out.add(again);
        return out;
    }

    /** Turns the bubble into an editor where it stands: Enter sends, Esc cancels. */
    void startEdit() {
        TextArea area = new TextArea(item.textProperty().get());
        area.setId("chat-edit-text");
        area.setWrapText(true);
        area.setPrefRowCount((int) Math.min(12, Math.max(3, item.textProperty().get().lines().count() + 1)));
        int later = model.laterMessages(item);
        Label note = new Label(later == 0 ? messages.getString("chat.edit.note.none")
                : MessageFormat.format(messages.getString("chat.edit.note"), later));
        note.setId("chat-edit-note");
        note.getStyleClass().add(ChatView.FOOTER_STYLE);
        note.setWrapText(true);
        note.setMinHeight(Region.USE_PREF_SIZE);
        Button cancel = new Button(messages.getString("chat.edit.cancel"));
        cancel.setId("chat-edit-cancel");
        cancel.setMinWidth(Region.USE_PREF_SIZE);
        Button send = new Button(messages.getString("chat.edit.send"));
        send.setId("chat-edit-send");
        send.getStyleClass().add("accent");
        send.setMinWidth(Region.USE_PREF_SIZE);
        Region spacer = new Region();
        HBox.setHgrow(spacer, Priority.ALWAYS);
        HBox buttons = new HBox(8, note, spacer, cancel, send);
        HBox.setHgrow(note, Priority.SOMETIMES);
        buttons.setAlignment(Pos.CENTER_LEFT);
        VBox editor = new VBox(6, area, buttons);
        editor.getStyleClass().add("message-editor");
        editor.setMinWidth(0);
        Runnable done = this::show;
        cancel.setOnAction(e -> done.run());
        send.setOnAction(e -> model.edit(item, area.getText()));
        area.setOnKeyPressed(e -> {
            if (e.getCode() == KeyCode.ESCAPE) {
                e.consume();
                done.run();
            } else if (e.getCode() == KeyCode.ENTER && !e.isShiftDown()) {
                e.consume();
                model.edit(item, area.getText());
            } else if (e.getCode() == KeyCode.ENTER) {
                e.consume();
                area.insertText(area.getCaretPosition(), "\n");
            }
        });
        body.getChildren().setAll(editor);
        actions.getChildren().clear();
        area.requestFocus();
        area.end();
    }
}
