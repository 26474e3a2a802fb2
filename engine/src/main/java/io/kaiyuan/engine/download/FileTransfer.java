package io.kaiyuan.engine.download;

import io.kaiyuan.engine.api.CancellationToken;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Downloads one file into a partial file, resuming from the bytes already there (Range), restarting when
 * a server ignores the range, hashing as it goes, and verifying size and sha256. A transfer that fails or
 * stalls is retried with backoff, then continued from the next source at the byte where it stopped.
 * Thread-safe; one call per file.
 */
public final class FileTransfer {
    private static final Logger LOG = LoggerFactory.getLogger(FileTransfer.class);
    private static final ScheduledExecutorService WATCHDOG = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "kaiyuan-download-watchdog");
        t.setDaemon(true);
        return t;
    });

    private final HttpClient http = HttpSupport.client();
    private final Duration stallTimeout;
    private final int attemptsPerSource;
    private final Duration firstBackoff;

    /**
     * @param stallTimeout abort a transfer that receives nothing for this long
     * @param attemptsPerSource tries on each source before the next
     * @param firstBackoff wait before the second try, doubled each time
     */
    public FileTransfer(Duration stallTimeout, int attemptsPerSource, Duration firstBackoff) {
        this.stallTimeout = stallTimeout;
        this.attemptsPerSource = attemptsPerSource;
        this.firstBackoff = firstBackoff;
    }

    public static FileTransfer defaults() {
        return new FileTransfer(Duration.ofSeconds(30), 3, Duration.ofSeconds(1));
    }

    /**
     * Brings {@code partial} to the complete, verified file and returns its sha256 (hex).
     *
     * @param progress receives the bytes of this file on disk; never goes backwards except when a server
     *     ignores a range and the file restarts
     */
    public String fetch(List<Origin> origins, RemoteFile file, Path partial, LongConsumer progress,
            CancellationToken cancel) throws IOException {
        HubException last = null;
        for (Origin origin : origins) {
            HubSource source = origin.source();
            Duration backoff = firstBackoff;
            for (int attempt = 1; attempt <= attemptsPerSource; attempt++) {
                if (cancel.isCancelled()) {
                    throw new HubException("Download cancelled; it resumes where it stopped.", false);
                }
                try {
                    MessageDigest digest = transfer(source, origin.repo(), origin.revision(), file, partial, progress, cancel);
                    return verify(file, partial, digest);
                } catch (HubException e) {
                    last = e;
                    if (!e.retryable()) {
                        break;
                    }
                } catch (IOException e) {
                    last = new HubException(file.path() + " from " + source.name() + " failed: " + e.getMessage(), true, e);
                }
                LOG.warn("{} (try {} of {} on {})", last.getMessage(), attempt, attemptsPerSource, source.name());
                if (attempt < attemptsPerSource) {
                    sleep(backoff);
                    backoff = backoff.multipliedBy(2);
                }
            }
        }
        throw last != null ? last : new HubException("No source to download " + file.path() + " from.", false);
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Hashes the bytes already on disk, so a resumed file is verified whole. */
    private static MessageDigest digestOf(Path partial, long length) throws IOException {
        MessageDigest digest = sha256();
        if (length == 0) {
            return digest;
        }
        try (FileChannel ch = FileChannel.open(partial, StandardOpenOption.READ)) {
            ByteBuffer buffer = ByteBuffer.allocate(1 << 20);
            long left = length;
            while (left > 0) {
                buffer.clear().limit((int) Math.min(buffer.capacity(), left));
                int n = ch.read(buffer);
                if (n < 0) {
                    break;
                }
                digest.update(buffer.flip());
                left -= n;
            }
        }
        return digest;
    }

    private MessageDigest transfer(HubSource source, String repo, String commit, RemoteFile file, Path partial,
            LongConsumer progress, CancellationToken cancel) throws IOException {
        Files.createDirectories(partial.getParent());
        long have = Files.exists(partial) ? Files.size(partial) : 0;
        if (have > file.size()) {
            Files.delete(partial);
            have = 0;
        }
        MessageDigest digest = digestOf(partial, have);
        progress.accept(have);
        if (have == file.size()) {
            return digest;
        }
        Map<String, String> range = have > 0 ? Map.of("Range", "bytes=" + have + "-") : Map.of();
        HttpResponse<InputStream> response = HttpSupport.send(http, source.fileUri(repo, commit, file.path()),
                source.headers(), range, HttpResponse.BodyHandlers.ofInputStream(), Duration.ofSeconds(60));
        int status = response.statusCode();
        boolean append;
        if (status == 206) {
            String contentRange = response.headers().firstValue("Content-Range").orElse("");
            append = contentRange.startsWith("bytes " + have + "-");
            if (!append) {
                HttpSupport.closeBody(response);
                throw new HubException(source.name() + " answered a range Kaiyuan did not ask for (" + contentRange + ").", true);
            }
        } else if (status == 200) {
            append = false;
            if (have > 0) {
                LOG.info("{} ignored the range for {}: restarting the file", source.name(), file.path());
            }
        } else {
            HttpSupport.closeBody(response);
            HubException error = source instanceof HuggingFaceSource hf
                    ? hf.errorFor(status, response.headers().firstValue("X-Error-Code").orElse(""), repo, commit, file.path())
                    : new HubException(source.name() + " answered HTTP " + status + " for " + file.path() + ".", status >= 500);
            // A file missing or refused on one source may be on the next: let the caller move on.
            throw new HubException(error.getMessage(), error.retryable() || status == 404, error);
        }
        if (!append) {
            digest = sha256();
            have = 0;
            progress.accept(0);
        }
        long[] lastProgress = {System.nanoTime()};
        InputStream body = response.body();
        ScheduledFuture<?> watchdog = WATCHDOG.scheduleAtFixedRate(() -> {
            if (System.nanoTime() - lastProgress[0] > stallTimeout.toNanos() || cancel.isCancelled()) {
                try {
                    body.close();
                } catch (IOException ignored) {
                    // the reading thread sees the failure
                }
            }
        }, stallTimeout.toMillis() / 4 + 1, stallTimeout.toMillis() / 4 + 1, TimeUnit.MILLISECONDS);
        try (body;
                FileChannel out = FileChannel.open(partial, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                        append ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING)) {
            byte[] buffer = new byte[1 << 20];
            int n;
            long done = have;
            while ((n = body.read(buffer)) >= 0) {
                if (n == 0) {
                    continue;
                }
                ByteBuffer chunk = ByteBuffer.wrap(buffer, 0, n);
                while (chunk.hasRemaining()) {
                    out.write(chunk);
                }
                digest.update(buffer, 0, n);
                done += n;
                lastProgress[0] = System.nanoTime();
                progress.accept(done);
                if (cancel.isCancelled()) {
                    throw new HubException("Download cancelled; it resumes where it stopped.", false);
                }
                if (done > file.size()) {
                    throw new HubException(file.path() + " from " + source.name() + " is larger than the "
                            + file.size() + " bytes the listing gives.", true);
                }
            }
        } catch (IOException e) {
            if (cancel.isCancelled()) {
                throw new HubException("Download cancelled; it resumes where it stopped.", false);
            }
            throw new IOException(System.nanoTime() - lastProgress[0] > stallTimeout.toNanos()
                    ? "stalled for " + stallTimeout.toSeconds() + " s" : e.getMessage(), e);
        } finally {
            watchdog.cancel(false);
        }
        long size = Files.size(partial);
        if (size != file.size()) {
            throw new IOException("transfer ended at " + size + " of " + file.size() + " bytes");
        }
        return digest;
    }

    private static String verify(RemoteFile file, Path partial, MessageDigest digest) throws IOException {
        String actual = HexFormat.of().formatHex(digest.digest());
        if (file.sha256().isPresent() && !file.sha256().get().equalsIgnoreCase(actual)) {
            Files.deleteIfExists(partial);
            throw new HubException(file.path() + " is corrupt: its sha256 is " + actual + " but should be "
                    + file.sha256().get() + ". The file was discarded; nothing was installed.", false);
        }
        return actual;
    }
}
