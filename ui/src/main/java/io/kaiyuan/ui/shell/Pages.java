package io.kaiyuan.ui.shell;

import io.kaiyuan.ui.chat.ChatViewModel;
import io.kaiyuan.ui.chat.ModelOffer;
import io.kaiyuan.ui.compare.CompareViewModel;
import io.kaiyuan.ui.models.CatalogRow;
import io.kaiyuan.ui.models.ModelManagerViewModel;
import io.kaiyuan.ui.settings.SettingsViewModel;
import java.text.MessageFormat;
import java.util.Locale;
import java.util.Optional;
import java.util.ResourceBundle;
import java.util.concurrent.Executor;
import javafx.beans.binding.Bindings;
import javafx.beans.binding.BooleanBinding;
import javafx.beans.binding.StringBinding;
import javafx.beans.value.ObservableBooleanValue;
import javafx.beans.value.ObservableDoubleValue;
import javafx.beans.value.ObservableStringValue;

/**
 * The four pages' view models over the app's services, and what one page tells another: an installed
 * model reaches the chat's picker, the recommended download the empty chat, a remote endpoint the chat and
 * Compare. Made by the app's wiring, which says where the pages' work comes back to ({@code fx}); shown by
 * {@link MainWindow}. A page whose service is missing has no view model (it shows its title). FX thread.
 */
public final class Pages {
    private final MainWindow.Services services;
    private final ChatViewModel chat;
    private final CompareViewModel compare;
    private final ModelManagerViewModel models;
    private final SettingsViewModel settings;
    private ResourceBundle messages;

    /**
     * @param messages the strings the pages start in ({@link MainWindow#messages})
     * @param fx where the pages' background work hands its outcome back (the FX thread)
     */
    public Pages(MainWindow.Services services, ResourceBundle messages, Executor fx) {
        this.services = services;
        this.messages = messages;
        Executor io = services.background();
        chat = services.chat() == null ? null : new ChatViewModel(services.chat(), fx, messages, services.store(), io);
        models = services.models() == null ? null : new ModelManagerViewModel(services.models(), fx, io, messages);
        compare = services.compare() == null ? null
                : new CompareViewModel(services.compare(), fx, io, messages, new java.util.Random());
        settings = services.settings() == null ? null : new SettingsViewModel(services.settings(), services.providers(),
                services.onSettings(), services.server(), fx, io, messages);
        if (chat != null) {
            chat.refreshConversations();
        }
        if (models != null) {
            models.refresh();
            if (chat != null) {
                models.setOnInstalledChanged(chat::refreshModels);
                models.recommendedProperty().addListener((o, a, b) -> chat.offerProperty().set(offer(b)));
                chat.offerProperty().set(offer(models.recommendedProperty().get()));
            }
        }
        if (compare != null) {
            compare.refresh();
        }
        if (settings != null) {
            settings.loadServer();
            settings.setHubAccess(services.hubAccess());
            settings.loadHubAccess();
            settings.setRemotes(services.remotes(), this::remoteModelsChanged);
            settings.setMcp(services.mcp());
        }
    }

    /** Once the pages are shown: the chat reads its models. */
    void start() {
        if (chat != null) {
            chat.refreshModels();
        }
    }

    public ChatViewModel chat() {
        return chat;
    }

    public CompareViewModel compare() {
        return compare;
    }

    public ModelManagerViewModel models() {
        return models;
    }

    public SettingsViewModel settings() {
        return settings;
    }

    /** Every page's texts in the new language from now on. */
    void setMessages(ResourceBundle messages) {
        this.messages = messages;
        if (chat != null) {
            chat.setMessages(messages);
        }
        if (models != null) {
            models.setMessages(messages);
            if (chat != null) {
                chat.offerProperty().set(offer(models.recommendedProperty().get()));
            }
        }
        if (compare != null) {
            compare.setMessages(messages);
        }
        if (settings != null) {
            settings.setMessages(messages);
        }
    }

    /** A page is shown: the Models page says how models run now, Compare reads the models installed since. */
    void shown(String key) {
        if (key.equals("nav.models") && models != null) {
            models.runtimeProperty().set(runtimeText());
        }
        if (key.equals("nav.compare") && compare != null) {
            compare.refresh();
        }
    }

    /** Models were installed, imported or removed by any means: the pickers and the Models page read them again. */
    void installedModelsChanged() {
        if (chat != null) {
            chat.refreshModels();
        }
        if (models != null) {
            models.refresh();
        }
        if (compare != null) {
            compare.refresh();
        }
    }

    /** Remote endpoints changed in Settings: the chat's model list and the Compare page read the models again. */
    private void remoteModelsChanged() {
        if (chat != null) {
            chat.refreshModels();
        }
        if (compare != null) {
            compare.refresh();
        }
    }

    /** The execution providers found, the one the loaded model uses, and the CPU threads setting. */
    private String runtimeText() {
        String inUse = services.chat() == null ? "-" : services.chat().activeProvider()
                .orElse(messages.getString("models.runtime.none"));
        int threads = settings != null ? settings.current().threads() : 0;
        return MessageFormat.format(messages.getString("models.runtime"),
                services.providers().isEmpty() ? "cpu" : String.join(", ", services.providers()), inUse,
                threads == 0 ? messages.getString("models.runtime.auto") : String.valueOf(threads));
    }

    /** The recommended catalog model as the empty chat's offer; null for none. */
    private ModelOffer offer(CatalogRow row) {
        if (row == null) {
            return null;
        }
        String label = MessageFormat.format(messages.getString("chat.empty.download"),
                row.entry().name(messages.getLocale().getLanguage().equals("zh") ? Locale.SIMPLIFIED_CHINESE : Locale.ENGLISH),
                ModelManagerViewModel.gb(row.fit().weightsBytes()));
        BooleanBinding downloading = row.stateProperty().isEqualTo(CatalogRow.State.QUEUED)
                .or(row.stateProperty().isEqualTo(CatalogRow.State.DOWNLOADING))
                .or(row.stateProperty().isEqualTo(CatalogRow.State.PAUSED));
        StringBinding status = Bindings.createStringBinding(
                () -> !row.errorProperty().get().isEmpty() ? row.errorProperty().get() : row.detailProperty().get(),
                row.errorProperty(), row.detailProperty());
        return new ModelOffer() {
            @Override
            public String modelId() {
                return row.entry().id();
            }

            @Override
            public String label() {
                return label;
            }

            @Override
            public void download() {
                models.download(row, Optional.empty());
            }

            @Override
            public ObservableBooleanValue downloading() {
                return downloading;
            }

            @Override
            public ObservableDoubleValue progress() {
                return row.progressProperty();
            }

            @Override
            public ObservableStringValue status() {
                return status;
            }
        };
    }
}
