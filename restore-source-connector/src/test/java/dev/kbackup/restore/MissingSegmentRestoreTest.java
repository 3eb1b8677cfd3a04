package dev.kbackup.restore;

import dev.kbackup.format.BackupRecord;
import dev.kbackup.format.Codec;
import dev.kbackup.format.SegmentInfo;
import dev.kbackup.format.TimeWindow;
import dev.kbackup.layout.BackupCatalog;
import dev.kbackup.layout.MissingOffsets;
import dev.kbackup.testing.RandomRecords;
import dev.kbackup.testing.MemoryObjectStore;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A backup whose catalog lost a segment's entry (the object is still stored, below the index's highest key, so
 * recovery does not find it): the restore plans the partition from the catalog and must not skip the segment's
 * offsets silently.
 */
class MissingSegmentRestoreTest {

    private static final TopicPartition ORDERS_0 = new TopicPartition("orders", 0);

    private final MemoryObjectStore store = new MemoryObjectStore();
    private final TestBackups backups = TestBackups.in(store, "b1");
    private final List<BackupRecord> records = new RandomRecords(4).records(0, 2000);
    private final List<SegmentInfo> segments = new ArrayList<>();
    private final List<SegmentPrefetcher> prefetchers = new ArrayList<>();

    @BeforeEach
    void backupWithALostIndexEntry() {
        for (int from = 0; from < records.size(); from += 500) {
            long coversFrom = segments.isEmpty() ? -1 : segments.get(segments.size() - 1).lastOffset() + 1;
            segments.add(backups.segment("orders", 0, records.subList(from, from + 500), Codec.ZSTD, 8 * 1024,
                    coversFrom));
        }
        backups.index("orders", 0, List.of(segments.get(0), segments.get(1), segments.get(3)));
        backups.publish();
    }

    @AfterEach
    void closePrefetchers() {
        prefetchers.forEach(SegmentPrefetcher::close);
    }

    @Test
    void underTheFailPolicyTheTaskStopsNamingTheMissingOffsetsAndTheSegmentsAroundThem() {
        PartitionPlan plan = plan();

        UnreadableSegmentException error = assertThrows(UnreadableSegmentException.class,
                () -> restorer(plan, -1, CorruptSegmentPolicy.FAIL, new Recorder()));

        String message = error.getMessage();
        long first = segments.get(1).lastOffset() + 1;
        long last = segments.get(3).coversFrom() - 1;
        assertTrue(message.contains("backup b1") && message.contains("orders-0")
                && message.contains("offsets " + first + ".." + last)
                && message.contains(segments.get(1).key()) && message.contains(segments.get(3).key())
                && message.contains(RestoreConfig.CORRUPT_SEGMENT_POLICY + "=skip"), message);
    }

    @Test
    void underTheSkipPolicyEverythingElseIsRestoredAndTheMissingOffsetsAreReported() {
        Recorder recorder = new Recorder();
        PartitionRestorer restorer = restorer(plan(), -1, CorruptSegmentPolicy.SKIP, recorder);

        List<BackupRecord> restored = new ArrayList<>();
        while (!restorer.isDone()) {
            restorer.drainTo(restored, 100, Long.MAX_VALUE);
        }

        assertEquals(1, recorder.missing.size());
        assertEquals(segments.get(1).lastOffset() + 1, recorder.missing.get(0).firstOffset());
        assertEquals(segments.get(3).coversFrom() - 1, recorder.missing.get(0).lastOffset());
        List<BackupRecord> expected = new ArrayList<>(records.subList(0, 1000));
        expected.addAll(records.subList(1500, 2000));
        assertEquals(expected, restored);
    }

    @Test
    void aTaskResumingPastTheMissingOffsetsDoesNotReportThemAgain() {
        Recorder recorder = new Recorder();
        restorer(plan(), segments.get(3).firstOffset(), CorruptSegmentPolicy.FAIL, recorder);
        assertEquals(List.of(), recorder.missing);
    }

    private PartitionPlan plan() {
        TargetRouter identity = new TargetRouter(TopicRenames.IDENTITY, PartitionRoutes.NONE);
        List<PartitionPlan> plans = RestorePlan.load(new BackupCatalog(store, backups.layout()), List.of(ORDERS_0),
                identity, TimeWindow.ALL);
        assertEquals(3, plans.get(0).segments().size(), "the lost segment is not found again");
        return plans.get(0);
    }

    private PartitionRestorer restorer(PartitionPlan plan, long resumeAfter, CorruptSegmentPolicy policy,
                                       Recorder recorder) {
        SegmentPrefetcher prefetcher = new SegmentPrefetcher(store, 4 << 20, 2, "test-prefetch",
                SegmentPrefetcher.NO_LISTENER);
        prefetchers.add(prefetcher);
        return new PartitionRestorer("b1", plan, prefetcher, resumeAfter, TimeWindow.ALL, policy, recorder);
    }

    private static final class Recorder implements PartitionRestorer.Listener {
        final List<MissingOffsets> missing = new ArrayList<>();

        @Override
        public void skippedByWindow(long records) {
        }

        @Override
        public void segmentSkipped(PartitionPlan plan, SegmentInfo segment, RuntimeException cause,
                                   long firstMissing) {
            throw new AssertionError("no segment is unreadable here: " + segment.key(), cause);
        }

        @Override
        public void offsetsMissing(PartitionPlan plan, MissingOffsets range) {
            missing.add(range);
        }
    }
}
