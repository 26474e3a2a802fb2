package io.kaiyuan.ui.settings;

import java.util.Optional;

/** Starts and stops the local OpenAI-compatible API server for the Settings page; implemented in the app's wiring. */
public interface ApiServerControl {
    /**
     * Serves the installed models on {@code port} (restarting with the new port and key if it already
     * runs), or stops serving. Blocks: call off the FX thread.
     *
     * @param apiKey the key clients must send; empty for none. Stored in the key file, never in the settings.
     * @return the API's base address while it serves; empty once stopped
     * @throws Exception with a message for the user, such as a port already in use
     */
    Optional<String> apply(boolean on, int port, String apiKey) throws Exception;

    /** The API key stored for the server; empty for none. Reads the key file: call off the FX thread. */
    String apiKey() throws Exception;

    /** The ids of the models it serves (for the examples on the page). Reads the models folder: call off the FX thread. */
    default java.util.List<String> models() throws Exception {
        return java.util.List.of();
    }
}
