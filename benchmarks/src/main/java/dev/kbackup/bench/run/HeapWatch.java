package dev.kbackup.bench.run;

import dev.kbackup.bench.cluster.WorkerJmx;

/**
 * The worker's heap over one phase: its live heap just before, the largest heap in use right after any collection
 * during it, and, if asked, the live heap high-water found by forcing a full collection every
 * {@value #LIVE_SAMPLE_MS} ms (which costs the phase throughput, hence only in memory passes).
 */
final class HeapWatch {

    static final int LIVE_SAMPLE_MS = 500;

    private final WorkerJmx jmx;
    private final long baseline;
    private final boolean sampleLive;
    private long lastLiveSample = System.nanoTime();
    private Long liveMax;

    private HeapWatch(WorkerJmx jmx, long baseline, boolean sampleLive) {
        this.jmx = jmx;
        this.baseline = baseline;
        this.sampleLive = sampleLive;
    }

    /** Measures the live heap, then opens the window; call just before the phase starts. */
    static HeapWatch start(WorkerJmx jmx, boolean sampleLive) throws Exception {
        long baseline = jmx.collectAndMeasure();
        Thread.sleep(200); // lets the explicit collection's notification arrive before the window opens
        jmx.resetHeapWindow();
        return new HeapWatch(jmx, baseline, sampleLive);
    }

    /** If sampling: a full collection in the worker every LIVE_SAMPLE_MS, keeping the largest live heap. */
    void maybeSample(long now) throws Exception {
        if (sampleLive && now - lastLiveSample >= LIVE_SAMPLE_MS * 1_000_000L) {
            long live = jmx.collectAndMeasure();
            liveMax = liveMax == null ? live : Math.max(liveMax, live);
            lastLiveSample = System.nanoTime();
        }
    }

    long baseline() {
        return baseline;
    }

    /** The live heap high-water, or null if not sampling. */
    Long liveMax() {
        return liveMax;
    }

    WorkerJmx.HeapWindow window() {
        return jmx.heapWindow();
    }
}
