package dev.kbackup.sink;

import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Assigned partitions resume after the last offset storage holds, whoever wrote it. */
class PartitionResumerTest {

    private static final TopicPartition ORDERS_0 = new TopicPartition("orders", 0);
    private static final TopicPartition ORDERS_1 = new TopicPartition("orders", 1);
    private static final TopicPartition ORDERS_2 = new TopicPartition("orders", 2);

    @TempDir
    Path dir;

    @Test
    void waitingPartitionsResumeAfterWhatStorageHoldsAndStopWaiting() {
        try (WriterFixture earlierOwner = new WriterFixture(dir, 64L << 20);
             PartitionResumer resumer = new PartitionResumer(earlierOwner.catalog, "test-open")) {
            PartitionWriter writer = earlierOwner.open(ORDERS_0, -1);
            WriterFixture.records(0, 25).forEach(record -> writer.accept(record, 0));
            writer.roll();

            resumer.assigned(ORDERS_0);
            resumer.assigned(ORDERS_1);
            resumer.assigned(ORDERS_2);
            resumer.revoked(List.of(ORDERS_2));
            assertEquals(Set.of(ORDERS_0, ORDERS_1), resumer.waiting());

            Map<TopicPartition, Long> resumed = resumer.resumeWaiting();
            assertEquals(24L, resumed.get(ORDERS_0), "after the segment found in storage");
            assertEquals(-1L, resumed.get(ORDERS_1), "nothing stored yet");
            assertEquals(Set.of(ORDERS_0, ORDERS_1), resumed.keySet());
            assertFalse(resumer.hasWaiting());
            assertTrue(resumer.resumeWaiting().isEmpty());
        }
    }
}
