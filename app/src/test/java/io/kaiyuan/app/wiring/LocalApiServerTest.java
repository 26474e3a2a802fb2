package io.kaiyuan.app.wiring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kaiyuan.engine.model.ModelRegistry;
import io.kaiyuan.engine.remote.Secrets;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The server switched from Settings: starts with a key, restarts, stops; a port in use is said. */
class LocalApiServerTest {
    @TempDir
    Path home;

    private static int status(String url, String key) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url));
        if (key != null) {
            b.header("Authorization", "Bearer " + key);
        }
        return HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    @Test
    void startsWithItsKeyStopsAndSaysWhenThePortIsTaken() throws Exception {
        Secrets secrets = new Secrets(home.resolve("keys.json"));
        try (LocalApiServer server = new LocalApiServer(new ModelRegistry(home.resolve("models")), secrets, () -> 1)) {
            Optional<String> address = server.apply(true, 0, "sk-local");
            assertTrue(address.isPresent() && address.get().startsWith("http://127.0.0.1:"), "" + address);
            assertEquals(401, status(address.get() + "/models", null));
            assertEquals(200, status(address.get() + "/models", "sk-local"));
            assertEquals("sk-local", server.apiKey(), "kept in the key file");
            assertEquals(Optional.of("sk-local"), secrets.get(LocalApiServer.KEY_NAME));

            Optional<String> open = server.apply(true, 0, "");
            assertEquals(200, status(open.orElseThrow() + "/models", null), "restarted without a key");
            assertEquals(Optional.empty(), server.apply(false, 0, ""));
            assertThrows(IOException.class, () -> status(open.get() + "/models", null), "stopped");

            try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
                // A BindException, for the Settings page to say in its own language.
                java.net.BindException e = assertThrows(java.net.BindException.class,
                        () -> server.apply(true, taken.getLocalPort(), ""));
                assertTrue(e.getMessage().contains("is in use"), e.getMessage());
            }
        }
    }
}
