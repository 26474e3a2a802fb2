package io.kaiyuan.ui.common;

import io.kaiyuan.engine.remote.RemoteException;
import java.text.MessageFormat;
import java.util.ResourceBundle;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * A failure as the window says it, in its language: a remote endpoint's by what went wrong; anything else
 * with its own message (which names the file, model or setting concerned) after a lead in the UI's
 * language. Never "null": a failure without a message is named by its type.
 */
public final class Errors {
    private Errors() {
    }

    public static String describe(Throwable error, ResourceBundle messages) {
        Throwable e = error;
        while ((e instanceof CompletionException || e instanceof ExecutionException) && e.getCause() != null) {
            e = e.getCause();
        }
        if (e instanceof RemoteException r && r.kind() != RemoteException.Kind.OTHER) {
            String text = MessageFormat.format(messages.getString("error.remote." + r.kind().name()),
                    r.endpoint().orElse("?"), r.detail());
            // What the endpoint or the connection said, as it said it, after the explanation.
            boolean said = messages.getString("error.remote." + r.kind().name()).contains("{1}");
            return said || r.detail().isEmpty() ? text : text + MessageFormat.format(messages.getString("error.detail"), r.detail());
        }
        return MessageFormat.format(messages.getString("error.other"), detail(e));
    }

    /** The failure's own words, or its type when it has none. */
    public static String detail(Throwable e) {
        String message = e.getMessage();
        return message == null || message.isBlank() ? e.getClass().getSimpleName() : message;
    }
}
