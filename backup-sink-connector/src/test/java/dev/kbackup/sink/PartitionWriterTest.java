package dev.kbackup.sink;

import dev.kbackup.format.BackupHeader;
import dev.kbackup.format.BackupRecord;
import dev.kbackup.format.BlockEncoder;
import dev.kbackup.format.TimestampKind;
import dev.kbackup.memory.HeapCost;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.AbstractList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** One partition's writer: its states, its durable offset and the bytes it reports, driven directly. */
class PartitionWriterTest {

    private static final TopicPartition ORDERS_0 = new TopicPartition("orders", 0);

    @TempDir
    Path dir;
    private WriterFixture fixture;

    @BeforeEach
    void setUp() {
        fixture = new WriterFixture(dir, 64L << 20);
    }

    @AfterEach
    void tearDown() {
        fixture.close();
    }

    @Test
    void aWriterIsIdleUntilARecordOpensASegmentAndIdleAgainOnceItIsRolled() {
        PartitionWriter writer = fixture.open(ORDERS_0, -1);
        assertEquals(PartitionWriter.State.IDLE, writer.state());
        assertEquals(-1, writer.millisUntilRoll(0), "no segment is open, none is due to roll");

        assertTrue(writer.accept(WriterFixture.records(0, 1).get(0), 1_000));
        assertEquals(PartitionWriter.State.WRITING, writer.state());
        assertEquals(3_600_000 - 500, writer.millisUntilRoll(1_500));

        writer.roll();
        assertEquals(PartitionWriter.State.IDLE, writer.state());
        assertEquals(0, writer.durableOffset(), "the pipeline told the writer its segment is stored");
        assertEquals(1, writer.resumeOffset());
    }

    @Test
    void aBusyPartitionsNextBlockIsEncodedIntoTheBufferThePipelineWroteOut() {
        PartitionWriter writer = fixture.open(ORDERS_0, -1);
        long fullBuffer = HeapCost.ofArray(BlockEncoder.fullBufferBytes(WriterFixture.BLOCK_BYTES));
        long offset = 0;
        do {
            writer.accept(WriterFixture.record(offset++, 1_100), 0);
        } while (writer.openBlockBytes() > 0);
        // the pipeline ran at once: the block is compressed into the segment, its buffer kept and still counted
        assertEquals(fullBuffer, fixture.budget.pipelineBytes());

        writer.accept(WriterFixture.record(offset, 1_100), 0);

        assertEquals(0, fixture.budget.pipelineBytes(), "the writer took the kept buffer");
        assertEquals(fullBuffer, writer.openBlockBytes());
        assertEquals(fullBuffer, fixture.budget.held(), "counted once, as the writer's open block");
    }

    @Test
    void theDurableOffsetIsWhatStorageHoldsNotWhatWasAccepted() throws Exception {
        PartitionWriter writer = fixture.open(ORDERS_0, 9);
        WriterFixture.records(10, 20).forEach(record -> writer.accept(record, 0));
        assertEquals(9, writer.durableOffset(), "accepted records are not durable until their segment completes");
        assertEquals(30, writer.resumeOffset());

        writer.roll();
        assertEquals(29, writer.durableOffset());
        assertEquals(List.of(PipelineEvent.Kind.COMPLETED), fixture.drained().stream().map(PipelineEvent::kind)
                .toList());
        assertEquals(29, fixture.catalog.recover("orders", 0).lastOffset(), "storage says the same");
    }

    @Test
    void theDurableOffsetOnlyGrowsWhicheverThreadReportsIt() throws Exception {
        PartitionWriter writer = fixture.open(ORDERS_0, 4);
        Thread pipelineThread = new Thread(() -> writer.markDurable(50));
        pipelineThread.start();
        pipelineThread.join();
        writer.markDurable(20);

        assertEquals(50, writer.durableOffset());
        assertEquals(51, writer.resumeOffset(), "another writer stored up to 50: resume after it");
        assertFalse(writer.accept(WriterFixture.records(50, 1).get(0), 0), "offset 50 is already stored");
    }

    @Test
    void discardingDropsWhatIsNotDurableAndWaitsForTheSeekBeforeTakingRecordsAgain() {
        PartitionWriter writer = fixture.open(ORDERS_0, -1);
        List<BackupRecord> records = WriterFixture.records(0, 40);
        records.subList(0, 20).forEach(record -> writer.accept(record, 0));
        writer.roll();
        records.subList(20, 40).forEach(record -> writer.accept(record, 0));

        writer.discard();
        assertEquals(PartitionWriter.State.AWAITING_REWIND, writer.state());
        assertEquals(0, fixture.budget.openBlockBytes(), "the dropped open block was reported to the budget");
        assertEquals(20, writer.resumeOffset(), "back to the first offset not stored");
        IllegalStateException early = assertThrows(IllegalStateException.class,
                () -> writer.accept(records.get(20), 0));
        assertTrue(early.getMessage().contains("orders-0") && early.getMessage().contains("offset 20"),
                early.getMessage());

        writer.sought();
        assertEquals(PartitionWriter.State.IDLE, writer.state());
        assertTrue(writer.accept(records.get(20), 0));
        assertEquals(PartitionWriter.State.WRITING, writer.state());
    }

    @Test
    void theFirstRecordAfterASeekBelowTheSoughtOffsetMeansTheLogStartedOver() {
        PartitionWriter writer = fixture.open(ORDERS_0, 99);
        IllegalStateException truncated = assertThrows(IllegalStateException.class,
                () -> writer.checkFirstAfterSeek(0));
        assertTrue(truncated.getMessage().contains("offset 0 of orders-0")
                && truncated.getMessage().contains("sought to offset 100"), truncated.getMessage());

        writer.checkFirstAfterSeek(0);   // only the first delivery after a seek is checked
        writer.sought();
        writer.checkFirstAfterSeek(100); // at the sought offset: fine
    }

    @Test
    void everyOpenBlockByteIsCountedInTheBudgetUntilItIsHandedOn() {
        PartitionWriter writer = fixture.open(ORDERS_0, -1);
        WriterFixture.records(0, 3).forEach(record -> writer.accept(record, 0));
        assertTrue(fixture.budget.openBlockBytes() > 0);
        assertEquals(fixture.budget.openBlockBytes(), writer.heldBytes(), "the pipeline holds nothing yet");
        assertEquals(fixture.budget.held(), writer.heldBytes());

        writer.roll();
        assertEquals(0, fixture.budget.held(), "the completed segment released every byte");
        assertEquals(0, writer.heldBytes());
    }

    @Test
    void aFailureWhileTakingARecordDropsTheHalfWrittenBlock() {
        PartitionWriter writer = fixture.open(ORDERS_0, -1);
        WriterFixture.records(0, 3).forEach(record -> writer.accept(record, 0));
        List<BackupHeader> unreadable = new AbstractList<>() {
            @Override
            public BackupHeader get(int index) {
                throw new IllegalStateException("header " + index + " cannot be read");
            }

            @Override
            public int size() {
                throw new IllegalStateException("headers cannot be read");
            }
        };
        BackupRecord broken = new BackupRecord(3, 0, TimestampKind.CREATE_TIME, null, null, unreadable);
        assertThrows(IllegalStateException.class, () -> writer.accept(broken, 0));

        assertEquals(PartitionWriter.State.AWAITING_REWIND, writer.state());
        assertEquals(0, fixture.budget.held());
        writer.roll();
        assertTrue(fixture.drained().isEmpty(), "nothing of the half-written segment was stored");
    }
}
