package dev.kbackup.storage;

import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * Stops calling a failing store: after {@code threshold} consecutive failures it opens and refuses calls for the
 * recovery interval, then lets one probe through; the probe's success closes it, its failure opens it again.
 * Thread-safe.
 */
public final class CircuitBreaker {

    public enum State { CLOSED, OPEN, HALF_OPEN }

    private final int threshold;
    private final long recoveryMillis;
    private final LongSupplier clock;

    private State state = State.CLOSED;
    private int consecutiveFailures;
    private long openedAt;
    private long probeStartedAt = -1;
    private Throwable lastFailure;

    public CircuitBreaker(int threshold, Duration recovery) {
        this(threshold, recovery, System::currentTimeMillis);
    }

    // for testing
    CircuitBreaker(int threshold, Duration recovery, LongSupplier clock) {
        if (threshold < 1) {
            throw new IllegalArgumentException("threshold must be at least 1");
        }
        this.threshold = threshold;
        this.recoveryMillis = recovery.toMillis();
        this.clock = clock;
    }

    /** True if a call may go to storage now; in the half-open state only one probe at a time is let through. */
    public synchronized boolean tryAcquire() {
        long now = clock.getAsLong();
        switch (state) {
            case CLOSED:
                return true;
            case OPEN:
                if (now - openedAt < recoveryMillis) {
                    return false;
                }
                state = State.HALF_OPEN;
                probeStartedAt = now;
                return true;
            default:
                // A probe that never reported back must not keep the breaker half-open forever.
                if (probeStartedAt < 0 || now - probeStartedAt >= recoveryMillis) {
                    probeStartedAt = now;
                    return true;
                }
                return false;
        }
    }

    public synchronized void onSuccess() {
        state = State.CLOSED;
        consecutiveFailures = 0;
        probeStartedAt = -1;
    }

    public synchronized void onFailure(Throwable failure) {
        lastFailure = failure;
        consecutiveFailures++;
        if (state == State.HALF_OPEN || consecutiveFailures >= threshold) {
            state = State.OPEN;
            openedAt = clock.getAsLong();
            probeStartedAt = -1;
        }
    }

    public synchronized State state() {
        return state;
    }

    public synchronized int consecutiveFailures() {
        return consecutiveFailures;
    }

    public synchronized Throwable lastFailure() {
        return lastFailure;
    }

    /** Milliseconds until an open breaker lets a probe through; 0 when calls are allowed now. */
    public synchronized long millisUntilProbe() {
        if (state != State.OPEN) {
            return 0;
        }
        return Math.max(0, openedAt + recoveryMillis - clock.getAsLong());
    }
}
