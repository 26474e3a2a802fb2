package io.kaiyuan.ui.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kaiyuan.engine.api.LoadProgress;
import io.kaiyuan.ui.shell.MainWindow;
import java.util.Locale;
import java.util.ResourceBundle;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A model picked ahead of a question says how its load goes and can be cancelled; a turn's load says so too. */
class ChatLoadingTest {
    private static final ResourceBundle EN = ResourceBundle.getBundle(MainWindow.BUNDLE, Locale.ENGLISH);
    private static final ResourceBundle ZH = ResourceBundle.getBundle(MainWindow.BUNDLE, Locale.SIMPLIFIED_CHINESE);

    private ScriptedBackend backend;
    private ChatViewModel vm;

    @BeforeEach
    void page() {
        backend = new ScriptedBackend();
        backend.scriptedPreloads = true;
        vm = new ChatViewModel(backend, Runnable::run, EN);
        vm.setModels(backend.installedModels());
    }

    @Test
    void aPreloadSaysEachStepAndACancelStopsItAtOnce() {
        vm.selectedModelProperty().set("a/model");
        vm.preload();
        ScriptedBackend.Preload load = backend.preloads.get(0);
        assertTrue(vm.loadingProperty().get());
        assertEquals("Loading a/model…", vm.loadingStatusProperty().get());
        load.listener().loading(LoadProgress.Phase.PREPARING);
        assertEquals("Loading a/model: preparing it for this processor (slow the first time only)…",
                vm.loadingStatusProperty().get());
        load.listener().loading(LoadProgress.Phase.OPENING);
        assertEquals("Loading a/model: reading its weights…", vm.loadingStatusProperty().get());

        vm.cancelLoading();
        assertTrue(load.cancel().isCancelled(), "the backend hears the cancel");
        assertFalse(vm.loadingProperty().get());
        assertEquals("", vm.loadingStatusProperty().get(), "the page stops saying it loads at once");
        load.listener().loaded(); // the step under way ended after the cancel: nothing changes
        assertEquals("", vm.loadingStatusProperty().get());
        assertEquals("", vm.errorProperty().get());
    }

    @Test
    void pickingAnotherModelCancelsTheLoadBeforeAndOnlyTheNewOneIsShown() {
        vm.selectedModelProperty().set("a/model");
        vm.preload();
        vm.selectedModelProperty().set("b/model");
        vm.preload();
        ScriptedBackend.Preload first = backend.preloads.get(0);
        ScriptedBackend.Preload second = backend.preloads.get(1);
        assertTrue(first.cancel().isCancelled());
        assertFalse(second.cancel().isCancelled());
        first.listener().failed("late failure of the load nobody wants");
        assertEquals("", vm.errorProperty().get(), "the cancelled load says nothing");
        second.listener().loading(LoadProgress.Phase.READING);
        assertEquals("Loading b/model: reading its tokenizer…", vm.loadingStatusProperty().get());
        second.listener().loaded();
        assertFalse(vm.loadingProperty().get());
        assertEquals("", vm.loadingStatusProperty().get());
    }

    @Test
    void aTurnsLoadIsSaidInThePagesLanguageAndStopEndsIt() {
        vm.setMessages(ZH);
        vm.selectedModelProperty().set("a/model");
        vm.inputProperty().set("你好");
        vm.send();
        ScriptedBackend.Turn turn = backend.last();
        turn.completion.loading(LoadProgress.Phase.OPENING);
        assertEquals("正在加载 a/model：读取权重…", vm.loadingStatusProperty().get());
        assertFalse(vm.loadingProperty().get(), "a turn is stopped with Stop, not the picker's cancel");
        vm.stop();
        assertTrue(turn.cancel.isCancelled());
        turn.finish();
        assertEquals(ChatViewModel.State.IDLE, vm.stateProperty().get());
    }
}
