package dev.kbackup.restore;

import java.util.concurrent.TimeUnit;

/**
 * Payload bytes handed to Connect whose write its producer has not yet acknowledged. The producer's
 * {@code buffer.memory} counts compressed bytes, so records that compress well can pile up in Connect (each holds
 * its decoded value until acknowledged) far beyond it; this bound keeps them within the task's memory budget.
 * Thread-safe: the poll thread adds, the producer's callback thread releases.
 */
final class InFlightBytes {

    private final long limit;
    private long held;

    InFlightBytes(long limit) {
        if (limit <= 0) {
            throw new IllegalArgumentException("in-flight limit must be positive, was " + limit);
        }
        this.limit = limit;
    }

    /** Bytes that may still be handed out now (a batch always takes at least one record, however large). */
    synchronized long room() {
        return Math.max(0, limit - held);
    }

    synchronized void add(long bytes) {
        held += bytes;
    }

    synchronized void release(long bytes) {
        held = Math.max(0, held - bytes);
        notifyAll();
    }

    synchronized long held() {
        return held;
    }

    /** Waits up to {@code timeoutMs} for room; returns whether there is some. */
    synchronized boolean awaitRoom(long timeoutMs) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (room() == 0) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
        return true;
    }
}
