package dev.kbackup.restore;

import java.util.function.LongSupplier;

/**
 * A token bucket over record bytes: tokens accrue at the configured rate up to a burst of 200 ms worth. A batch may
 * take the bucket into debt (one batch can be bigger than the tokens left); the next batch waits until it is repaid,
 * so over any stretch longer than a few batches the rate holds. Not thread-safe: the task's poll thread owns it.
 */
final class Throttle {

    private static final long NANOS_PER_SECOND = 1_000_000_000L;
    private static final long BURST_NANOS = 200_000_000L;

    private final long bytesPerSecond;
    private final LongSupplier nanoClock;
    private final double capacity;
    private double tokens;
    private long lastRefill;

    /** @param bytesPerSecond the limit, or 0 or less for none */
    Throttle(long bytesPerSecond, LongSupplier nanoClock) {
        this.bytesPerSecond = bytesPerSecond;
        this.nanoClock = nanoClock;
        this.capacity = Math.max(1.0, bytesPerSecond * (double) BURST_NANOS / NANOS_PER_SECOND);
        this.tokens = capacity;
        this.lastRefill = nanoClock.getAsLong();
    }

    static Throttle unlimited() {
        return new Throttle(0, System::nanoTime);
    }

    boolean isLimited() {
        return bytesPerSecond > 0;
    }

    /** Nanoseconds until a batch may be taken; 0 when it may be taken now. */
    long waitNanos() {
        if (!isLimited()) {
            return 0;
        }
        refill();
        return tokens > 0 ? 0 : (long) Math.ceil(-tokens * NANOS_PER_SECOND / bytesPerSecond) + 1;
    }

    /** Bytes the next batch should stop at (it may exceed this by one record). */
    long batchBytes() {
        if (!isLimited()) {
            return Long.MAX_VALUE;
        }
        refill();
        return Math.max(1, (long) tokens);
    }

    /** Charges a batch that was taken. */
    void consume(long bytes) {
        if (isLimited()) {
            refill();
            tokens -= bytes;
        }
    }

    private void refill() {
        long now = nanoClock.getAsLong();
        long elapsed = now - lastRefill;
        if (elapsed > 0) {
            tokens = Math.min(capacity, tokens + (double) elapsed * bytesPerSecond / NANOS_PER_SECOND);
            lastRefill = now;
        }
    }
}
