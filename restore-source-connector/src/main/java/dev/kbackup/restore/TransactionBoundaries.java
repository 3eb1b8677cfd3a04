package dev.kbackup.restore;

import org.apache.kafka.connect.source.TransactionContext;

import java.util.function.LongSupplier;

/**
 * Where a task's transactions end when the connector defines them (exactly-once source support): at segment ends,
 * after {@link #MAX_TRANSACTION_MS}, and once after the last record. Without connector-defined transactions it
 * does nothing.
 */
final class TransactionBoundaries {

    /** A transaction also ends after this long, so a throttled restore of a big segment never times it out. */
    static final long MAX_TRANSACTION_MS = 10_000;

    private final TransactionContext transactions;
    private final LongSupplier clockMs;
    private long startedMs;
    private boolean finalCommitRequested;

    /** @param transactions Connect's transaction context, null when the worker does not hand one out */
    TransactionBoundaries(TransactionContext transactions, LongSupplier clockMs) {
        this.transactions = transactions;
        this.clockMs = clockMs;
        this.startedMs = clockMs.getAsLong();
    }

    /**
     * Called once per poll, after the batch is taken: asks Connect to commit after that batch (or at once if the
     * poll returns nothing) when a boundary was reached.
     */
    void afterBatch(boolean segmentEnded, boolean everythingRead) {
        if (transactions == null) {
            return;
        }
        long now = clockMs.getAsLong();
        boolean boundary = segmentEnded || now - startedMs >= MAX_TRANSACTION_MS;
        boolean last = everythingRead && !finalCommitRequested;
        if (boundary || last) {
            transactions.commitTransaction();
            startedMs = now;
            finalCommitRequested |= last;
        }
    }
}
