package io.kaiyuan.ui.chat;

import io.kaiyuan.engine.chat.Conversation;
import java.text.MessageFormat;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.FormatStyle;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.ResourceBundle;
import javafx.collections.FXCollections;
import javafx.collections.ListChangeListener;
import javafx.collections.ObservableList;
import javafx.collections.SetChangeListener;
import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.scene.control.ContextMenu;
import javafx.scene.control.Label;
import javafx.scene.control.ListView;
import javafx.scene.control.MenuItem;
import javafx.scene.control.TextField;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;
import org.kordamp.ikonli.feather.Feather;
import org.kordamp.ikonli.javafx.FontIcon;

/**
 * The stored conversations beside the chat: a search over titles and messages, then the conversations
 * grouped Today, Yesterday and Earlier, each with its title (made from its first question) and a second
 * line with its date and model; rename and delete from the context menu. FX thread only.
 */
final class ConversationList {
    /** A row of the list: a group's heading or a conversation. */
    sealed interface Row permits Heading, Entry {}

    record Heading(String text) implements Row {}

    record Entry(Conversation conversation) implements Row {}

    private final ChatViewModel model;
    private final ResourceBundle messages;
    private final ObservableList<Row> rows = FXCollections.observableArrayList();
    private final ListView<Row> list = new ListView<>(rows);
    private final TextField search = new TextField();
    private final VBox root;
    private final ZoneId zone = ZoneId.systemDefault();

    ConversationList(ChatViewModel model, ResourceBundle messages, Locale locale) {
        this.model = model;
        this.messages = messages;
        search.setId("chat-search");
        search.setPromptText(messages.getString("chat.search"));
        search.textProperty().bindBidirectional(model.searchProperty());
        // Enter opens the first conversation found.
        search.setOnAction(e -> rows.stream().filter(r -> r instanceof Entry).findFirst()
                .ifPresent(r -> model.open(((Entry) r).conversation())));
        list.setId("chat-conversations");
        list.getStyleClass().add("conversation-list");
        list.setPlaceholder(placeholder());
        list.setCellFactory(v -> new Cell(locale));
        list.setMinWidth(0);
        list.getSelectionModel().selectedItemProperty().addListener((o, a, b) -> {
            if (b instanceof Entry e) {
                Conversation shown = model.currentProperty().get();
                if (shown == null || shown.id() != e.conversation().id()) {
                    model.open(e.conversation());
                }
            } else if (b instanceof Heading) {
                javafx.application.Platform.runLater(this::selectCurrent);
            }
        });
        model.conversations().addListener((ListChangeListener<Conversation>) c -> regroup());
        model.currentProperty().addListener((o, a, b) -> selectCurrent());
        model.answering().addListener((SetChangeListener<Long>) c -> list.refresh());
        VBox.setVgrow(list, Priority.ALWAYS);
        root = new VBox(8, search, list);
        root.getStyleClass().add("conversation-pane");
        root.setPadding(new Insets(10, 8, 8, 8));
        root.setPrefWidth(250);
        root.setMinWidth(Region.USE_PREF_SIZE);
        regroup();
    }

    VBox root() {
        return root;
    }

    TextField search() {
        return search;
    }

    private Label placeholder() {
        Label l = new Label(messages.getString("chat.conversations.empty"));
        l.setWrapText(true);
        l.setPadding(new Insets(12));
        return l;
    }

    /** The rows for {@code conversations} (the most recent first), grouped by the day they last changed. */
    static List<Row> group(List<Conversation> conversations, LocalDate today, ZoneId zone, ResourceBundle messages) {
        List<Row> out = new ArrayList<>();
        String last = null;
        for (Conversation c : conversations) {
            LocalDate day = c.updatedAt().atZone(zone).toLocalDate();
            String group = day.equals(today) ? messages.getString("chat.group.today")
                    : day.equals(today.minusDays(1)) ? messages.getString("chat.group.yesterday")
                    : messages.getString("chat.group.earlier");
            if (!group.equals(last)) {
                out.add(new Heading(group));
                last = group;
            }
            out.add(new Entry(c));
        }
        return out;
    }

    private void regroup() {
        rows.setAll(group(model.conversations(), LocalDate.now(zone), zone, messages));
        selectCurrent();
    }

    private void selectCurrent() {
        Conversation shown = model.currentProperty().get();
        if (shown == null) {
            list.getSelectionModel().clearSelection();
            return;
        }
        for (int i = 0; i < rows.size(); i++) {
            if (rows.get(i) instanceof Entry e && e.conversation().id() == shown.id()) {
                if (list.getSelectionModel().getSelectedIndex() != i) {
                    list.getSelectionModel().select(i);
                }
                return;
            }
        }
        list.getSelectionModel().clearSelection();
    }

    /** A heading, or a conversation's title over its date and model. */
    private final class Cell extends io.kaiyuan.ui.common.WrappingCell<Row> {
        private final DateTimeFormatter time;
        private final DateTimeFormatter date;

        Cell(Locale locale) {
            time = DateTimeFormatter.ofLocalizedTime(FormatStyle.SHORT).withLocale(locale);
            date = DateTimeFormatter.ofLocalizedDate(FormatStyle.MEDIUM).withLocale(locale);
        }

        @Override
        protected void updateItem(Row row, boolean empty) {
            super.updateItem(row, empty);
            getStyleClass().removeAll("conversation-heading", "conversation-entry");
            setText(null);
            setContextMenu(null);
            if (empty || row == null) {
                setGraphic(null);
                return;
            }
            if (row instanceof Heading h) {
                Label l = new Label(h.text());
                l.getStyleClass().add("conversation-heading-text");
                getStyleClass().add("conversation-heading");
                setGraphic(l);
                return;
            }
            Conversation c = ((Entry) row).conversation();
            getStyleClass().add("conversation-entry");
            Label title = new Label(c.title());
            title.getStyleClass().add("conversation-title");
            title.setWrapText(true);
            title.setMinHeight(Region.USE_PREF_SIZE);
            HBox top = new HBox(6, title);
            top.setAlignment(Pos.TOP_LEFT);
            HBox.setHgrow(title, Priority.ALWAYS);
            if (model.answering().contains(c.id())) {
                FontIcon writing = new FontIcon(Feather.EDIT_3);
                writing.getStyleClass().add("conversation-answering");
                Label mark = new Label(null, writing);
                mark.setTooltip(new javafx.scene.control.Tooltip(messages.getString("chat.answering")));
                top.getChildren().add(mark);
            }
            ZonedDateTime at = c.updatedAt().atZone(zone);
            boolean recent = !at.toLocalDate().isBefore(LocalDate.now(zone).minusDays(1));
            String when = recent ? time.format(at) : date.format(at);
            Label sub = new Label(c.modelId().map(m -> MessageFormat.format(messages.getString("chat.conversation.line"), when, m))
                    .orElse(when));
            sub.getStyleClass().add("conversation-sub");
            sub.setWrapText(true);
            sub.setMinHeight(Region.USE_PREF_SIZE);
            VBox box = new VBox(2, top, sub);
            box.setMinWidth(0);
            setGraphic(box);
            MenuItem rename = new MenuItem(messages.getString("chat.rename"));
            rename.setOnAction(e -> io.kaiyuan.ui.common.Dialogs.askText(this, messages, messages.getString("chat.rename.title"),
                    c.title()).ifPresent(t -> model.rename(c, t)));
            MenuItem delete = new MenuItem(messages.getString("chat.delete"));
            delete.setOnAction(e -> {
                if (io.kaiyuan.ui.common.Dialogs.confirm(this, messages,
                        MessageFormat.format(messages.getString("chat.delete.confirm"), c.title()), "chat.delete")) {
                    model.delete(c);
                }
            });
            setContextMenu(new ContextMenu(rename, delete));
        }
    }
}
