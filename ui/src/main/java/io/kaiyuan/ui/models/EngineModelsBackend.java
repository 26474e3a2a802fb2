package io.kaiyuan.ui.models;

import io.kaiyuan.engine.api.CancellationToken;
import io.kaiyuan.engine.download.DownloadControl;
import io.kaiyuan.engine.download.HubSearch;
import io.kaiyuan.engine.download.HubSource;
import io.kaiyuan.engine.download.ModelInstaller;
import io.kaiyuan.engine.download.Origin;
import io.kaiyuan.engine.download.Sources;
import io.kaiyuan.engine.model.Catalog;
import io.kaiyuan.engine.model.CatalogEntry;
import io.kaiyuan.engine.model.ModelRegistry;
import io.kaiyuan.engine.model.Variant;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The model manager over the engine: the catalog, a {@link ModelRegistry}, a {@link ModelInstaller} and
 * the hubs named by {@link Sources}, with the environment (HF_ENDPOINT, tokens, proxies) read at each
 * search and download so that what Settings changes applies to the next one.
 */
public final class EngineModelsBackend implements ModelsBackend {
    private final Catalog catalog;
    private final ModelRegistry registry;
    private final ModelInstaller installer;
    private final Supplier<Map<String, String>> environment;
    private final long availableMemory;
    private final Executor downloads;
    private final DownloadJournal journal;

    /**
     * @param environment the environment the hubs read (HF_ENDPOINT, HF_TOKEN, MODELSCOPE_API_TOKEN,
     *     proxies), asked for at each search and download
     * @param availableMemory the memory the fit badges are measured against
     * @param downloads where downloads run
     * @param journal where unfinished downloads are recorded; null to not record them
     */
    public EngineModelsBackend(Catalog catalog, ModelRegistry registry, ModelInstaller installer,
            Supplier<Map<String, String>> environment, long availableMemory, Executor downloads, DownloadJournal journal) {
        this.catalog = Objects.requireNonNull(catalog);
        this.registry = Objects.requireNonNull(registry);
        this.installer = Objects.requireNonNull(installer);
        this.environment = Objects.requireNonNull(environment);
        this.availableMemory = availableMemory;
        this.downloads = Objects.requireNonNull(downloads);
        this.journal = journal;
    }

    @Override
    public List<CatalogEntry> catalog() {
        return catalog.entries();
    }

    @Override
    public long availableMemory() {
        return availableMemory;
    }

    @Override
    public Path modelsDir() {
        return registry.modelsDir();
    }

    @Override
    public List<ModelRegistry.InstalledModel> installed() {
        return registry.list();
    }

    @Override
    public long stagedBytes(String id) {
        return registry.stagedBytes(id);
    }

    @Override
    public List<HubSource> hubs(String source) {
        return Sources.named(source, environment.get());
    }

    @Override
    public List<Origin> origins(String source, CatalogEntry entry) {
        return Sources.origins(source, environment.get(), entry.huggingFaceRepo(), entry.modelScopeId(), Optional.empty());
    }

    @Override
    public HubSearch.Results search(List<HubSource> hubs, String query, int limit, CancellationToken cancel,
            Consumer<HubSearch.Hit> onHit) {
        return HubSearch.search(hubs, query, limit, catalog, ModelManagerViewModel.FIT_CONTEXT, availableMemory, cancel,
                onHit);
    }

    @Override
    public Optional<HubSearch.Hit> lookup(HubSource hub, String repo) {
        return HubSearch.lookup(hub, repo, catalog, ModelManagerViewModel.FIT_CONTEXT, availableMemory);
    }

    @Override
    public void install(String id, List<Origin> origins, Variant variant, ModelInstaller.Progress progress,
            DownloadControl control) throws IOException {
        installer.install(id, origins, Optional.of(variant), progress, control);
    }

    @Override
    public void remove(String id) throws IOException {
        registry.remove(id);
    }

    @Override
    public ModelRegistry.VerifyReport verify(String id) throws IOException {
        return registry.verify(id);
    }

    @Override
    public ModelRegistry.InstalledModel importFolder(Path folder) throws IOException {
        return registry.importFolder(folder, folder.getFileName().toString(), true);
    }

    @Override
    public Optional<DownloadJournal> journal() {
        return Optional.ofNullable(journal);
    }

    @Override
    public Executor downloads() {
        return downloads;
    }
}
