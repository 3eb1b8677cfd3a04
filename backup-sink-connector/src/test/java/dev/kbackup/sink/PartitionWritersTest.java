package dev.kbackup.sink;

import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The questions the task asks all its writers at once. */
class PartitionWritersTest {

    private static final TopicPartition ORDERS_0 = new TopicPartition("orders", 0);
    private static final TopicPartition ORDERS_1 = new TopicPartition("orders", 1);
    private static final TopicPartition ORDERS_2 = new TopicPartition("orders", 2);

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
    void commitsOnePastEachWritersDurableOffsetNeverBeyondWhatWasConsumed() {
        fixture.open(ORDERS_0, 41);
        fixture.open(ORDERS_1, 9);
        fixture.open(ORDERS_2, -1);

        Map<TopicPartition, OffsetAndMetadata> committed = fixture.writers.committable(Map.of(
                ORDERS_0, new OffsetAndMetadata(100), ORDERS_1, new OffsetAndMetadata(5),
                ORDERS_2, new OffsetAndMetadata(7), new TopicPartition("refunds", 0), new OffsetAndMetadata(3)));

        assertEquals(Map.of(
                ORDERS_0, new OffsetAndMetadata(42, PartitionWriters.COMMIT_METADATA),
                ORDERS_1, new OffsetAndMetadata(5, PartitionWriters.COMMIT_METADATA)), committed,
                "nothing for a partition with nothing durable, nor for one the task does not own");
    }

    @Test
    void closesTheSegmentsHoldingTheMostUntilTheyCoverTheBytesAsked() {
        PartitionWriter small = fixture.open(ORDERS_0, -1);
        PartitionWriter large = fixture.open(ORDERS_1, -1);
        PartitionWriter middle = fixture.open(ORDERS_2, -1);
        small.accept(WriterFixture.record(0, 100), 0);
        large.accept(WriterFixture.record(0, 40_000), 0);
        middle.accept(WriterFixture.record(0, 20_000), 0);
        assertTrue(small.heldBytes() < middle.heldBytes() && middle.heldBytes() < large.heldBytes());

        assertEquals(2, fixture.writers.closeLargestSegments(large.heldBytes() + 1));
        assertEquals(PartitionWriter.State.IDLE, large.state());
        assertEquals(PartitionWriter.State.IDLE, middle.state());
        assertEquals(PartitionWriter.State.WRITING, small.state());
        assertEquals(1, fixture.writers.openSegments());
    }

    @Test
    void theNextWakeUpIsWhenTheOldestOpenSegmentIsDueToRoll() {
        PartitionWriter older = fixture.open(ORDERS_0, -1);
        PartitionWriter newer = fixture.open(ORDERS_1, -1);
        fixture.open(ORDERS_2, -1);
        assertEquals(-1, fixture.writers.millisUntilFirstRoll(0), "no segment open");

        older.accept(WriterFixture.records(0, 1).get(0), 1_000);
        newer.accept(WriterFixture.records(0, 1).get(0), 5_000);
        assertEquals(3_600_000 - 9_000, fixture.writers.millisUntilFirstRoll(10_000));

        fixture.writers.rollAged(3_601_000);
        assertEquals(PartitionWriter.State.IDLE, older.state());
        assertEquals(PartitionWriter.State.WRITING, newer.state());
    }

    @Test
    void seekingEveryPartitionAsksEachWhereItResumes() {
        PartitionWriter writer = fixture.open(ORDERS_0, 41);
        fixture.open(ORDERS_1, -1);
        WriterFixture.records(42, 5).forEach(record -> writer.accept(record, 0));
        writer.discard();

        assertEquals(Map.of(ORDERS_0, 42L, ORDERS_1, 0L), fixture.writers.seekAll());
        assertEquals(PartitionWriter.State.IDLE, writer.state(), "sought: ready to take records again");
    }
}
