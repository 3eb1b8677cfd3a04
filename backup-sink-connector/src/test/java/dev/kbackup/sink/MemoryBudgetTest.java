package dev.kbackup.sink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

class MemoryBudgetTest {

    @Test
    void everyHeldByteIsCountedOnceWhereverItSits() throws Exception {
        MemoryBudget budget = new MemoryBudget(100);
        budget.openBlocksChanged(70);
        budget.add(20);
        assertEquals(90, budget.held());
        assertFalse(budget.exceeded());

        budget.add(30);
        assertTrue(budget.exceeded(), "120 bytes: open blocks and pipeline together are over the limit");
        budget.openBlocksChanged(-70);
        budget.release(50);
        assertEquals(0, budget.held());
        assertEquals(120, budget.highWater(), "the most ever seen at a check");
        assertTrue(budget.awaitWithinLimit(0), "nothing held: within the limit without waiting");
    }

    @Test
    void waitingEndsWhenThePipelineReleasesEnough() throws Exception {
        MemoryBudget budget = new MemoryBudget(100);
        budget.add(80);
        budget.workQueued();
        CompletableFuture<Boolean> waited = CompletableFuture.supplyAsync(() -> await(budget, 50, 30_000));
        Thread.sleep(100);
        assertFalse(waited.isDone(), "still above 50 bytes with work queued");
        budget.release(40);
        assertTrue(waited.get(10, TimeUnit.SECONDS));
    }

    @Test
    void waitingEndsWhenThePipelineRunsOutOfWork() throws Exception {
        MemoryBudget budget = new MemoryBudget(100);
        budget.add(80);
        budget.workQueued();
        assertTrue(budget.pipelineBusy());
        CompletableFuture<Boolean> waited = CompletableFuture.supplyAsync(() -> await(budget, 50, 30_000));
        Thread.sleep(100);
        assertFalse(waited.isDone());
        budget.workDone();
        // Idle with 80 bytes still held (unsent parts of open segments): waiting longer would free nothing.
        assertFalse(waited.get(10, TimeUnit.SECONDS));
        assertFalse(budget.pipelineBusy());
    }

    @Test
    void waitingGivesUpAtTheTimeout() throws Exception {
        MemoryBudget budget = new MemoryBudget(100);
        budget.add(80);
        budget.workQueued();
        long start = System.nanoTime();
        assertFalse(budget.awaitPipelineAtMost(50, 200));
        assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(190));
    }

    private static boolean await(MemoryBudget budget, long bytes, long timeoutMillis) {
        try {
            return budget.awaitPipelineAtMost(bytes, timeoutMillis);
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }
}
