package io.kaiyuan.engine.download;

import java.util.List;
import java.util.OptionalLong;

/**
 * Where an install stands: bytes on disk of all chosen files and of each file (neither ever goes
 * backwards), the recent download rate, and whether it is paused.
 *
 * @param doneBytes bytes of all files on disk, including those present before this run (a resume)
 * @param totalBytes bytes of all chosen files
 * @param bytesPerSecond the rate over the last few seconds; 0 while paused or stalled
 * @param files each chosen file, in listing order
 * @param paused whether the install is paused
 * @param source the source the latest transfer tried (another one after a failover); empty before any
 * @param withoutToken whether that source runs without the token the user gave for another (a fallback)
 */
public record InstallProgress(long doneBytes, long totalBytes, double bytesPerSecond, List<FileProgress> files,
        boolean paused, String source, boolean withoutToken) {

    /** One file of an install. */
    public record FileProgress(String path, long doneBytes, long totalBytes, FileState state) {}

    /** A file's state: waiting for a download slot, downloading, or verified and complete. */
    public enum FileState { QUEUED, DOWNLOADING, VERIFIED }

    public InstallProgress {
        files = List.copyOf(files);
    }

    /** Progress on a source that sends the token it was given. */
    public InstallProgress(long doneBytes, long totalBytes, double bytesPerSecond, List<FileProgress> files, boolean paused,
            String source) {
        this(doneBytes, totalBytes, bytesPerSecond, files, paused, source, false);
    }

    /** Seconds left at the current rate; empty while the rate is unknown or zero. */
    public OptionalLong etaSeconds() {
        if (doneBytes >= totalBytes) {
            return OptionalLong.of(0);
        }
        if (bytesPerSecond <= 0) {
            return OptionalLong.empty();
        }
        return OptionalLong.of((long) Math.ceil((totalBytes - doneBytes) / bytesPerSecond));
    }

    /** The fraction done, 0 to 1. */
    public double fraction() {
        return totalBytes == 0 ? 1.0 : (double) doneBytes / totalBytes;
    }
}
