package dev.kbackup.format;

import dev.kbackup.memory.HeapCost;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BlockEncoderTest {

    private static final int TARGET = 1024 * 1024;

    @Test
    void aBlockCutAtItsTargetHoldsLittleMoreThanTheTargetNotTwice() {
        BlockEncoder encoder = new BlockEncoder(TARGET);
        fillToTarget(encoder);
        RawBlock block = encoder.seal();
        assertTrue(block.data().length <= TARGET + 64 * 1024, "buffer of " + block.data().length + " bytes");
    }

    @Test
    void aRecycledBufferCarriesTheNextBlock() {
        BlockEncoder encoder = new BlockEncoder(TARGET);
        encoder.append(record(0, 1100));
        RawBlock first = encoder.seal();
        encoder.recycle(first.data());
        encoder.append(record(1, 1100));
        assertSame(first.data(), encoder.seal().data());
    }

    @Test
    void afterAFullBlockTheNextStartsAtFullSizeAndAfterAShortOneItGrowsAgain() {
        BlockEncoder encoder = new BlockEncoder(TARGET);
        long offset = fillToTarget(encoder);
        encoder.seal();
        assertTrue(encoder.startsFullBlock());

        encoder.append(record(offset++, 1100));
        assertEquals(HeapCost.ofArray(BlockEncoder.fullBufferBytes(TARGET)), encoder.retainedBytes(),
                "a busy partition's next block does not grow from 16 KiB, copying on the way");

        encoder.seal(); // short of the target: a quiet partition
        assertFalse(encoder.startsFullBlock());
        encoder.append(record(offset, 1100));
        assertEquals(HeapCost.ofArray(16 * 1024), encoder.retainedBytes());
    }

    @Test
    void aDroppedBlockLeavesNoFullSizeStart() {
        BlockEncoder encoder = new BlockEncoder(TARGET);
        fillToTarget(encoder);
        encoder.seal();
        encoder.clear();
        assertFalse(encoder.startsFullBlock());
    }

    /** Appends records of about 1.1 KB from offset 0 until the block reaches its target; returns the next offset. */
    private static long fillToTarget(BlockEncoder encoder) {
        long offset = 0;
        while (encoder.sizeInBytes() < TARGET) {
            encoder.append(record(offset++, 1100));
        }
        return offset;
    }

    private static BackupRecord record(long offset, int valueBytes) {
        return new BackupRecord(offset, 1_000 + offset, TimestampKind.CREATE_TIME, "key".getBytes(),
                new byte[valueBytes], List.of(BackupHeader.utf8("trace-id", "abc")));
    }
}
