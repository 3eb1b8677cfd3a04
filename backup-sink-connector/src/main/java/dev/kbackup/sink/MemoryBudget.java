package dev.kbackup.sink;

/**
 * Heap bytes held by the segment pipeline (blocks waiting to be compressed, upload parts being filled). The task
 * adds the bytes in its open blocks to decide when to close a segment early or wait for uploads to catch up.
 */
final class MemoryBudget {

    private final long limit;
    private long pipelineBytes;

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

    synchronized long pipelineBytes() {
        return pipelineBytes;
    }

    /** Waits until the pipeline holds at most {@code bytes}; true if it does before the timeout. */
    synchronized boolean awaitPipelineAtMost(long bytes, long timeoutMillis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        while (pipelineBytes > bytes) {
            long left = deadline - System.currentTimeMillis();
            if (left <= 0) {
                return false;
            }
            wait(left);
        }
        return true;
    }
}
