package dev.kbackup.sink;

import dev.kbackup.format.BlockEncoder;
import dev.kbackup.memory.HeapCost;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Buffers kept for reuse stay counted in the budget, are bounded, and go when dropped. */
class SpareBlockBuffersTest {

    private static final int BLOCK_BYTES = 1 << 20;
    private static final int FULL = BlockEncoder.fullBufferBytes(BLOCK_BYTES);
    private static final long COST = HeapCost.ofArray(FULL);

    @Test
    void aKeptBufferStaysCountedUntilAWriterTakesIt() {
        MemoryBudget budget = budgetWithQueuedBlocks(64 * COST, 1);
        SpareBlockBuffers spares = new SpareBlockBuffers(budget, BLOCK_BYTES);
        byte[] buffer = new byte[FULL];

        assertTrue(spares.keep(buffer));
        assertEquals(COST, budget.pipelineBytes());

        assertSame(buffer, spares.take());
        assertEquals(0, budget.pipelineBytes(), "the writer counts it from now on");
        assertNull(spares.take());
    }

    @Test
    void onlyFullBlockBuffersAreKeptAndAtMostFourOrASixteenthOfTheBudget() {
        SpareBlockBuffers roomy = new SpareBlockBuffers(new MemoryBudget(1024 * COST), BLOCK_BYTES);
        assertFalse(roomy.keep(new byte[16 * 1024]), "a short block's buffer would not fit a busy partition's block");
        for (int i = 0; i < 4; i++) {
            assertTrue(roomy.keep(new byte[FULL]));
        }
        assertFalse(roomy.keep(new byte[FULL]));

        SpareBlockBuffers tight = new SpareBlockBuffers(new MemoryBudget(32 * COST), BLOCK_BYTES);
        assertTrue(tight.keep(new byte[FULL]));
        assertTrue(tight.keep(new byte[FULL]));
        assertFalse(tight.keep(new byte[FULL]), "two buffers are a sixteenth of this budget");

        SpareBlockBuffers small = new SpareBlockBuffers(new MemoryBudget(8 * COST), BLOCK_BYTES);
        assertFalse(small.keep(new byte[FULL]), "with a budget under 16 buffers nothing is kept");
    }

    @Test
    void droppingReleasesEveryKeptBuffer() {
        MemoryBudget budget = budgetWithQueuedBlocks(64 * COST, 3);
        SpareBlockBuffers spares = new SpareBlockBuffers(budget, BLOCK_BYTES);
        for (int i = 0; i < 3; i++) {
            spares.keep(new byte[FULL]);
        }

        assertEquals(3 * COST, spares.drop());
        assertEquals(0, budget.pipelineBytes());
        assertEquals(0, spares.size());
        assertEquals(0, spares.drop());
    }

    /** A budget counting {@code blocks} full blocks the pipeline holds, as it does before their buffers are kept. */
    private static MemoryBudget budgetWithQueuedBlocks(long limit, int blocks) {
        MemoryBudget budget = new MemoryBudget(limit);
        budget.add(blocks * COST);
        return budget;
    }
}
