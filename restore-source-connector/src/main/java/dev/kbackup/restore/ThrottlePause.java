package dev.kbackup.restore;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** The task's wait for the throttle: at most a second per poll, cut short when the task stops, timed for metrics. */
final class ThrottlePause {

    private static final long MAX_SLEEP_MS = 1_000;

    private final Throttle throttle;
    private final CountDownLatch stopping;
    private final RestoreMetrics metrics;

    ThrottlePause(Throttle throttle, CountDownLatch stopping, RestoreMetrics metrics) {
        this.throttle = throttle;
        this.stopping = stopping;
        this.metrics = metrics;
    }

    /** Waits while the throttle asks for it (one sleep at most); true when the next batch may be taken now. */
    boolean await() throws InterruptedException {
        long waitNanos = throttle.waitNanos();
        if (waitNanos <= 0) {
            return true;
        }
        long sleepMs = Math.min(MAX_SLEEP_MS, TimeUnit.NANOSECONDS.toMillis(waitNanos) + 1);
        long started = System.nanoTime();
        stopping.await(sleepMs, TimeUnit.MILLISECONDS);
        metrics.throttled(System.nanoTime() - started);
        return throttle.waitNanos() <= 0;
    }
}
