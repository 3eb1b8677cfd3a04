package dev.kbackup.sink;

/**
 * Every heap byte the task holds for data not yet uploaded: the open blocks the partition writers fill (on the
 * task thread) and what the segment pipeline holds (blocks waiting to be compressed, upload parts being filled),
 * the most ever held, and whether the pipeline still has work queued. The task asks it whether it is over its
 * limit, and waits on it for the pipeline to free memory before closing segments early.
 */
final class MemoryBudget {

    private final long limit;
    /** Written under the lock (waiters are notified); read without it on every record the task accepts. */
    private volatile long pipelineBytes;
    /** Written on the task thread only; read by metric reporters. */
    private volatile long openBlockBytes;
    private volatile long highWater;
    private int queuedWork;

    MemoryBudget(long limit) {
        this.limit = limit;
    }

    long limit() {
        return limit;
    }

    synchronized void add(long bytes) {
        pipelineBytes += bytes;
    }

    synchronized void release(long bytes) {
        pipelineBytes -= bytes;
        notifyAll();
    }

    long pipelineBytes() {
        return pipelineBytes;
    }

    /** A writer's open block grew or shrank by {@code delta} bytes; called on the task thread. */
    void openBlocksChanged(long delta) {
        openBlockBytes += delta;
    }

    long openBlockBytes() {
        return openBlockBytes;
    }

    /** Every byte held: open blocks plus what the pipeline holds. */
    long held() {
        return openBlockBytes + pipelineBytes;
    }

    /** The most bytes held at any {@link #exceeded} check since the task started. */
    long highWater() {
        return highWater;
    }

    /** Whether more than the limit is held; also records the high water. Called on the task thread. */
    boolean exceeded() {
        long held = held();
        if (held > highWater) {
            highWater = held;
        }
        return held > limit;
    }

    /** The pipeline accepted a piece of work (a block, a completion, an abort). */
    synchronized void workQueued() {
        queuedWork++;
    }

    /** The pipeline finished a piece of work it had accepted. */
    synchronized void workDone() {
        queuedWork--;
        notifyAll();
    }

    /** Whether the pipeline has work left whose progress will free memory without closing segments. */
    synchronized boolean pipelineBusy() {
        return queuedWork > 0;
    }

    /**
     * Waits until everything held fits in the limit, the timeout passes, or the pipeline runs out of work (after
     * which waiting frees nothing more). True if it fits. Open blocks do not change meanwhile: only the task
     * thread, which is waiting here, fills them.
     */
    boolean awaitWithinLimit(long timeoutMillis) throws InterruptedException {
        return awaitPipelineAtMost(limit - openBlockBytes, timeoutMillis);
    }

    /**
     * Waits until the pipeline holds at most {@code bytes}, the timeout passes, or the pipeline runs out of work
     * (after which waiting frees nothing more). True if it holds at most {@code bytes}.
     */
    synchronized boolean awaitPipelineAtMost(long bytes, long timeoutMillis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        while (pipelineBytes > bytes && queuedWork > 0) {
            long left = deadline - System.currentTimeMillis();
            if (left <= 0) {
                break;
            }
            wait(left);
        }
        return pipelineBytes <= bytes;
    }
}
