package dev.kbackup.restore;

import dev.kbackup.format.BackupRecord;
import dev.kbackup.format.Codec;
import dev.kbackup.format.SegmentInfo;
import dev.kbackup.format.TimeWindow;
import dev.kbackup.layout.BackupCatalog;
import dev.kbackup.layout.CatalogRetention;
import dev.kbackup.layout.MissingOffsets;
import dev.kbackup.testing.MemoryObjectStore;
import dev.kbackup.testing.RandomRecords;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A restore planned a segment that retention then expired and deleted: the task says it expired by retention, and
 * when, instead of a generic not-found; a restore planned afterwards does not plan it at all.
 */
class ExpiredSegmentRestoreTest {

    private static final TopicPartition ORDERS_0 = new TopicPartition("orders", 0);
    private static final TargetRouter IDENTITY = new TargetRouter(TopicRenames.IDENTITY, PartitionRoutes.NONE);

    private final MemoryObjectStore store = new MemoryObjectStore();
    private final TestBackups backups = TestBackups.in(store, "b1");
    private final List<SegmentPrefetcher> prefetchers = new ArrayList<>();

    @AfterEach
    void closePrefetchers() {
        prefetchers.forEach(SegmentPrefetcher::close);
    }

    @Test
    void aPlannedSegmentDeletedByRetentionIsReportedAsExpiredWithItsTime() {
        List<BackupRecord> records = sortedByTime(new RandomRecords(9).records(0, 1500));
        List<SegmentInfo> segments = new ArrayList<>();
        for (int from = 0; from < records.size(); from += 500) {
            long coversFrom = segments.isEmpty() ? -1 : segments.get(segments.size() - 1).lastOffset() + 1;
            segments.add(backups.segment("orders", 0, records.subList(from, from + 500), Codec.ZSTD, 8 * 1024,
                    coversFrom));
        }
        backups.index("orders", 0, segments);
        backups.publish();
        BackupCatalog catalog = new BackupCatalog(store, backups.layout());
        PartitionPlan planned = RestorePlan.load(catalog, List.of(ORDERS_0), IDENTITY, TimeWindow.ALL).get(0);

        // the first segment's newest record is a day older than "now": it expires, and with no grace is deleted
        Instant now = Instant.ofEpochMilli(segments.get(0).maxTimestamp() + 1).plus(Duration.ofDays(1));
        CatalogRetention.Outcome outcome = catalog.expire("orders", 0, Duration.ofDays(1), Duration.ZERO, now);
        assertEquals(1, outcome.segmentsDeleted());

        PartitionRestorer restorer = restorer(planned, catalog);
        UnreadableSegmentException error = assertThrows(UnreadableSegmentException.class, () -> {
            List<BackupRecord> sink = new ArrayList<>();
            while (!restorer.isDone()) {
                restorer.drainTo(sink, 100, Long.MAX_VALUE);
            }
        });
        assertTrue(error.getMessage().contains("segment " + segments.get(0).key() + " (offsets 0..499")
                && error.getMessage().contains("expired by retention at " + now)
                && error.getMessage().contains("backup b1"), error.getMessage());

        PartitionPlan replanned = RestorePlan.load(catalog, List.of(ORDERS_0), IDENTITY, TimeWindow.ALL).get(0);
        assertEquals(List.of(segments.get(1).key(), segments.get(2).key()),
                replanned.segments().stream().map(SegmentInfo::key).toList(), "expired segments leave the plan");
        assertEquals(List.of(), replanned.missing(), "what retention removed before the rest is not a gap");
        List<BackupRecord> restored = new ArrayList<>();
        PartitionRestorer after = restorer(replanned, catalog);
        while (!after.isDone()) {
            after.drainTo(restored, 100, Long.MAX_VALUE);
        }
        assertEquals(records.subList(500, 1500), restored, "what remains restores exactly");
    }

    /** Records renumbered in timestamp order, so that segments cover consecutive time ranges. */
    private static List<BackupRecord> sortedByTime(List<BackupRecord> records) {
        List<BackupRecord> byTime = new ArrayList<>(records);
        byTime.sort((a, b) -> Long.compare(a.timestamp(), b.timestamp()));
        List<BackupRecord> renumbered = new ArrayList<>();
        for (int i = 0; i < byTime.size(); i++) {
            BackupRecord r = byTime.get(i);
            renumbered.add(new BackupRecord(i, r.timestamp(), r.timestampKind(), r.key(), r.value(), r.headers()));
        }
        return renumbered;
    }

    private PartitionRestorer restorer(PartitionPlan plan, BackupCatalog catalog) {
        SegmentPrefetcher prefetcher = new SegmentPrefetcher(store, 4 << 20, 2, "test-prefetch",
                SegmentPrefetcher.NO_LISTENER);
        prefetchers.add(prefetcher);
        return new PartitionRestorer("b1", plan, prefetcher, -1, TimeWindow.ALL, CorruptSegmentPolicy.FAIL,
                new NoListener(), segment -> catalog.retention("orders", 0)
                        .filter(mark -> mark.expires(segment.maxTimestamp())));
    }

    private static final class NoListener implements PartitionRestorer.Listener {
        @Override
        public void skippedByWindow(long records) {
        }

        @Override
        public void segmentSkipped(PartitionPlan plan, SegmentInfo segment, RuntimeException cause,
                                   long firstMissing) {
        }

        @Override
        public void offsetsMissing(PartitionPlan plan, MissingOffsets range) {
        }
    }
}
