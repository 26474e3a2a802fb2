package io.kaiyuan.app.wiring;

import io.kaiyuan.engine.remote.Secrets;
import io.kaiyuan.ui.settings.HubAccess;
import java.io.IOException;
import java.util.Map;

/**
 * The download tokens and proxy set in Settings, kept in the key file (a proxy address may hold a
 * password), and the environment downloads run with: the process's, with these in place of its own.
 * Thread-safe: the last values loaded or saved are kept in memory for {@link #environment()}.
 */
public final class KeyFileHubAccess implements HubAccess {
    static final String HF_TOKEN = "hub:huggingface";
    static final String MODELSCOPE_TOKEN = "hub:modelscope";
    static final String PROXY = "download-proxy";

    private final Secrets secrets;
    private final Map<String, String> env;
    private volatile Values values = Values.NONE;

    /** @param env the process's environment */
    public KeyFileHubAccess(Secrets secrets, Map<String, String> env) {
        this.secrets = secrets;
        this.env = Map.copyOf(env);
    }

    @Override
    public synchronized Values load() throws IOException {
        values = new Values(secrets.get(HF_TOKEN).orElse(""), secrets.get(MODELSCOPE_TOKEN).orElse(""),
                secrets.get(PROXY).orElse(""));
        return values;
    }

    @Override
    public synchronized void save(Values v) throws IOException {
        if (!HubAccess.validProxy(v.proxy())) {
            throw new IllegalArgumentException("The proxy must be an address such as http://127.0.0.1:7890.");
        }
        secrets.put(HF_TOKEN, v.huggingFaceToken());
        secrets.put(MODELSCOPE_TOKEN, v.modelScopeToken());
        secrets.put(PROXY, v.proxy());
        values = v;
    }

    /** The environment a download starts with now. */
    public Map<String, String> environment() {
        return HubAccess.environment(env, values);
    }
}
