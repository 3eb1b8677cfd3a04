package dev.kbackup.restore;

import dev.kbackup.format.BackupRecord;
import dev.kbackup.format.Codec;
import dev.kbackup.format.SegmentInfo;
import dev.kbackup.format.TimeWindow;
import dev.kbackup.groups.StoredTranslationLog;
import dev.kbackup.layout.BackupLayout;
import dev.kbackup.layout.RestoreKeys;
import dev.kbackup.testing.RandomRecords;
import dev.kbackup.testing.MemoryObjectStore;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.LogCaptureAppender;
import org.apache.kafka.connect.source.SourceRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.function.IntToLongFunction;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AssignedPartitionsTest {

    private static final Instant EARLIER_RUN = Instant.parse("2026-11-20T08:00:00Z");
    private static final TimeWindow WINDOW = new TimeWindow(0, 2_000);

    private final MemoryObjectStore store = new MemoryObjectStore();
    private final TestBackups backups = TestBackups.in(store, "b1");
    private final SegmentPrefetcher prefetcher = new SegmentPrefetcher(store, 4 * 1024 * 1024, 2, "test",
            SegmentPrefetcher.NO_LISTENER);
    private final RestoreMetrics metrics = new RestoreMetrics(null, "test:");

    @AfterEach
    void close() {
        prefetcher.close();
        metrics.close();
    }

    @Test
    void partitionsThatAnEarlierRunRestoredInFullAreWarnedAboutAndShownInTheSummary() {
        AssignedPartitions restore = assignedPartitions(
                Clock.fixed(Instant.parse("2026-11-28T10:00:00Z"), ZoneOffset.UTC));
        List<BackupRecord> inWindow = records(0, 100, i -> 1_000 + i);
        List<BackupRecord> tailOutside = records(0, 100, i -> i < 50 ? 1_000 + i : 5_000);
        try (LogCaptureAppender logs = LogCaptureAppender.createAndRegister(AssignedPartitions.class)) {
            // orders-0: offsets say everything was restored; orders-1: only records outside the window are left
            restore.add(partition(restore, "orders", 0, inWindow, 99));
            restore.add(partition(restore, "orders", 1, tailOutside, 49));
            restore.add(partition(restore, "orders", 2, inWindow, -1));
            assertEquals(1, warnings(logs).size(), "orders-0 is known to be complete at once: " + warnings(logs));

            List<SourceRecord> produced = new ArrayList<>();
            while (!restore.everythingRead()) {
                restore.nextBatch(produced);
            }
            produced.forEach(record -> restore.acknowledged(record, null));
            RestoreSummary summary = restore.complete();

            assertEquals(100, produced.size());
            assertEquals(100, summary.recordsThisRun());
            assertEquals(2, summary.partitionsAlreadyRestored());
            assertEquals(2, restore.partitionsAlreadyRestored());
            assertEquals(List.of(true, true, false), summary.partitions().stream()
                    .map(RestoreSummary.PartitionSummary::alreadyRestored).toList());
            assertEquals(List.of(99L, 49L, -1L), summary.partitions().stream()
                    .map(RestoreSummary.PartitionSummary::resumedAfter).toList());
            assertTrue(summary.describe().contains("2 of 3 partitions had already been restored by an earlier run"),
                    summary.describe());
            assertTrue(summary.describe().contains("DELETE /connectors/restore-c/offsets"), summary.describe());
            List<String> warnings = warnings(logs);
            assertEquals(2, warnings.size(), "one warning per partition: " + warnings);
            assertTrue(warnings.get(0).contains("orders-0 of backup b1 was already restored by an earlier run"),
                    warnings.get(0));
            assertTrue(warnings.get(0).contains("original offsets up to 99 were restored into orders-0 (offset map "
                    + "last stored at " + EARLIER_RUN + ")"), warnings.get(0));
            assertTrue(warnings.get(0).contains("PUT /connectors/restore-c/stop"), warnings.get(0));
            assertTrue(warnings.get(1).contains("orders-1 of backup b1 was already restored"), warnings.get(1));
        }
    }

    @Test
    void aFollowingRestoreDoesNotCallAResumedPartitionWithNothingNewAlreadyRestored() {
        AssignedPartitions restore = assignedPartitions(Clock.systemUTC());
        restore.following();
        try (LogCaptureAppender logs = LogCaptureAppender.createAndRegister(AssignedPartitions.class)) {
            // the backup may publish more of orders-0 at any time: nothing left now is not "restored in full"
            restore.add(partition(restore, "orders", 0, records(0, 100, i -> 1_000 + i), 99));

            assertEquals(List.of(), warnings(logs));
        }
    }

    @Test
    void aRestoreWithoutEarlierRunsReportsNoPartitionAsAlreadyRestored() {
        AssignedPartitions restore = assignedPartitions(Clock.systemUTC());
        restore.add(partition(restore, "orders", 0, records(0, 10, i -> 1_000 + i), -1));
        List<SourceRecord> produced = new ArrayList<>();
        while (!restore.everythingRead()) {
            restore.nextBatch(produced);
        }
        produced.forEach(record -> restore.acknowledged(record, null));

        RestoreSummary summary = restore.complete();

        assertEquals(0, summary.partitionsAlreadyRestored());
        assertEquals(10, summary.recordsThisRun());
        assertFalse(summary.describe().contains("already been restored"), summary.describe());
    }

    @Test
    void acknowledgementsCountForTheirPartitionWhetherTheyCarryTheConvertersMapOrAnEqualOne() {
        AssignedPartitions restore = assignedPartitions(Clock.systemUTC());
        restore.add(partition(restore, "orders", 0, records(0, 10, i -> 1_000 + i), -1));
        restore.add(partition(restore, "orders", 1, records(0, 10, i -> 1_000 + i), -1));
        List<SourceRecord> produced = new ArrayList<>();
        while (!restore.everythingRead()) {
            restore.nextBatch(produced);
        }
        long target = 100;
        for (SourceRecord record : produced) {
            // every other record as if rebuilt with an equal source partition map of its own
            SourceRecord acknowledged = record.kafkaPartition() == 0 && RestoreOffsets.offset(record.sourceOffset())
                    % 2 == 0 ? record : new SourceRecord(new HashMap<>(record.sourcePartition()),
                    record.sourceOffset(), record.topic(), record.kafkaPartition(), record.keySchema(), record.key(),
                    record.valueSchema(), record.value(), record.timestamp(), record.headers());
            restore.acknowledged(acknowledged, new RecordMetadata(new TopicPartition(record.topic(),
                    record.kafkaPartition()), target++, 0, 0, -1, -1));
        }

        RestoreSummary summary = restore.complete();

        assertEquals(20, produced.size());
        assertEquals(List.of(10L, 10L), summary.partitions().stream().map(RestoreSummary.PartitionSummary::records)
                .toList());
        assertEquals(List.of(9L, 9L), summary.partitions().stream()
                .map(RestoreSummary.PartitionSummary::lastOffset).toList());
        assertEquals(produced.stream().filter(r -> r.kafkaPartition() == 0).mapToLong(AssignedPartitions::sizeOf)
                .sum(), summary.partitions().get(0).bytes());
    }

    @Test
    void recordsWaitingForTheProducerAreHeldBackAtTheLimitUntilAcknowledged() throws InterruptedException {
        List<BackupRecord> records = records(0, 40, i -> 1_000 + i);
        long limit = 5 * records.get(0).payloadBytes();
        AssignedPartitions restore = assignedPartitions(Clock.systemUTC(), limit);
        // without original-position headers a record's size is its payload, the measure the limit is set in
        restore.add(partition(restore, "orders", 0, records, -1, false));

        List<SourceRecord> first = new ArrayList<>();
        while (first.isEmpty()) {
            restore.nextBatch(first);
        }
        long handedOut = first.stream().mapToLong(AssignedPartitions::sizeOf).sum();
        assertTrue(first.size() < records.size() && handedOut >= limit && handedOut - AssignedPartitions.sizeOf(
                first.get(first.size() - 1)) < limit, first.size() + " records, " + handedOut + " bytes for a limit of "
                + limit);
        // the producer acknowledged nothing yet: nothing more goes out, however often Connect polls
        assertTrue(restore.nextBatch(new ArrayList<>()).isEmpty());
        assertFalse(restore.awaitProducer(0));

        first.forEach(record -> restore.acknowledged(record, null));
        assertTrue(restore.awaitProducer(0));
        List<SourceRecord> next = restore.nextBatch(new ArrayList<>());
        assertFalse(next.isEmpty(), "room again once the producer acknowledged the records");
        assertEquals(first.size(), RestoreOffsets.offset(next.get(0).sourceOffset()), "continues where it stopped");
        long unacknowledged = next.stream().mapToLong(AssignedPartitions::sizeOf).sum();
        assertTrue(next.size() < records.size() - first.size() && unacknowledged - AssignedPartitions.sizeOf(
                next.get(next.size() - 1)) < limit, unacknowledged + " bytes unacknowledged for a limit of " + limit);
    }

    private AssignedPartitions assignedPartitions(Clock clock) {
        return assignedPartitions(clock, Long.MAX_VALUE);
    }

    private AssignedPartitions assignedPartitions(Clock clock, long inFlightBytes) {
        return new AssignedPartitions(new RestoreTaskId("b1", "restore-c", 0),
                new RestorePolicy(WINDOW, CorruptSegmentPolicy.FAIL, 1000, Throttle.unlimited(), inFlightBytes),
                metrics,
                new RestoreObjects(store, new RestoreKeys(new BackupLayout("b1"), "restore-c")), clock,
                Duration.ofSeconds(10));
    }

    private AssignedPartitions.Partition partition(AssignedPartitions restore, String topic, int partition,
                                                   List<BackupRecord> records, long resumeAfter) {
        return partition(restore, topic, partition, records, resumeAfter, true);
    }

    private AssignedPartitions.Partition partition(AssignedPartitions restore, String topic, int partition,
                                                   List<BackupRecord> records, long resumeAfter,
                                                   boolean originalHeaders) {
        List<SegmentInfo> segments = backups.partition(topic, partition, records, Codec.LZ4, 1_000, 4096);
        TopicPartition source = new TopicPartition(topic, partition);
        PartitionPlan plan = new PartitionPlan(source, source, segments);
        StoredTranslationLog earlierMap = resumeAfter < 0 ? null : new StoredTranslationLog("b1", topic, partition,
                topic, partition, EARLIER_RUN, resumeAfter + 1, 0, 0, resumeAfter,
                List.of(new StoredTranslationLog.Sync(0, 0)), List.of());
        return new AssignedPartitions.Partition(
                new PartitionRestorer("b1", plan, prefetcher, resumeAfter, WINDOW, CorruptSegmentPolicy.FAIL, restore),
                new SourceRecordConverter("b1", source, source, WINDOW, originalHeaders),
                OffsetTranslationLog.resume("b1", source, source, earlierMap, resumeAfter),
                resumeAfter < 0 ? null : new AssignedPartitions.EarlierRun(resumeAfter, EARLIER_RUN));
    }

    private static List<BackupRecord> records(int from, int count, IntToLongFunction timestamp) {
        List<BackupRecord> records = new ArrayList<>();
        for (int i = from; i < from + count; i++) {
            records.add(new RandomRecords(i).record(i, timestamp.applyAsLong(i)));
        }
        return records;
    }

    private static List<String> warnings(LogCaptureAppender logs) {
        return logs.getMessages("WARN");
    }
}
