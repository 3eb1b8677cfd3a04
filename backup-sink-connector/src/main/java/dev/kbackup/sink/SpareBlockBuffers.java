package dev.kbackup.sink;

import dev.kbackup.format.BlockEncoder;
import dev.kbackup.memory.HeapCost;

import java.util.ArrayDeque;

/**
 * Full-size block buffers the pipeline has written out, kept for the partition writers' next blocks. A busy
 * partition would otherwise allocate a new buffer of about a mebibyte per block, which G1 allocates outside the
 * young generation (a humongous object) and zeroes: at hundreds of blocks a second that churn starts concurrent
 * collection cycles of its own. A kept buffer stays counted in the {@link MemoryBudget} until a writer takes it,
 * and at most a sixteenth of the budget is kept, so that memory pressure finds little here and can drop it first.
 * Written on the pipeline thread, taken on the task thread.
 */
final class SpareBlockBuffers {

    private final MemoryBudget budget;
    private final int bufferBytes;
    private final long bufferCost;
    private final int capacity;
    private final ArrayDeque<byte[]> spares = new ArrayDeque<>();

    /** @param blockBytes the block size the writers fill: only buffers of a full block of it are kept */
    SpareBlockBuffers(MemoryBudget budget, int blockBytes) {
        this.budget = budget;
        this.bufferBytes = BlockEncoder.fullBufferBytes(blockBytes);
        this.bufferCost = HeapCost.ofArray(bufferBytes);
        this.capacity = (int) Math.min(4, budget.limit() / 16 / bufferCost);
    }

    /**
     * Keeps the buffer of a block the pipeline has written, if it is a full block's and there is room; its bytes,
     * already counted in the budget, then stay counted. False if not kept: the caller releases them.
     */
    synchronized boolean keep(byte[] buffer) {
        if (buffer.length != bufferBytes || spares.size() >= capacity) {
            return false;
        }
        spares.push(buffer);
        return true;
    }

    /** A kept buffer, no longer counted here (the writer that fills it counts it), or null if none is kept. */
    synchronized byte[] take() {
        byte[] buffer = spares.poll();
        if (buffer != null) {
            budget.release(bufferCost);
        }
        return buffer;
    }

    /** Lets every kept buffer go; returns the bytes released from the budget. */
    synchronized long drop() {
        long released = spares.size() * bufferCost;
        spares.clear();
        if (released > 0) {
            budget.release(released);
        }
        return released;
    }

    synchronized int size() {
        return spares.size();
    }
}
