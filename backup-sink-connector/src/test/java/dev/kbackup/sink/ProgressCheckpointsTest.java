package dev.kbackup.sink;

import dev.kbackup.format.SegmentInfo;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Checkpoints record what each writer holds durably, and the completed segments, in the side-store. */
class ProgressCheckpointsTest {

    private static final TopicPartition ORDERS_0 = new TopicPartition("orders", 0);
    private static final TopicPartition ORDERS_1 = new TopicPartition("orders", 1);
    private static final StateStore.JobStatus JOB = new StateStore.JobStatus("b1", "backup", 0, "RUNNING", "host");

    @TempDir
    Path dir;

    @Test
    void aDueCheckpointRecordsEachProgressedWritersDurableOffsetAndTheSegmentsPendingPublication() {
        try (WriterFixture fixture = new WriterFixture(dir.resolve("bucket"), 64L << 20);
             StateStore state = StateStore.open(dir.resolve("task-0.db"))) {
            state.jobStarted(JOB, 0);
            List<Long> took = new ArrayList<>();
            ProgressCheckpoints checkpoints = new ProgressCheckpoints(state, JOB, 1_000, 0, took::add);
            PartitionWriter writer = fixture.open(ORDERS_0, -1);
            fixture.open(ORDERS_1, 6);
            checkpoints.progressed(ORDERS_1);
            WriterFixture.records(0, 20).forEach(record -> writer.accept(record, 0));
            writer.roll();
            fixture.drained().forEach(event -> checkpoints.segmentStored(event.partition(), event.segment()));

            checkpoints.checkpointIfDue(999, fixture.writers);
            assertEquals(List.of(), took, "not due before the interval");
            assertEquals(1, checkpoints.millisUntilNext(999));

            checkpoints.checkpointIfDue(1_000, fixture.writers);
            assertEquals(1, took.size());
            assertEquals(19, state.lastDurableOffset(ORDERS_0));
            assertEquals(6, state.lastDurableOffset(ORDERS_1));
            Map<TopicPartition, List<SegmentInfo>> pending = state.pendingSegments();
            assertEquals(List.of(19L), pending.get(ORDERS_0).stream().map(SegmentInfo::lastOffset).toList());
            assertEquals(1_000, checkpoints.millisUntilNext(1_000), "the next one is an interval later");
        }
    }
}
