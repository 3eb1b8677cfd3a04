package dev.kbackup.sink;

import dev.kbackup.format.Codec;
import dev.kbackup.format.SegmentInfo;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StateStoreTest {

    private static final TopicPartition ORDERS_1 = new TopicPartition("orders", 1);
    private static final StateStore.JobStatus JOB = new StateStore.JobStatus("b1", "backup", 0, "RUNNING", "host");

    @Test
    void checkpointRecordsProgressAndPendingSegmentsUntilPublished(@TempDir Path dir) {
        SegmentInfo segment = new SegmentInfo("b1/topics/orders/partition=1/segment-00000000000000000000.zst",
                "orders", 1, Codec.ZSTD, 0, 41, 42, 10, 20, 1000, 5000, 1234L, 1, 0);
        try (StateStore state = StateStore.open(dir.resolve("task-0.db"))) {
            state.jobStarted(JOB, 1);
            state.checkpoint(JOB, List.of(new StateStore.PartitionProgress(ORDERS_1, 41, segment.key(), 42)),
                    List.of(segment), 2);
            assertEquals(41, state.lastDurableOffset(ORDERS_1));
            assertEquals(-1, state.lastDurableOffset(new TopicPartition("orders", 2)));
            assertEquals(Map.of(ORDERS_1, List.of(segment)), state.pendingSegments());

            state.published(List.of(segment), 3, "b1", "backup", 0);
            assertTrue(state.pendingSegments().isEmpty());
        }
    }

    @Test
    void aSnapshotOpensAsACompleteSideStore(@TempDir Path dir) {
        Path snapshot = dir.resolve("copy.db");
        try (StateStore state = StateStore.open(dir.resolve("task-0.db"))) {
            state.jobStarted(JOB, 1);
            state.checkpoint(JOB, List.of(new StateStore.PartitionProgress(ORDERS_1, 7, null, 8)), List.of(), 2);
            state.snapshotTo(snapshot);
        }
        try (StateStore copy = StateStore.open(snapshot)) {
            assertEquals(7, copy.lastDurableOffset(ORDERS_1));
        }
    }
}
