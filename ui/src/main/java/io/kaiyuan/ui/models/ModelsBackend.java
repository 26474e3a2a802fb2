package io.kaiyuan.ui.models;

import io.kaiyuan.engine.api.CancellationToken;
import io.kaiyuan.engine.download.DownloadControl;
import io.kaiyuan.engine.download.HubSearch;
import io.kaiyuan.engine.download.HubSource;
import io.kaiyuan.engine.download.ModelInstaller;
import io.kaiyuan.engine.download.Origin;
import io.kaiyuan.engine.model.CatalogEntry;
import io.kaiyuan.engine.model.ModelRegistry;
import io.kaiyuan.engine.model.Variant;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

/**
 * What the model manager page runs on, as the chat page runs on a {@code ChatBackend} and Compare on a
 * {@code CompareBackend}: the catalog, the models folder, the hubs and the installer. The page calls the
 * methods that touch the disk or the network off the FX thread; {@link #catalog()},
 * {@link #availableMemory()}, {@link #modelsDir()}, {@link #journal()} and {@link #downloads()} answer at
 * once. {@link EngineModelsBackend} is the engine's.
 */
public interface ModelsBackend {

    /** The catalog's models, in its order. */
    List<CatalogEntry> catalog();

    /** The memory the fit badges are measured against, in bytes. */
    long availableMemory();

    /** The folder installed models live in (an imported one may live elsewhere). */
    Path modelsDir();

    /** The installed models, as on disk now. */
    List<ModelRegistry.InstalledModel> installed() throws IOException;

    /** The bytes a partial download of {@code id} has kept (0 for none). */
    long stagedBytes(String id) throws IOException;

    /**
     * The hubs a search of {@code source} asks, in the order they are tried.
     *
     * @param source huggingface, hf-mirror, modelscope or a base URL
     * @throws IllegalArgumentException for a source that is none of those, with a message that says so
     */
    List<HubSource> hubs(String source);

    /**
     * Where a download of {@code entry} from {@code source} fetches its files, in the order they are tried.
     *
     * @throws IllegalArgumentException for an unknown source, with a message that says so
     */
    List<Origin> origins(String source, CatalogEntry entry);

    /** Searches {@code hubs} (the next when one cannot be reached), each runnable model to {@code onHit}. */
    HubSearch.Results search(List<HubSource> hubs, String query, int limit, CancellationToken cancel,
            Consumer<HubSearch.Hit> onHit);

    /** One repository of {@code hub} as a search would list it; empty when the hub no longer has it. */
    Optional<HubSearch.Hit> lookup(HubSource hub, String repo);

    /** Downloads and installs {@code id}; blocks until installed, failed or cancelled through {@code control}. */
    void install(String id, List<Origin> origins, Variant variant, ModelInstaller.Progress progress,
            DownloadControl control) throws IOException;

    /** Removes an installed model (an imported one's files stay where they are). */
    void remove(String id) throws IOException;

    /** Re-hashes an installed model's files. */
    ModelRegistry.VerifyReport verify(String id) throws IOException;

    /** Registers a model folder where it is, named after the folder. */
    ModelRegistry.InstalledModel importFolder(Path folder) throws IOException;

    /** Where unfinished downloads are recorded to continue at the next start; empty to not record them. */
    Optional<DownloadJournal> journal();

    /** Where downloads wait their turn and run (a few at once). */
    Executor downloads();
}
