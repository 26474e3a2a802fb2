package io.kaiyuan.ui.chat;

import io.kaiyuan.ui.FxWait;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kaiyuan.engine.api.ChatMessage;
import io.kaiyuan.engine.chat.ChatStore;
import io.kaiyuan.engine.chat.Conversation;
import io.kaiyuan.ui.shell.MainWindow;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import javafx.scene.Node;
import javafx.scene.Scene;
import javafx.scene.control.ListView;
import javafx.scene.control.TextArea;
import javafx.scene.input.KeyCode;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/** Conversations in the real window: regenerate, edit, and a restart that keeps them. */
@ExtendWith(ApplicationExtension.class)
class ChatHistoryViewTest {
    private ExecutorService generation;
    private ExecutorService io;
    private TinyModelBackend backend;
    private Path db;
    private ChatStore store;
    private Stage stage;

    @Start
    void start(Stage stage) throws Exception {
        this.stage = stage;
        Path dir = Files.createTempDirectory("kaiyuan-history-ui");
        db = dir.resolve("chats.db");
        generation = Executors.newSingleThreadExecutor();
        io = Executors.newSingleThreadExecutor();
        backend = new TinyModelBackend(dir.resolve("m"), generation, 30);
        show(ChatStore.open(db));
    }

    /** Puts a fresh window on the stage over {@code s} (a restart of the app, as far as the page can tell). */
    private void show(ChatStore s) {
        store = s;
        MainWindow window = new MainWindow(Locale.ENGLISH, MainWindow.Services.chat(backend, io).withStore(store));
        stage.setScene(new Scene(window.root(), 1000, 640));
        stage.show();
    }

    @AfterEach
    void stop() throws Exception {
        generation.shutdownNow();
        generation.awaitTermination(60, TimeUnit.SECONDS);
        io.shutdown();
        io.awaitTermination(5, TimeUnit.SECONDS);
        backend.close();
        store.close();
    }

    private static List<MessageItem> messages(FxRobot robot) {
        return ChatPage.items(robot);
    }

    /** The conversations listed, without the groups' headings. */
    @SuppressWarnings("unchecked")
    private static List<Conversation> conversations(FxRobot robot) {
        ListView<ConversationList.Row> list = robot.lookup("#chat-conversations").queryAs(ListView.class);
        return list.getItems().stream().filter(r -> r instanceof ConversationList.Entry)
                .map(r -> ((ConversationList.Entry) r).conversation()).toList();
    }

    private static void waitUntil(java.util.concurrent.Callable<Boolean> condition) throws Exception {
        FxWait.until(60, TimeUnit.SECONDS, condition);
        WaitForAsyncUtils.waitForFxEvents();
    }

    private static boolean answered(FxRobot robot, int size) {
        return ChatPage.answered(robot, size);
    }

    private static Node visible(FxRobot robot, String styleClass) {
        return robot.lookup("." + styleClass).match(Node::isVisible).query();
    }

    @Test
    void regenerateEditAndARestartThatKeepsTheConversation(FxRobot robot) throws Exception {
        robot.clickOn("#chat-input").write("第一个问题").type(KeyCode.ENTER);
        waitUntil(() -> answered(robot, 2));
        waitUntil(() -> conversations(robot).size() == 1);
        assertEquals("第一个问题", conversations(robot).get(0).title());

        int asked = backend.requests.size();
        robot.clickOn(visible(robot, "chat-regenerate"));
        waitUntil(() -> backend.requests.size() == asked + 1 && answered(robot, 2));
        assertEquals(List.of("user"), backend.requests.get(asked).stream().map(ChatMessage::role).toList());
        waitUntil(() -> robot.lookup(".chat-version").tryQuery().isPresent());
        assertEquals("2/2", robot.lookup(".chat-version").queryLabeled().getText(), "the earlier answer is kept as version 1");

        robot.clickOn(visible(robot, "chat-edit"));
        waitUntil(() -> robot.lookup("#chat-edit-text").tryQuery().isPresent());
        TextArea edit = robot.lookup("#chat-edit-text").queryAs(TextArea.class);
        assertEquals("第一个问题", edit.getText(), "the message becomes an editor where it stands");
        assertTrue(robot.lookup("#chat-edit-note").queryLabeled().getText().contains("Sending replaces the message after this one."),
                robot.lookup("#chat-edit-note").queryLabeled().getText());
        robot.interact(() -> edit.setText("第一个问题，改过"));
        robot.clickOn("#chat-edit-send");
        waitUntil(() -> backend.requests.size() == asked + 2 && answered(robot, 2));
        assertEquals("第一个问题，改过", messages(robot).get(0).textProperty().get());
        long id = conversations(robot).get(0).id();
        waitUntil(() -> store.messages(id).size() == 2 && store.messages(id).get(0).content().equals("第一个问题，改过"));

        // A restart: a new window over the same file lists the conversation and opens it.
        ChatStore old = store;
        robot.interact(() -> {
            old.close();
            try {
                show(ChatStore.open(db));
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        waitUntil(() -> conversations(robot).size() == 1);
        assertTrue(messages(robot).isEmpty());
        assertEquals("第一个问题，改过", conversations(robot).get(0).title(), "the title follows the edited first question");
        robot.clickOn("第一个问题，改过");
        waitUntil(() -> messages(robot).size() == 2);
        assertEquals("第一个问题，改过", messages(robot).get(0).textProperty().get());
        assertTrue(messages(robot).get(1).footerProperty().get().contains("30 tokens"));
    }
}
