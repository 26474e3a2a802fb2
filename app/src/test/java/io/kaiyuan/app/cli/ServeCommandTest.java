package io.kaiyuan.app.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.kaiyuan.engine.testing.TestModels;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code kaiyuan serve} on a free port over an installed tiny model, asked with plain HTTP, then stopped. */
class ServeCommandTest {
    @TempDir
    Path home;

    @AfterEach
    void clear() {
        System.clearProperty("kaiyuan.home");
    }

    @Test
    void servesTheInstalledModelsUntilStopped() throws Exception {
        System.setProperty("kaiyuan.home", home.toString());
        Path folder = TestModels.withTokenizer(TestModels.chatSized(), home.resolve("tiny"));
        assertEquals(0, Cli.run("models", "import", folder.toString(), "--id", "tiny/chat", "--in-place").exitCode());

        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = KaiyuanCommand.commandLine(new PrintWriter(out, true), new PrintWriter(err, true));
        CompletableFuture<Integer> running = CompletableFuture.supplyAsync(() -> cli.execute("serve", "--port", "0",
                "--api-key", "k-123", "--provider", "cpu", "--threads", "1"));
        Pattern address = Pattern.compile("at (http://127\\.0\\.0\\.1:\\d+/v1) \\(API key required\\)");
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        Matcher m = address.matcher("");
        while (!(m = address.matcher(out.toString())).find()) {
            assertTrue(System.nanoTime() < end && !running.isDone(), "no address printed: " + out + err);
            Thread.sleep(20);
        }
        assertTrue(out.toString().startsWith("Kaiyuan serves 1 installed model at "), out.toString());
        String base = m.group(1);

        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<String> refused = http.send(HttpRequest.newBuilder(URI.create(base + "/models")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(401, refused.statusCode());
        HttpResponse<String> answer = http.send(HttpRequest.newBuilder(URI.create(base + "/chat/completions"))
                .header("Authorization", "Bearer k-123").POST(HttpRequest.BodyPublishers.ofString(
                        "{\"model\":\"tiny/chat\",\"max_tokens\":5,\"messages\":[{\"role\":\"user\",\"content\":\"你好\"}]}"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, answer.statusCode(), answer.body());
        assertEquals(5, new ObjectMapper().readTree(answer.body()).path("usage").path("completion_tokens").asInt());
        assertTrue(err.toString().contains("tiny/chat: ") && err.toString().contains(" + 5 tokens, length"), err.toString());
        assertTrue(!err.toString().contains("k-123") && !out.toString().contains("k-123"), "the key is never printed");

        ((ServeCommand) cli.getSubcommands().get("serve").getCommand()).stop.countDown();
        assertEquals(0, running.get(30, TimeUnit.SECONDS));
    }
}
