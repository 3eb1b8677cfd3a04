package dev.kbackup.restore;

import dev.kbackup.format.SegmentFooter;
import dev.kbackup.format.SegmentInfo;
import dev.kbackup.layout.StoredSegment;
import dev.kbackup.storage.ObjectStore;
import dev.kbackup.storage.StorageException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.UncheckedIOException;
import java.util.function.Supplier;

/**
 * The storage reads of the read-ahead: a segment's footer and byte ranges of it, each timed for the metrics and
 * retried with exponential backoff when the failure is transient (throttling, 5xx, network). An object whose size
 * differs from the one the backup's index records is reported by {@link StoredSegment} as corruption. Thread-safe.
 */
final class RetryingSegmentReader implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RetryingSegmentReader.class);
    static final int ATTEMPTS = 5;
    private static final long FIRST_BACKOFF_MS = 200;

    private final ObjectStore store;
    private final SegmentPrefetcher.Listener listener;
    private final Object sleeper = new Object();
    private volatile boolean closed;

    RetryingSegmentReader(ObjectStore store, SegmentPrefetcher.Listener listener) {
        this.store = store;
        this.listener = listener;
    }

    /** Reads and checks the segment's footer (a ranged read of the object's tail). */
    SegmentFooter footer(SegmentInfo segment) {
        return withRetries(segment, "the footer", () -> {
            long started = System.nanoTime();
            SegmentFooter footer = new StoredSegment(store, segment.key(), segment.sizeBytes()).footer();
            listener.storageRead(System.nanoTime() - started, 0);
            return footer;
        });
    }

    /** Reads bytes {@code [start, start + length)} of the segment. */
    byte[] range(SegmentInfo segment, long start, int length) {
        return withRetries(segment, "bytes " + start + ".." + (start + length), () -> {
            long started = System.nanoTime();
            byte[] bytes = new StoredSegment(store, segment.key(), segment.sizeBytes()).readRange(start, length);
            listener.storageRead(System.nanoTime() - started, length);
            return bytes;
        });
    }

    /** Stops retrying: reads in progress fail at their next attempt instead of waiting. */
    @Override
    public void close() {
        closed = true;
        synchronized (sleeper) {
            sleeper.notifyAll();
        }
    }

    private <T> T withRetries(SegmentInfo segment, String what, Supplier<T> read) {
        long backoff = FIRST_BACKOFF_MS;
        for (int attempt = 1; ; attempt++) {
            RuntimeException failure;
            try {
                return read.get();
            } catch (StorageException e) {
                if (!e.isRetriable()) {
                    throw e;
                }
                failure = e;
            } catch (UncheckedIOException e) {
                failure = new StorageException("Could not read " + what + " of segment " + segment.key() + " from "
                        + store.describe() + ": " + e.getCause().getMessage(), e.getCause(), true);
            }
            if (attempt >= ATTEMPTS || closed) {
                throw failure;
            }
            log.warn("Reading {} of segment {} failed (attempt {} of {}), retrying in {} ms: {}", what,
                    segment.key(), attempt, ATTEMPTS, backoff, failure.getMessage());
            sleep(backoff);
            backoff *= 2;
        }
    }

    private void sleep(long millis) {
        long deadline = System.currentTimeMillis() + millis;
        synchronized (sleeper) {
            long left;
            while (!closed && (left = deadline - System.currentTimeMillis()) > 0) {
                try {
                    sleeper.wait(left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }
}
