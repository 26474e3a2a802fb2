package io.kaiyuan.ui.common;

import java.util.Optional;
import java.util.ResourceBundle;
import javafx.scene.Node;
import javafx.scene.control.Alert;
import javafx.scene.control.ButtonBar;
import javafx.scene.control.ButtonType;
import javafx.scene.control.Dialog;
import javafx.scene.control.TextInputDialog;

/**
 * The app's dialogs in the UI's language (JavaFX's own OK and Cancel follow the system's language, not
 * the one chosen in Settings), centred on the window they belong to, with the app's styles. FX thread.
 */
public final class Dialogs {
    private Dialogs() {}

    /** A button that confirms, in the UI's words ({@code key} in the bundle, "dialog.ok" by default). */
    public static ButtonType ok(ResourceBundle messages, String key) {
        return new ButtonType(messages.getString(key), ButtonBar.ButtonData.OK_DONE);
    }

    public static ButtonType cancel(ResourceBundle messages) {
        return new ButtonType(messages.getString("dialog.cancel"), ButtonBar.ButtonData.CANCEL_CLOSE);
    }

    public static ButtonType close(ResourceBundle messages) {
        return new ButtonType(messages.getString("dialog.close"), ButtonBar.ButtonData.CANCEL_CLOSE);
    }

    /** Centres the dialog on {@code owner}'s window and gives it the window's styles. */
    public static <T> Dialog<T> place(Dialog<T> dialog, Node owner) {
        if (owner != null && owner.getScene() != null) {
            dialog.initOwner(owner.getScene().getWindow());
            dialog.getDialogPane().getStylesheets().setAll(owner.getScene().getRoot().getStylesheets());
        }
        return dialog;
    }

    /**
     * Asks the user to confirm {@code text}; true when they did.
     *
     * @param confirmKey the confirming button's words in the bundle (e.g. "models.delete")
     */
    public static boolean confirm(Node owner, ResourceBundle messages, String text, String confirmKey) {
        ButtonType yes = ok(messages, confirmKey);
        Alert alert = new Alert(Alert.AlertType.CONFIRMATION, text, yes, cancel(messages));
        alert.setHeaderText(null);
        alert.setTitle(messages.getString("app.title"));
        place(alert, owner);
        return alert.showAndWait().filter(b -> b == yes).isPresent();
    }

    /** Tells the user something that needs no answer. */
    public static void inform(Node owner, ResourceBundle messages, Alert.AlertType type, String text) {
        Alert alert = new Alert(type, text, ok(messages, "dialog.ok"));
        alert.setHeaderText(null);
        alert.setTitle(messages.getString("app.title"));
        place(alert, owner);
        alert.show();
    }

    /** A dialog asking for a line of text, with its buttons in the UI's words. */
    public static TextInputDialog text(Node owner, ResourceBundle messages, String title, String initial) {
        TextInputDialog dialog = new TextInputDialog(initial == null ? "" : initial);
        dialog.setTitle(title);
        dialog.setHeaderText(null);
        dialog.getDialogPane().getButtonTypes().setAll(ok(messages, "dialog.ok"), cancel(messages));
        place(dialog, owner);
        return dialog;
    }

    /** Asks for a line of text; empty when the user cancels. */
    public static Optional<String> askText(Node owner, ResourceBundle messages, String title, String initial) {
        return text(owner, messages, title, initial).showAndWait();
    }
}
