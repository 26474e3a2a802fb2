package io.kaiyuan.ui.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kaiyuan.engine.api.ChatMessage;
import io.kaiyuan.engine.api.SamplingOverrides;
import io.kaiyuan.engine.chat.ChatStore;
import io.kaiyuan.engine.chat.Conversation;
import io.kaiyuan.engine.chat.StoredMessage;
import io.kaiyuan.ui.shell.MainWindow;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.ResourceBundle;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The view model without the FX toolkit: a same-thread executor and a real tiny model. */
class ChatViewModelTest {
    private static final ResourceBundle EN = ResourceBundle.getBundle(MainWindow.BUNDLE, Locale.ENGLISH);

    @TempDir
    static Path dir;

    private static TinyModelBackend backend;

    @BeforeAll
    static void load() throws Exception {
        backend = new TinyModelBackend(dir.resolve("m"), Runnable::run, 12);
    }

    @AfterAll
    static void close() {
        backend.close();
    }

    @Test
    void sendStreamsTheAnswerAndKeepsTheHistory() {
        AtomicInteger fxTasks = new AtomicInteger();
        ChatViewModel vm = new ChatViewModel(backend, r -> {
            fxTasks.incrementAndGet();
            r.run();
        }, EN);
        vm.setModels(List.of("tiny/qwen"));
        assertEquals("tiny/qwen", vm.selectedModelProperty().get());
        vm.inputProperty().set("你好");
        vm.send();
        assertEquals(ChatViewModel.State.IDLE, vm.stateProperty().get());
        assertEquals(2, vm.conversation().size());
        assertEquals("user", vm.conversation().get(0).role());
        MessageItem answer = vm.conversation().get(1);
        assertFalse(answer.textProperty().get().isEmpty());
        assertTrue(answer.footerProperty().get().contains("12 tokens") && answer.footerProperty().get().contains("length limit"),
                answer.footerProperty().get());
        assertEquals("", vm.inputProperty().get());
        assertTrue(fxTasks.get() < 12 + 4, "text is batched, not one FX task per token: " + fxTasks.get());

        vm.inputProperty().set("And then?");
        vm.send();
        List<ChatMessage> second = backend.requests.get(backend.requests.size() - 1);
        assertEquals(List.of("user", "assistant", "user"), second.stream().map(ChatMessage::role).toList());
        assertEquals(answer.textProperty().get(), second.get(1).content());
        assertEquals(4, vm.conversation().size());
    }

    @Test
    void withoutAModelTheUserIsToldWhatToDo() {
        ChatViewModel vm = new ChatViewModel(backend, Runnable::run, EN);
        vm.setModels(List.of());
        vm.inputProperty().set("hi");
        vm.send();
        assertTrue(vm.errorProperty().get().contains("No model is installed"), vm.errorProperty().get());
        assertTrue(vm.conversation().isEmpty());
        assertEquals("hi", vm.inputProperty().get(), "the message is kept");
    }

    @Test
    void aFailedAnswerShowsTheMessageAndKeepsTheConversation() {
        ChatViewModel vm = new ChatViewModel(backend, Runnable::run, EN);
        vm.setModels(List.of("gone/model"));
        vm.inputProperty().set("hi");
        vm.send();
        assertEquals("gone/model is not installed", vm.errorProperty().get());
        assertEquals(1, vm.conversation().size(), "the empty answer is removed, the question stays");
        assertEquals(ChatViewModel.State.IDLE, vm.stateProperty().get());
    }

    @Test
    void turnsAreStoredAndAFreshPageFindsThem() throws Exception {
        Path db = dir.resolve("history.db");
        try (ChatStore store = ChatStore.open(db)) {
            ChatViewModel vm = new ChatViewModel(backend, Runnable::run, EN, store, Runnable::run);
            vm.setModels(List.of("tiny/qwen"));
            vm.inputProperty().set("写一首关于长江的诗");
            vm.send();
            vm.inputProperty().set("And then?");
            vm.send();
            assertEquals(1, vm.conversations().size());
            Conversation c = vm.conversations().get(0);
            assertEquals("写一首关于长江的诗", c.title());
            assertEquals(c.id(), vm.currentProperty().get().id());
            List<StoredMessage> stored = store.messages(c.id());
            assertEquals(List.of("user", "assistant", "user", "assistant"), stored.stream().map(StoredMessage::role).toList());
            assertEquals(vm.conversation().get(3).textProperty().get(), stored.get(3).content());
            assertEquals(12, stored.get(3).metrics().orElseThrow().generatedTokens());
            assertEquals(Optional.of("tiny/qwen"), stored.get(3).modelId());

            vm.newChat();
            vm.inputProperty().set("hello");
            vm.send();
            assertEquals(2, vm.conversations().size(), "a new chat is a second conversation");
            vm.searchProperty().set("长江");
            assertEquals(List.of(c.id()), vm.conversations().stream().map(Conversation::id).toList());
            vm.searchProperty().set("");
        }
        try (ChatStore store = ChatStore.open(db)) {
            ChatViewModel restarted = new ChatViewModel(backend, Runnable::run, EN, store, Runnable::run);
            restarted.setModels(List.of("tiny/qwen"));
            restarted.refreshConversations();
            assertEquals(2, restarted.conversations().size(), "conversations survive a restart");
            Conversation poem = restarted.conversations().stream().filter(x -> x.title().contains("长江")).findFirst().orElseThrow();
            restarted.open(poem);
            assertEquals(4, restarted.conversation().size());
            assertTrue(restarted.conversation().get(1).footerProperty().get().contains("12 tokens"));

            restarted.rename(poem, "Yangtze");
            assertTrue(restarted.conversations().stream().anyMatch(x -> x.title().equals("Yangtze")));
            restarted.delete(restarted.currentProperty().get());
            assertEquals(1, restarted.conversations().size());
            assertTrue(restarted.conversation().isEmpty(), "deleting the open conversation closes it");
        }
    }

    @Test
    void regenerateReplacesTheLastAnswerAndEditContinuesFromTheEditedMessage() throws Exception {
        try (ChatStore store = ChatStore.open(dir.resolve("edit.db"))) {
            ChatViewModel vm = new ChatViewModel(backend, Runnable::run, EN, store, Runnable::run);
            vm.setModels(List.of("tiny/qwen"));
            vm.inputProperty().set("one");
            vm.send();
            vm.inputProperty().set("two");
            vm.send();
            long id = vm.currentProperty().get().id();
            int before = backend.requests.size();
            vm.regenerate();
            assertEquals(before + 1, backend.requests.size());
            assertEquals(List.of("user", "assistant", "user"),
                    backend.requests.get(backend.requests.size() - 1).stream().map(ChatMessage::role).toList(),
                    "the last question is asked again without the old answer");
            assertEquals(4, vm.conversation().size());
            assertEquals(4, store.messages(id).size());

            vm.edit(vm.conversation().get(0), "one, edited");
            assertEquals(List.of("one, edited"), backend.requests.get(backend.requests.size() - 1).stream()
                    .map(ChatMessage::content).toList(), "the conversation continues from the edited message");
            assertEquals(2, vm.conversation().size());
            assertEquals(List.of("one, edited", vm.conversation().get(1).textProperty().get()),
                    store.messages(id).stream().map(StoredMessage::content).toList());
        }
    }

    @Test
    void qwen3sThinkingSwitchIsOfferedAndPassedToTheTemplate() {
        ChatViewModel vm = new ChatViewModel(backend, Runnable::run, EN);
        vm.setModels(List.of("tiny/qwen"));
        assertTrue(vm.thinkingSwitchProperty().get(), "the Qwen3 template reads enable_thinking");
        assertTrue(vm.thinkingProperty().get(), "on by default");
        vm.thinkingProperty().set(false);
        vm.inputProperty().set("2+2?");
        vm.send();
        assertEquals(java.util.Map.of("enable_thinking", false), backend.variables.get(backend.variables.size() - 1));
        vm.setModels(List.of());
        assertFalse(vm.thinkingSwitchProperty().get(), "no model, no switch");
    }

    @Test
    void aConversationTooLongForTheContextDropsItsOldestTurnsAndSaysSo() throws Exception {
        try (TinyModelBackend small = new TinyModelBackend(dir.resolve("small"), Runnable::run, 16, null, 256)) {
            ChatViewModel vm = new ChatViewModel(small, Runnable::run, EN);
            vm.setModels(List.of("tiny/qwen"));
            assertEquals(256, vm.contextLimitProperty().get());
            int turns = 0;
            while (vm.noticeProperty().get().isEmpty() && turns < 20) {
                vm.inputProperty().set("Tell me about the Yangtze river, 长江, turn " + turns++);
                vm.send();
                assertTrue(vm.errorProperty().get().isEmpty(), vm.errorProperty().get());
                assertTrue(vm.contextUsedProperty().get() > 0 && vm.contextUsedProperty().get() <= 256,
                        "used " + vm.contextUsedProperty().get());
            }
            assertTrue(vm.noticeProperty().get().startsWith("The conversation no longer fits"), vm.noticeProperty().get());
            java.util.regex.Matcher dropped = java.util.regex.Pattern.compile("oldest (\\d+) messages").matcher(vm.noticeProperty().get());
            assertTrue(dropped.find());
            int n = Integer.parseInt(dropped.group(1));
            assertTrue(n >= 2 && n % 2 == 0, "whole turns were left out: " + n);
            assertEquals(2 * turns, vm.conversation().size(), "the page keeps every message");
        }
    }

    @Test
    void aConversationIsExportedAsMarkdownOrJson() throws Exception {
        try (ChatStore store = ChatStore.open(dir.resolve("export.db"))) {
            ChatViewModel vm = new ChatViewModel(backend, Runnable::run, EN, store, Runnable::run);
            vm.setModels(List.of("tiny/qwen"));
            vm.inputProperty().set("导出这段对话");
            vm.send();
            Path md = dir.resolve("out.md");
            vm.export(md, ChatViewModel.ExportFormat.MARKDOWN);
            String text = java.nio.file.Files.readString(md);
            assertTrue(text.startsWith("# 导出这段对话\n") && text.contains("## User\n\n导出这段对话")
                    && text.contains("## Assistant (tiny/qwen)") && text.contains("_12 tokens"), text);
            assertEquals("Exported to " + md, vm.noticeProperty().get());
            Path json = dir.resolve("out.json");
            vm.export(json, ChatViewModel.ExportFormat.JSON);
            var tree = new com.fasterxml.jackson.databind.ObjectMapper().readTree(json.toFile());
            assertEquals(2, tree.get("messages").size());
            assertEquals(vm.conversation().get(1).textProperty().get(), tree.get("messages").get(1).get("content").asText());

            vm.export(dir.resolve("no-such-folder/out.md"), ChatViewModel.ExportFormat.MARKDOWN);
            assertTrue(vm.errorProperty().get().startsWith("The export failed"), vm.errorProperty().get());
        }
    }

    @Test
    void theSystemPromptAndSamplingGoWithEveryTurnAndStayWithTheConversation() throws Exception {
        try (ChatStore store = ChatStore.open(dir.resolve("settings.db"))) {
            ChatViewModel vm = new ChatViewModel(backend, Runnable::run, EN, store, Runnable::run);
            vm.setModels(List.of("tiny/qwen"));
            assertEquals(backend.samplingDefaults("tiny/qwen").orElseThrow(), vm.modelDefaultsProperty().get());
            SamplingOverrides chosen = new SamplingOverrides(0.7, 20, 0.9, null, 1.1, 42L);
            vm.systemPromptProperty().set("Answer in Chinese.");
            vm.samplingProperty().set(chosen);
            vm.inputProperty().set("hi");
            vm.send();
            List<ChatMessage> sent = backend.requests.get(backend.requests.size() - 1);
            assertEquals(ChatMessage.system("Answer in Chinese."), sent.get(0));
            assertEquals(chosen, backend.samplings.get(backend.samplings.size() - 1));
            Conversation c = vm.currentProperty().get();
            assertEquals("Answer in Chinese.", store.find(c.id()).orElseThrow().systemPrompt());
            assertEquals(chosen, store.find(c.id()).orElseThrow().sampling());
            assertEquals(Optional.of(chosen), store.messages(c.id()).get(1).sampling(), "the answer keeps how it was sampled");
            assertEquals(2, vm.conversation().size(), "the system prompt is not shown as a message");

            vm.samplingProperty().set(SamplingOverrides.NONE);
            vm.saveSettings();
            assertEquals(SamplingOverrides.NONE, store.find(c.id()).orElseThrow().sampling(), "saved without a new turn");

            vm.newChat();
            assertEquals("", vm.systemPromptProperty().get());
            vm.open(store.find(c.id()).orElseThrow());
            assertEquals("Answer in Chinese.", vm.systemPromptProperty().get());
        }
    }
}
