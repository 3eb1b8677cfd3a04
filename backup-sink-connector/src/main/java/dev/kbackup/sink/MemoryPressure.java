package dev.kbackup.sink;

import org.apache.kafka.connect.errors.RetriableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

/**
 * Brings held memory under the budget. While the pipeline has work queued, its progress frees memory, so it
 * waits: closing segments then would only cut them small. Once the pipeline is idle, what is left sits in open
 * blocks and unsent upload parts. The largest open blocks are sealed first (compressed into their segments'
 * uploads, json holds a sixth as much, and the segments go on); if that is not enough (blocks too small to seal,
 * data that does not compress, or the unsent parts themselves), the segments holding the most are closed, enough
 * to cover the excess and a margin. With many partitions this keeps segments from being cut ever smaller: each
 * closed segment is a storage request and a catalog entry.
 */
final class MemoryPressure {

    private static final Logger log = LoggerFactory.getLogger(MemoryPressure.class);
    /** Closing segments early frees this share of the budget beyond the excess, so the next put does not close more. */
    private static final long RELIEF_MARGIN_DIVISOR = 16;

    private final MemoryBudget budget;
    private final PartitionWriters writers;
    private final Clock clock;
    private final long maxWaitMillis;
    private final BooleanSupplier storageFailed;
    private final LongSupplier dropSpareBuffers;
    private final String storage;
    private final int minSealBytes;

    /**
     * @param maxWaitMillis how long to wait for uploads before asking Connect to redeliver
     * @param storageFailed takes in what the pipeline reported; true if a storage failure means a rewind is due
     * @param dropSpareBuffers lets the pipeline's spare block buffers go; returns the bytes released
     * @param storage       the store's description, for messages
     * @param blockBytes    the block size the writers fill: blocks of a sixty-fourth of it (16 KiB at least) are
     *                      worth sealing early
     */
    MemoryPressure(MemoryBudget budget, PartitionWriters writers, Clock clock, long maxWaitMillis,
                   BooleanSupplier storageFailed, LongSupplier dropSpareBuffers, String storage, int blockBytes) {
        this.minSealBytes = minSealBytes(blockBytes);
        this.budget = budget;
        this.writers = writers;
        this.clock = clock;
        this.maxWaitMillis = maxWaitMillis;
        this.storageFailed = storageFailed;
        this.dropSpareBuffers = dropSpareBuffers;
        this.storage = storage;
    }

    /**
     * Returns once held memory fits the budget (true), or false if a storage failure surfaced meanwhile (the
     * caller rewinds).
     *
     * @throws RetriableException if uploads stay behind for the whole wait
     */
    boolean relieve() {
        long deadline = clock.millis() + maxWaitMillis;
        while (budget.held() > budget.limit()) {
            long left = deadline - clock.millis();
            if (left <= 0) {
                if (storageFailed.getAsBoolean()) {
                    return false;
                }
                throw new RetriableException("Uploads to " + storage + " are behind: " + budget.held()
                        + " bytes held against a buffer.memory.bytes budget of " + budget.limit()
                        + "; records will be delivered again shortly");
            }
            // Queued blocks free their memory as the pipeline compresses and uploads them: wait for that first.
            try {
                if (budget.awaitWithinLimit(Math.min(left, 1000))) {
                    return true;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                deadline = 0;
                continue;
            }
            if (budget.pipelineBusy()) {
                continue;
            }
            if (storageFailed.getAsBoolean()) {
                return false;
            }
            // Buffers kept for reuse hold nobody's data: they go before any block is sealed early.
            if (dropSpareBuffers.getAsLong() > 0) {
                continue;
            }
            long excess = budget.held() - budget.limit() + budget.limit() / RELIEF_MARGIN_DIVISOR;
            if (writers.sealLargestBlocks(excess, minSealBytes) > 0) {
                continue;
            }
            // What is left sits in small open blocks and unsent parts, which only closing their segments frees.
            if (writers.closeLargestSegments(excess) == 0) {
                log.warn("{} bytes held against a buffer.memory.bytes budget of {} with no segment open to close",
                        budget.held(), budget.limit());
                return true;
            }
        }
        return true;
    }

    /** The smallest open block sealed to relieve memory: small blocks compress poorly and gain little. */
    static int minSealBytes(int blockBytes) {
        return Math.max(16 * 1024, blockBytes / 64);
    }
}
