package dev.kbackup.restore;

import org.apache.kafka.connect.source.SourceRecord;
import org.apache.kafka.connect.source.TransactionContext;
import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;

class TransactionBoundariesTest {

    private final AtomicLong nowMs = new AtomicLong(1_000);
    private final CountingContext context = new CountingContext();
    private final TransactionBoundaries boundaries = new TransactionBoundaries(context, nowMs::get);

    @Test
    void commitsAtEachSegmentEnd() {
        boundaries.afterBatch(false, false);
        assertEquals(0, context.commits);
        boundaries.afterBatch(true, false);
        boundaries.afterBatch(true, false);
        assertEquals(2, context.commits);
    }

    @Test
    void commitsWhenATransactionHasBeenOpenForTheLongestAllowedTime() {
        nowMs.addAndGet(TransactionBoundaries.MAX_TRANSACTION_MS - 1);
        boundaries.afterBatch(false, false);
        assertEquals(0, context.commits);
        nowMs.addAndGet(1);
        boundaries.afterBatch(false, false);
        assertEquals(1, context.commits);
        // the clock restarts at that commit
        nowMs.addAndGet(TransactionBoundaries.MAX_TRANSACTION_MS - 1);
        boundaries.afterBatch(false, false);
        assertEquals(1, context.commits);
    }

    @Test
    void commitsOnceAfterTheLastRecord() {
        boundaries.afterBatch(false, true);
        boundaries.afterBatch(false, true);
        boundaries.afterBatch(false, true);
        assertEquals(1, context.commits);
    }

    @Test
    void withoutConnectorDefinedTransactionsDoesNothing() {
        TransactionBoundaries none = new TransactionBoundaries(null, nowMs::get);
        none.afterBatch(true, true);
        assertEquals(0, context.commits);
    }

    private static final class CountingContext implements TransactionContext {
        int commits;

        @Override
        public void commitTransaction() {
            commits++;
        }

        @Override
        public void commitTransaction(SourceRecord record) {
            throw new AssertionError("commits after a batch, never after a given record");
        }

        @Override
        public void abortTransaction() {
            throw new AssertionError("never aborts");
        }

        @Override
        public void abortTransaction(SourceRecord record) {
            throw new AssertionError("never aborts");
        }
    }
}
