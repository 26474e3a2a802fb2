package io.kaiyuan.engine.download;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kaiyuan.engine.api.CancellationToken;
import io.kaiyuan.engine.model.Variant;
import io.kaiyuan.engine.testing.HubTestServer;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A hub that means harm, on 127.0.0.1: the token goes only to the host it was given for, listings that
 * loop, never end, drip or are huge are cut with a clear message, a redirect out of http(s) is refused, a
 * transfer that drips is a stall, and a source that cannot be reached hands the listing to the next one.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HostileHubTest {
    private static final String REPO = "onnx-community/Tiny-Qwen";
    private static final String TOKEN = "hf_secret_token";
    private HubTestServer hub;
    private Map<String, byte[]> files;

    @TempDir
    Path models;

    @BeforeEach
    void start() throws Exception {
        hub = new HubTestServer();
        files = new LinkedHashMap<>();
        files.put("config.json", "{\"model_type\":\"qwen2\"}".getBytes(StandardCharsets.UTF_8));
        files.put("tokenizer.json", random(5_000, 1));
        files.put("tokenizer_config.json", "{\"chat_template\":\"x\"}".getBytes(StandardCharsets.UTF_8));
        files.put("onnx/model_q4.onnx", random(30_000, 3));
        hub.addRepo(REPO, files);
    }

    @AfterEach
    void stop() {
        hub.close();
    }

    private static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    private HuggingFaceSource source(String token) {
        return new HuggingFaceSource("test-hub", hub.endpoint(), Optional.ofNullable(token));
    }

    private static String closedPort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return "http://127.0.0.1:" + s.getLocalPort();
        }
    }

    private ModelInstaller.Installed install(FileTransfer transfer, List<InstallProgress> seen, HubSource... sources)
            throws Exception {
        List<Origin> origins = new ArrayList<>();
        for (HubSource s : sources) {
            origins.add(new Origin(s, REPO, "main"));
        }
        return new ModelInstaller(models, transfer).install("tiny", origins, Optional.of(Variant.Q4), seen::add,
                new CancellationToken());
    }

    private static FileTransfer transfer() {
        return new FileTransfer(Duration.ofSeconds(5), 2, Duration.ofMillis(20));
    }

    @Test
    void theTokenGoesOnlyToTheConfiguredHostWhateverTheListingsPagesName() {
        hub.nextPageHost = "localhost"; // another host for the client, the same server
        RepoListing listing = source(TOKEN).list(REPO, "main");
        assertEquals(files.keySet().stream().sorted().toList(), listing.files().stream().map(RemoteFile::path).sorted().toList());
        List<String> elsewhere = hub.byHost.stream().filter(r -> r.startsWith("localhost")).toList();
        assertFalse(elsewhere.isEmpty(), "pages on the other host were read: " + hub.byHost);
        assertTrue(elsewhere.stream().allMatch(r -> r.endsWith(" null")), "no token off the configured host: " + elsewhere);
        assertTrue(hub.byHost.stream().filter(r -> r.startsWith("127.0.0.1")).allMatch(r -> r.endsWith("Bearer " + TOKEN)),
                hub.byHost.toString());
    }

    @Test
    void theSameHostIsTheSameSchemeHostAndPort() {
        assertTrue(HttpSupport.sameHost(URI.create("https://huggingface.co"), URI.create("https://HuggingFace.co:443/a")));
        assertFalse(HttpSupport.sameHost(URI.create("https://huggingface.co"), URI.create("http://huggingface.co/a")));
        assertFalse(HttpSupport.sameHost(URI.create("https://huggingface.co"), URI.create("https://huggingface.co.evil.example/")));
        assertFalse(HttpSupport.sameHost(URI.create("https://huggingface.co"), URI.create("https://huggingface.co:8443/")));
    }

    @Test
    void aListingWhosePagesLoopOrNeverEndIsRefused() {
        hub.nextPageLoops = true;
        HubException loop = assertThrows(HubException.class, () -> source(null).list(REPO, "main"));
        assertTrue(loop.getMessage().contains("lead back to a page already read"), loop.getMessage());
        hub.nextPageLoops = false;

        hub.pageSize = 1;
        for (int i = 0; i < 30; i++) {
            hub.extraListedPaths.add("extra/" + i + ".txt");
        }
        HuggingFaceSource capped = source(null).withLimits(new HttpSupport.Limits(1 << 20, Duration.ofSeconds(20),
                Duration.ofSeconds(5), 20));
        HubException endless = assertThrows(HubException.class, () -> capped.list(REPO, "main"));
        assertTrue(endless.getMessage().contains("more than 20 pages"), endless.getMessage());
        assertEquals(1000, HttpSupport.Limits.DEFAULT.maxPages());
    }

    @Test
    void anEndlessOrHugeAnswerIsCutAtTheCap() {
        HuggingFaceSource small = source(null).withLimits(new HttpSupport.Limits(1 << 20, Duration.ofSeconds(20),
                Duration.ofSeconds(5), 1000));
        for (String fault : new String[] {"endless", "whitespace"}) {
            hub.listingFault = fault;
            HubException e = assertThrows(HubException.class, () -> small.list(REPO, "main"), fault);
            assertEquals(HubException.Kind.SERVER_ERROR, e.kind(), fault);
            assertTrue(e.getMessage().contains("larger than 1 MB"), e.getMessage());
        }
    }

    @Test
    void anAnswerThatDripsEndsAtTheDeadline() {
        hub.listingFault = "drip";
        hub.dripMillis = 200; // never silent for the read timeout, never done
        HuggingFaceSource quick = source(null).withLimits(new HttpSupport.Limits(64L << 20, Duration.ofSeconds(2),
                Duration.ofSeconds(1), 1000));
        long start = System.nanoTime();
        HubException e = assertThrows(HubException.class, () -> quick.list(REPO, "main"));
        double seconds = (System.nanoTime() - start) / 1e9;
        assertEquals(HubException.Kind.UNREACHABLE, e.kind());
        assertTrue(e.getMessage().contains("no complete answer within 2 s"), e.getMessage());
        assertFalse(e.getMessage().contains("null"), e.getMessage());
        assertTrue(seconds < 10, "cut at the deadline, not later: " + seconds);
    }

    @Test
    void aRedirectOutOfHttpIsRefusedWithAClearMessage() throws Exception {
        hub.fileRedirect = "file:///etc/passwd";
        HubException e = assertThrows(HubException.class, () -> install(transfer(), new ArrayList<>(), source(null)));
        assertTrue(e.getMessage().contains("redirected to an address that is not http(s): file:"), e.getMessage());
        assertFalse(e.getMessage().contains("null"), e.getMessage());
        assertFalse(Files.exists(models.resolve("tiny")), "nothing installed");
    }

    @Test
    void aTransferThatDripsIsAStallAndResumes() throws Exception {
        hub.dripFilesAfter.set(2_000);
        hub.dripMillis = 100;
        FileTransfer floor = new FileTransfer(Duration.ofSeconds(5), 3, Duration.ofMillis(20), 10_000, Duration.ofSeconds(1));
        ModelInstaller.Installed installed = install(floor, new ArrayList<>(), source(null));
        assertTrue(Files.exists(installed.dir().resolve("onnx/model_q4.onnx")));
        assertTrue(hub.requests.stream().anyMatch(r -> r.matches(".* bytes=[1-9][0-9]*-$")),
                "resumed after the stall: " + hub.requests);
        for (Map.Entry<String, byte[]> f : files.entrySet()) {
            assertTrue(java.util.Arrays.equals(f.getValue(), Files.readAllBytes(installed.dir().resolve(f.getKey()))), f.getKey());
        }
    }

    @Test
    void aSourceThatCannotBeReachedHandsTheListingToTheNext() throws Exception {
        HuggingFaceSource unreachable = new HuggingFaceSource("primary", URI.create(closedPort()), Optional.of(TOKEN));
        List<InstallProgress> seen = new CopyOnWriteArrayList<>();
        ModelInstaller.Installed installed = install(transfer(), seen, unreachable, source(TOKEN).withoutToken());
        assertTrue(Files.exists(installed.dir().resolve("config.json")));
        assertTrue(Files.readString(installed.dir().resolve(ModelInstaller.MANIFEST)).contains("\"source\" : \"test-hub\""));
        // The fallback ran without the token, and said so.
        assertTrue(hub.authorizationOnHub.stream().allMatch(a -> a.equals("null")), hub.authorizationOnHub.toString());
        assertTrue(seen.stream().anyMatch(p -> p.source().equals("test-hub") && p.withoutToken()), seen.toString());
    }

    @Test
    void theAutomaticFallbackToHfMirrorGetsNoTokenButAChosenSourceDoes() {
        Map<String, String> env = Map.of("HF_TOKEN", TOKEN);
        List<Origin> automatic = Sources.origins("huggingface", env, REPO, Optional.empty(), Optional.empty());
        assertEquals(List.of("huggingface", "hf-mirror"), automatic.stream().map(o -> o.source().name()).toList());
        assertEquals(Map.of("Authorization", "Bearer " + TOKEN), automatic.get(0).source().headers());
        assertEquals(Map.of(), automatic.get(1).source().headers(), "hf-mirror.com was not chosen: no token");
        assertTrue(automatic.get(1).source().tokenWithheld());
        assertFalse(automatic.get(0).source().tokenWithheld());

        List<Origin> chosen = Sources.origins("hf-mirror", env, REPO, Optional.empty(), Optional.empty());
        assertEquals(Map.of("Authorization", "Bearer " + TOKEN), chosen.get(0).source().headers(),
                "chosen by the user with their token");
    }
}
