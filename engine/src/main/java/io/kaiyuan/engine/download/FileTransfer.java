package io.kaiyuan.engine.download;

import io.kaiyuan.engine.api.CancellationToken;
import java.io.IOException;
import java.io.InputStream;
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
    /** Writes and hashes downloaded buffers while the downloading thread reads the next ones. */
    private static final java.util.concurrent.ExecutorService WRITERS = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "kaiyuan-download-writer");
        t.setDaemon(true);
        return t;
    });
    private final Duration stallTimeout;
    private final int attemptsPerSource;
    private final Duration firstBackoff;
    private final long minBytesPerSecond;
    private final Duration rateWindow;

    /**
     * @param stallTimeout abort a transfer that receives nothing for this long
     * @param attemptsPerSource tries on each source before the next
     * @param firstBackoff wait before the second try, doubled each time
     */
    public FileTransfer(Duration stallTimeout, int attemptsPerSource, Duration firstBackoff) {
        this(stallTimeout, attemptsPerSource, firstBackoff, DEFAULT_MIN_RATE, DEFAULT_RATE_WINDOW);
    }

    /** A transfer slower than this over {@link #DEFAULT_RATE_WINDOW} is a stall: 1 KiB/s. */
    public static final long DEFAULT_MIN_RATE = 1024;
    public static final Duration DEFAULT_RATE_WINDOW = Duration.ofSeconds(60);

    /**
     * @param minBytesPerSecond a transfer that brings fewer bytes than this rate over {@code rateWindow} is a
     *     stall too (a server that drips a byte now and then never goes silent), retried and resumed as one
     */
    public FileTransfer(Duration stallTimeout, int attemptsPerSource, Duration firstBackoff, long minBytesPerSecond,
            Duration rateWindow) {
        this.stallTimeout = stallTimeout;
        this.attemptsPerSource = attemptsPerSource;
        this.firstBackoff = firstBackoff;
        this.minBytesPerSecond = minBytesPerSecond;
        this.rateWindow = rateWindow;
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
        return fetch(origins, file, partial, progress, cancel, origin -> { });
    }

    /** As above, telling {@code onOrigin} which origin each try uses (a failover shows as a new origin). */
    public String fetch(List<Origin> origins, RemoteFile file, Path partial, LongConsumer progress,
            CancellationToken cancel, java.util.function.Consumer<Origin> onOrigin) throws IOException {
        HubException last = null;
        for (Origin origin : origins) {
            HubSource source = origin.source();
            onOrigin.accept(origin);
            Duration backoff = firstBackoff;
            for (int attempt = 1; attempt <= attemptsPerSource; attempt++) {
                if (cancel.isCancelled()) {
                    throw new HubException(HubException.Kind.CANCELLED, null, "Download cancelled; it resumes where it stopped.", false);
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
                    last = new HubException(HubException.Kind.UNREACHABLE, source.name(), file.path() + " from " + source.name()
                            + " failed: " + HubException.describe(e) + ".", true, e);
                }
                LOG.warn("{} (try {} of {} on {})", last.getMessage(), attempt, attemptsPerSource, source.name());
                if (attempt < attemptsPerSource) {
                    sleep(backoff);
                    backoff = backoff.multipliedBy(2);
                }
            }
        }
        throw last != null ? last : new HubException(HubException.Kind.OTHER, null, "No source to download " + file.path()
                + " from.", false);
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
        try (HttpSupport.Deadline none = HttpSupport.Deadline.none();
                HttpSupport.Stream response = HttpSupport.open(source.name(), source.fileUri(repo, commit, file.path()),
                        source.endpoint(), source.headers(), range, stallTimeout, source.proxies(), none)) {
            int status = response.status();
            boolean append;
            if (status == 206) {
                String contentRange = String.valueOf(response.header("Content-Range"));
                append = contentRange.startsWith("bytes " + have + "-");
                if (!append) {
                    throw new HubException(HubException.Kind.SERVER_ERROR, source.name(), source.name()
                            + " answered a range Kaiyuan did not ask for (" + contentRange + ").", true);
                }
            } else if (status == 200) {
                append = false;
                if (have > 0) {
                    LOG.info("{} ignored the range for {}: restarting the file", source.name(), file.path());
                }
            } else {
                String code = response.header("X-Error-Code");
                HubException error = source instanceof HuggingFaceSource hf
                        ? hf.errorFor(status, code == null ? "" : code, repo, commit, file.path())
                        : new HubException(status == 404 ? HubException.Kind.NOT_FOUND : HubException.Kind.SERVER_ERROR,
                                source.name(), source.name() + " answered HTTP " + status + " for " + file.path() + ".", status >= 500);
                // A file missing or refused on one source may be on the next: let the caller move on.
                throw new HubException(error.kind(), source.name(), error.getMessage(), error.retryable() || status == 404, error);
            }
            if (!append) {
                digest = sha256();
                have = 0;
                progress.accept(0);
            }
            try (FileChannel out = FileChannel.open(partial, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    append ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING)) {
                copy(response.body(), out, digest, have, file, source, progress, cancel, new RateFloor(minBytesPerSecond,
                        rateWindow));
            } catch (java.net.SocketTimeoutException e) {
                throw new IOException(String.format(java.util.Locale.ROOT, "stalled: nothing received for %.1f s", stallTimeout.toMillis() / 1000.0), e);
            }
        }
        long size = Files.size(partial);
        if (size != file.size()) {
            throw new IOException("transfer ended at " + size + " of " + file.size() + " bytes");
        }
        return digest;
    }

    /** One buffer of bytes read, or the end (length -1). */
    private record Chunk(byte[] bytes, int length) {}

    /**
     * Copies the body to the file, hashing it: this thread reads from the network while another writes
     * and hashes the previous buffers, so the three overlap.
     */
    /** Fails a transfer that brings fewer than {@code min} bytes a second over a whole window. */
    private static final class RateFloor {
        private final long min;
        private final long windowNanos;
        private long windowStart = System.nanoTime();
        private long windowBytes;

        RateFloor(long min, Duration window) {
            this.min = min;
            this.windowNanos = window.toNanos();
        }

        void add(int bytes) throws IOException {
            windowBytes += bytes;
            long now = System.nanoTime();
            if (now - windowStart >= windowNanos) {
                double seconds = (now - windowStart) / 1e9;
                if (windowBytes < min * seconds) {
                    throw new IOException(String.format(java.util.Locale.ROOT,
                            "stalled: %d bytes in %.0f s, under %d bytes a second", windowBytes, seconds, min));
                }
                windowStart = now;
                windowBytes = 0;
            }
        }
    }

    private static void copy(InputStream body, FileChannel out, MessageDigest digest, long have, RemoteFile file,
            HubSource source, LongConsumer progress, CancellationToken cancel, RateFloor floor) throws IOException {
        int buffers = 4;
        java.util.concurrent.BlockingQueue<byte[]> free = new java.util.concurrent.ArrayBlockingQueue<>(buffers);
        java.util.concurrent.BlockingQueue<Chunk> full = new java.util.concurrent.ArrayBlockingQueue<>(buffers + 1);
        for (int i = 0; i < buffers; i++) {
            free.add(new byte[1 << 20]);
        }
        java.util.concurrent.Future<?> writer = WRITERS.submit(() -> {
            while (true) {
                Chunk c = full.take();
                if (c.length() < 0) {
                    return null;
                }
                ByteBuffer b = ByteBuffer.wrap(c.bytes(), 0, c.length());
                while (b.hasRemaining()) {
                    out.write(b);
                }
                digest.update(c.bytes(), 0, c.length());
                free.put(c.bytes());
            }
        });
        long done = have;
        try {
            while (true) {
                byte[] buffer = free.poll(1, TimeUnit.SECONDS);
                if (buffer == null) {
                    if (writer.isDone()) {
                        break;
                    }
                    continue;
                }
                int n = 0;
                boolean end = false;
                IOException failure = null;
                HubException cancelled = null;
                try {
                    while (n < buffer.length) {
                        int r = body.read(buffer, n, buffer.length - n);
                        if (r < 0) {
                            end = true;
                            break;
                        }
                        n += r;
                        progress.accept(done + n);
                        floor.add(r);
                        if (cancel.isCancelled()) {
                            cancelled = new HubException(HubException.Kind.CANCELLED, null,
                                    "Download cancelled; it resumes where it stopped.", false);
                            break;
                        }
                    }
                } catch (IOException e) {
                    failure = e; // keep what arrived before the failure, so the next try resumes after it
                }
                if (n > 0) {
                    full.put(new Chunk(buffer, n));
                    done += n;
                } else {
                    free.put(buffer);
                }
                if (failure != null) {
                    throw failure;
                }
                if (cancelled != null) {
                    throw cancelled;
                }
                if (done > file.size()) {
                    throw new HubException(HubException.Kind.DAMAGED, source.name(), file.path() + " from " + source.name()
                            + " is larger than the " + file.size() + " bytes the listing gives.", true);
                }
                if (end) {
                    break;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } finally {
            try {
                full.put(new Chunk(null, -1));
                writer.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (java.util.concurrent.ExecutionException e) {
                throw new IOException("writing " + file.path() + " failed: " + e.getCause().getMessage(), e.getCause());
            }
        }
    }

    /** The sha256 of a text's UTF-8 bytes, in hex. */
    static String sha256Hex(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String verify(RemoteFile file, Path partial, MessageDigest digest) throws IOException {
        String actual = HexFormat.of().formatHex(digest.digest());
        if (file.sha256().isPresent() && !file.sha256().get().equalsIgnoreCase(actual)) {
            Files.deleteIfExists(partial);
            throw new HubException(HubException.Kind.DAMAGED, null, file.path() + " is corrupt: its sha256 is " + actual
                    + " but should be " + file.sha256().get() + ". The file was discarded; nothing was installed.", false);
        }
        return actual;
    }
}
