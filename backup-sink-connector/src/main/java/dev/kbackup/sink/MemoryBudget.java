package dev.kbackup.sink;

/**
 * Heap bytes held by the segment pipeline (blocks waiting to be compressed, upload parts being filled), and whether
 * it still has work queued. The task adds the bytes in its open blocks to decide whether to wait for the pipeline
 * or to close segments early.
 */
final class MemoryBudget {

    private final long limit;
    /** Written under the lock (waiters are notified); read without it on every record the task accepts. */
    private volatile long pipelineBytes;
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
