package io.kaiyuan.ui.common;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.kaiyuan.engine.remote.RemoteException;
import io.kaiyuan.ui.shell.MainWindow;
import java.util.Locale;
import java.util.ResourceBundle;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

/** Failures as the window says them. */
class ErrorsTest {
    private static final ResourceBundle EN = ResourceBundle.getBundle(MainWindow.BUNDLE, Locale.ROOT);
    private static final ResourceBundle ZH = ResourceBundle.getBundle(MainWindow.BUNDLE, Locale.SIMPLIFIED_CHINESE);

    @Test
    void aRemoteFailureIsSaidByWhatWentWrongInTheUiLanguage() {
        RemoteException refused = new RemoteException(RemoteException.Kind.KEY_REFUSED, "lab", "lab answered HTTP 401: no",
                401, "HTTP 401: no");
        assertEquals("lab refused the API key: check the endpoint's key in Settings. (HTTP 401: no)", Errors.describe(refused, EN));
        assertEquals("lab 拒绝了 API 密钥：请在“设置”中检查该端点的密钥。（HTTP 401: no）", Errors.describe(refused, ZH));
        RemoteException said = new RemoteException(RemoteException.Kind.SERVER_ERROR, "lab", "x", 500, "overloaded");
        assertEquals("lab 返回了错误：overloaded", Errors.describe(said, ZH), "what the endpoint said, once");
        RemoteException down = new RemoteException(RemoteException.Kind.UNREACHABLE, "lab", "x", 0, "");
        assertEquals("无法连接 lab：服务器是否在运行、地址是否正确？", Errors.describe(new CompletionException(down), ZH));
    }

    @Test
    void anyOtherFailureKeepsItsWordsAfterALeadAndIsNeverNull() {
        assertEquals("tokenizer.json is missing", Errors.describe(new IllegalStateException("tokenizer.json is missing"), EN));
        assertEquals("出错了：tokenizer.json is missing", Errors.describe(new IllegalStateException("tokenizer.json is missing"), ZH));
        assertEquals("出错了：NullPointerException", Errors.describe(new NullPointerException(), ZH));
        assertEquals("UnsupportedOperationException", Errors.describe(new UnsupportedOperationException(" "), EN));
    }
}
