package io.kaiyuan.ui.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kaiyuan.engine.api.ChatMessage;
import io.kaiyuan.engine.chat.ChatStore;
import io.kaiyuan.engine.chat.Conversation;
import io.kaiyuan.engine.chat.StoredMessage;
import io.kaiyuan.engine.chat.VersionedMessage;
import io.kaiyuan.ui.shell.MainWindow;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.OptionalInt;
import java.util.ResourceBundle;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Answer versions, edits, titles, assistants, attachments and the model list, on the view model with a
 * scripted backend and a real SQLite file.
 */
class ChatFeaturesTest {
    private static final ResourceBundle EN = ResourceBundle.getBundle(MainWindow.BUNDLE, Locale.ENGLISH);

    @TempDir
    Path dir;
    private ChatStore store;
    private CountingBackend backend;
    private ChatViewModel vm;

    /** Counts a token per four characters, as a tokenizer would roughly; a window of 1,000 tokens. */
    static final class CountingBackend extends ScriptedBackend {
        @Override
        public OptionalInt countTokens(String modelId, String text) {
            return OptionalInt.of((text.length() + 3) / 4);
        }

        @Override
        public OptionalInt contextWindow(String modelId) {
            return OptionalInt.of(1000);
        }
    }

    @BeforeEach
    void open() throws Exception {
        store = ChatStore.open(dir.resolve("chats.db"));
        backend = new CountingBackend();
        vm = new ChatViewModel(backend, Runnable::run, EN, store, Runnable::run);
        vm.setModels(backend.installedModels());
    }

    @AfterEach
    void close() {
        store.close();
    }

    private void turn(String question, String answer) {
        vm.inputProperty().set(question);
        vm.send();
        backend.last().text(answer).finish();
    }

    private long id() {
        return vm.currentProperty().get().id();
    }

    @Test
    void regenerateKeepsEveryVersionTheChosenOneIsWhatTheNextTurnReadsAndAllAreStored() throws Exception {
        turn("one", "first answer");
        vm.regenerate();
        backend.last().text("second answer").finish();
        MessageItem answer = vm.conversation().get(1);
        assertEquals(2, answer.versions().size());
        assertEquals(1, answer.chosenProperty().get(), "the new version is shown");
        assertEquals("second answer", answer.textProperty().get());

        vm.choose(answer, 0);
        assertEquals("first answer", answer.textProperty().get());
        VersionedMessage stored = store.history(id()).get(1);
        assertEquals(List.of("first answer", "second answer"), stored.versions().stream().map(StoredMessage::content).toList());
        assertEquals(0, stored.chosen(), "the choice is stored");

        turn("two", "third answer");
        List<ChatMessage> read = backend.turns.get(backend.turns.size() - 1).conversation;
        assertEquals(List.of("one", "first answer", "two"), read.stream().map(ChatMessage::content).toList(),
                "the next turn reads the version shown");

        // Opened again later, the versions and the choice are there.
        ChatViewModel again = new ChatViewModel(backend, Runnable::run, EN, store, Runnable::run);
        again.setModels(backend.installedModels());
        again.open(store.find(id()).orElseThrow());
        assertEquals(2, again.conversation().get(1).versions().size());
        assertEquals("first answer", again.conversation().get(1).textProperty().get());
    }

    @Test
    void aRegenerationStoppedBeforeItsFirstWordLeavesNoEmptyVersion() throws Exception {
        turn("one", "first answer");
        vm.regenerate();
        vm.stop();
        backend.last().finish();
        MessageItem answer = vm.conversation().get(1);
        assertEquals(1, answer.versions().size());
        assertEquals("first answer", answer.textProperty().get());
        assertEquals(1, store.history(id()).get(1).versions().size());
    }

    @Test
    void anEditReplacesTheLaterMessagesAndRetitlesTheConversationUntilTheUserRenamesIt() throws Exception {
        turn("What is Rust?", "A language.");
        turn("And Go?", "Another one.");
        MessageItem first = vm.conversation().get(0);
        assertEquals(3, vm.laterMessages(first));
        vm.edit(first, "What is Kotlin?");
        backend.last().text("A JVM language.").finish();
        assertEquals(List.of("What is Kotlin?", "A JVM language."),
                vm.conversation().stream().map(m -> m.textProperty().get()).toList());
        assertEquals(List.of("What is Kotlin?", "A JVM language."),
                store.messages(id()).stream().map(StoredMessage::content).toList());
        assertEquals("What is Kotlin?", store.find(id()).orElseThrow().title(), "the title follows the first question");

        vm.rename(vm.currentProperty().get(), "Languages");
        vm.edit(vm.conversation().get(0), "What is Zig?");
        backend.last().text("A systems language.").finish();
        assertEquals("Languages", store.find(id()).orElseThrow().title(), "a title the user chose stays");
    }

    @Test
    void titlesAreTheFirstWordsOfTheQuestionCutAtAWord() {
        assertEquals("Short question", ChatViewModel.title("  Short\n question "));
        String t = ChatViewModel.title("How do I read a very large CSV file in Python without running out of memory?");
        assertTrue(t.endsWith("…") && t.length() <= ChatViewModel.TITLE_LENGTH + 1 && !t.contains("  "), t);
        assertEquals("How do I read a very large CSV file in Python…", t);
        String zh = ChatViewModel.title("请用通俗易懂的语言解释一下大型语言模型是怎样通过注意力机制理解上下文并生成回答的以及它的局限和它在中文上的表现");
        assertEquals(ChatViewModel.TITLE_LENGTH + 1, zh.length(), "text without spaces is cut at the length");
    }

    @Test
    void assistantsSetTheSystemPromptAndSavedOnesAreKept() throws Exception {
        assertEquals(List.of("General", "Translator (Chinese ⇄ English)", "Code reviewer"),
                vm.assistants().stream().map(AssistantChoice::name).toList());
        assertEquals("General", vm.assistant().orElseThrow().name(), "no system prompt is the general assistant");
        AssistantChoice translator = vm.assistants().get(1);
        vm.useAssistant(translator);
        assertTrue(vm.systemPromptProperty().get().startsWith("You translate between Chinese and English"));
        assertEquals(translator, vm.assistant().orElseThrow());
        turn("你好", "Hello");
        assertEquals(ChatMessage.system(translator.prompt()), backend.last().conversation.get(0));
        assertEquals(translator.prompt(), store.find(id()).orElseThrow().systemPrompt(), "chosen per conversation");

        vm.systemPromptProperty().set("Answer like a pirate.");
        assertTrue(vm.assistant().isEmpty(), "a prompt of its own");
        vm.saveAssistant("Pirate");
        assertEquals("Pirate", vm.assistant().orElseThrow().name());
        ChatViewModel restarted = new ChatViewModel(backend, Runnable::run, EN, store, Runnable::run);
        AssistantChoice pirate = restarted.assistants().stream().filter(a -> a.name().equals("Pirate")).findFirst().orElseThrow();
        assertFalse(pirate.builtIn());
        restarted.deleteAssistant(pirate);
        restarted.deleteAssistant(restarted.assistants().get(0));
        assertEquals(3, restarted.assistants().size(), "built-in assistants cannot be deleted");

        ResourceBundle zh = ResourceBundle.getBundle(MainWindow.BUNDLE, Locale.SIMPLIFIED_CHINESE);
        restarted.setMessages(zh);
        assertEquals("翻译（中文 ⇄ 英文）", restarted.assistants().get(1).name(), "built-in ones in the UI's language");
    }

    @Test
    void attachedFilesGoIntoTheMessageAsFencedBlocksWithTheirNamesAndTokens() throws Exception {
        Path code = dir.resolve("main.py");
        Files.writeString(code, "print(\"```\")\n");
        Path notes = dir.resolve("notes.txt");
        Files.writeString(notes, "长江 is long.");
        vm.attach(List.of(code, notes));
        assertEquals(List.of("main.py", "notes.txt"), vm.attachments().stream().map(Attachment::name).toList());
        assertEquals(4, vm.attachments().get(0).tokens(), "counted before sending");
        vm.inputProperty().set("Review these.");
        vm.send();
        String sent = backend.last().lastQuestion();
        assertEquals("Review these.\n\n````python main.py\nprint(\"```\")\n````\n\n```text notes.txt\n长江 is long.\n```", sent,
                "a fence longer than any backtick run in the file");
        assertTrue(vm.attachments().isEmpty(), "sent with the message");
        backend.last().text("ok").finish();
    }

    @Test
    void binaryTooLargeOrTooLongFilesAreRefusedWithAMessage() throws Exception {
        Path png = dir.resolve("photo.png");
        Files.write(png, new byte[] {(byte) 0x89, 'P', 'N', 'G', 0, 0, 0, 13});
        vm.attach(List.of(png));
        assertEquals("photo.png is not a text file: only text and code files can be attached.", vm.errorProperty().get());
        Path latin1 = dir.resolve("old.txt");
        Files.write(latin1, new byte[] {'c', 'a', 'f', (byte) 0xE9});
        vm.attach(List.of(latin1));
        assertTrue(vm.errorProperty().get().startsWith("old.txt is not a text file"), vm.errorProperty().get());
        Path huge = dir.resolve("huge.log");
        Files.write(huge, new byte[(int) ChatViewModel.MAX_ATTACHMENT_BYTES + 10]);
        vm.attach(List.of(huge));
        assertTrue(vm.errorProperty().get().startsWith("huge.log is 1.0 MB"), vm.errorProperty().get());
        Path long_ = dir.resolve("book.md");
        Files.writeString(long_, "word ".repeat(1000)); // 1,250 tokens for a window of 1,000
        vm.attach(List.of(long_));
        assertEquals("book.md is 1,250 tokens: this conversation has room for 488 more with this model (its window is"
                + " 1,000 tokens). Attach a shorter file or start a new chat.", vm.errorProperty().get());
        assertTrue(vm.attachments().isEmpty(), "nothing refused is attached");
    }

    @Test
    void theModelListFollowsInstallsAndRemovalsAndANewChatWithAModelSelectsIt() {
        backend.models.clear();
        vm.setModels(List.of());
        vm.inputProperty().set("hi");
        vm.send();
        assertEquals(EN.getString("chat.noModel"), vm.errorProperty().get());
        backend.models.add("c/new");
        vm.refreshModels();
        assertEquals(List.of("c/new"), vm.models());
        assertEquals("", vm.errorProperty().get(), "no stale 'No model is installed' once one is");
        assertEquals("c/new", vm.selectedModelProperty().get());

        vm.newChatWith("d/later");
        assertEquals("c/new", vm.selectedModelProperty().get(), "not installed yet");
        backend.models.add("d/later");
        vm.refreshModels();
        assertEquals("d/later", vm.selectedModelProperty().get(), "selected as soon as it is installed");
        backend.models.remove("d/later");
        vm.refreshModels();
        assertEquals("c/new", vm.selectedModelProperty().get(), "a removed model is no longer selected");
    }

    @Test
    void aSecondConversationWaitsWhileAnotherAnswersAndSaysSo() throws Exception {
        vm.inputProperty().set("first");
        vm.send();
        ScriptedBackend.Turn first = backend.last();
        vm.newChat();
        vm.inputProperty().set("second");
        vm.send();
        assertEquals(EN.getString("chat.waiting"), vm.loadingStatusProperty().get());
        assertTrue(vm.answering().size() == 2, "both conversations are marked as answering: " + vm.answering());
        first.text("a").finish();
        backend.last().text("b").finish();
        assertTrue(vm.answering().isEmpty());
        assertEquals(2, store.list().size());
        Conversation c = store.list().stream().filter(x -> x.title().equals("first")).findFirst().orElseThrow();
        assertEquals(List.of("first", "a"), store.messages(c.id()).stream().map(StoredMessage::content).toList());
    }
}
