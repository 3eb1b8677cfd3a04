package dev.kbackup.restore;

import dev.kbackup.format.BackupRecord;
import dev.kbackup.format.Codec;
import dev.kbackup.format.SegmentInfo;
import dev.kbackup.format.TimeWindow;
import dev.kbackup.layout.BackupCatalog;
import dev.kbackup.testing.CountingStore;
import dev.kbackup.testing.MemoryObjectStore;
import dev.kbackup.testing.RandomRecords;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Follow mode without Connect: a backup that gains segments after the restore planned, a follower that picks them up
 * at its poll interval reading only the new catalog objects, and a restorer that hands them out in offset order.
 */
class BackupFollowerTest {

    private static final TopicPartition ORDERS_0 = new TopicPartition("orders", 0);
    private static final long INTERVAL_MS = 5_000;

    private final CountingStore store = new CountingStore(new MemoryObjectStore());
    private final TestBackups backups = TestBackups.in(store, "b1");
    private final BackupCatalog catalog = new BackupCatalog(store, backups.layout());
    private final List<BackupRecord> records = new RandomRecords(7).records(0, 1_000);
    private final AtomicLong clock = new AtomicLong(1_000_000);
    private final SegmentPrefetcher prefetcher = new SegmentPrefetcher(store, 4 * 1024 * 1024, 2, "test-follow",
            SegmentPrefetcher.NO_LISTENER);
    private final List<String> missing = new ArrayList<>();
    private PartitionRestorer restorer;
    private PartitionFollower partition;
    private BackupFollower follower;

    @AfterEach
    void close() {
        prefetcher.close();
    }

    @Test
    void picksUpSegmentsPublishedLaterReadingOnlyWhatChangedInOffsetOrder() {
        publishSegments(0, 300, 100);
        startFollowing();
        List<BackupRecord> restored = acknowledged(drain());
        assertEquals(records.subList(0, 300), restored);
        assertEquals(0, follower.lagRecords());

        publishSegments(300, 400, 100);
        publishSegments(400, 600, 100);
        store.reads.set(0);
        store.lists.set(0);
        assertEquals(0, follower.pollIfDue(), "the interval has not passed");
        assertEquals(0, store.lists.get() + store.reads.get(), "nothing asked of the store before the interval");

        clock.addAndGet(INTERVAL_MS);
        assertEquals(3, follower.pollIfDue());
        assertEquals(1, store.lists.get(), "one listing of the partition's index folder");
        assertEquals(2, store.reads.get(), "only the two pieces published since, no other catalog object");
        assertEquals(records.get(599).offset() - records.get(299).offset(), follower.lagRecords());

        restored.addAll(acknowledged(drain()));
        assertEquals(0, follower.lagRecords());
        assertEquals(records.subList(0, 600), restored, "same records, same order, no gap, no duplicate");
        assertEquals(List.of(), missing);
    }

    @Test
    void waitsAtARangeNoPublishedSegmentHoldsYetAndGoesOnWhenItArrives() {
        publishSegments(0, 200, 100);
        startFollowing();
        List<BackupRecord> restored = acknowledged(drain());
        // 300..399 is published before 200..299 (another task of the backup published late)
        publishSegment(300, 400, records.get(299).offset() + 1);
        clock.addAndGet(INTERVAL_MS);

        assertEquals(0, follower.pollIfDue(), "a segment after a range nobody published yet waits");
        assertEquals(records.get(399).offset() - records.get(199).offset(), follower.lagRecords(),
                "the lag counts up to the newest offset the catalog lists");
        restored.addAll(acknowledged(drain()));
        assertEquals(200, restored.size());

        publishSegment(200, 300, records.get(199).offset() + 1);
        clock.addAndGet(INTERVAL_MS);
        assertEquals(2, follower.pollIfDue());
        restored.addAll(drain());
        assertEquals(records.subList(0, 400), restored);
    }

    @Test
    void anEntryPublishedTwiceOrOverlappingWhatWasPlannedIsNotRestoredTwice() {
        publishSegments(0, 200, 100);
        startFollowing();
        List<BackupRecord> restored = acknowledged(drain());
        // a zombie backup task publishes again a segment the restore planned, then the owner goes on
        SegmentInfo again = backups.segment("orders", 0, records.subList(100, 200), Codec.ZSTD, 8 * 1024,
                records.get(99).offset() + 1);
        SegmentInfo overlapping = backups.segment("orders", 0, records.subList(150, 300), Codec.ZSTD, 8 * 1024,
                records.get(149).offset() + 1);
        backups.index("orders", 0, List.of(again, overlapping));
        backups.publish();
        clock.addAndGet(INTERVAL_MS);

        assertEquals(1, follower.pollIfDue(), "only the segment reaching past what was planned");
        restored.addAll(acknowledged(drain()));

        assertEquals(records.subList(0, 300), restored, "records 150..199 of the overlapping segment are skipped");
        assertEquals(0, follower.lagRecords());
    }

    @Test
    void theLagReachesZeroOnceEveryListedRecordIsWritten() {
        publishSegments(0, 200, 100);
        startFollowing();
        publishSegments(200, 300, 100);
        clock.addAndGet(INTERVAL_MS);
        follower.pollIfDue();
        List<BackupRecord> restored = drain();
        assertEquals(records.get(299).offset() + 1, follower.lagRecords(), "nothing written yet");
        assertTrue(follower.lagMs() >= 0);

        restored.subList(0, 150).forEach(r -> follower.restored(ORDERS_0, r.offset(), r.timestamp()));
        assertEquals(records.get(299).offset() - records.get(149).offset(), follower.lagRecords());
        long newest = records.subList(0, 300).stream().mapToLong(BackupRecord::timestamp).max().orElseThrow();
        long restoredNewest = records.subList(0, 150).stream().mapToLong(BackupRecord::timestamp).max().orElseThrow();
        assertEquals(Math.max(0, maxTimestampOfNewestSegment() - restoredNewest), follower.lagMs());
        assertTrue(newest >= maxTimestampOfNewestSegment());

        restored.subList(150, 300).forEach(r -> follower.restored(ORDERS_0, r.offset(), r.timestamp()));
        assertEquals(0, follower.lagRecords());
        assertEquals(0, follower.lagMs());
    }

    private long maxTimestampOfNewestSegment() {
        return records.subList(200, 300).stream().mapToLong(BackupRecord::timestamp).max().orElseThrow();
    }

    /** Stores records {@code from..to-1} as segments of {@code perSegment} records, each published as a piece. */
    private void publishSegments(int from, int to, int perSegment) {
        List<SegmentInfo> segments = new ArrayList<>();
        for (int i = from; i < to; i += perSegment) {
            long coversFrom = i == 0 ? -1 : records.get(i - 1).offset() + 1;
            segments.add(backups.segment("orders", 0, records.subList(i, Math.min(to, i + perSegment)), Codec.ZSTD,
                    8 * 1024, coversFrom));
        }
        backups.index("orders", 0, segments);
        backups.publish();
    }

    private void publishSegment(int from, int to, long coversFrom) {
        backups.index("orders", 0, List.of(backups.segment("orders", 0, records.subList(from, to), Codec.ZSTD,
                8 * 1024, coversFrom)));
        backups.publish();
    }

    private void startFollowing() {
        PartitionPlan plan = RestorePlan.load(catalog, List.of(ORDERS_0), new TargetRouter(TopicRenames.IDENTITY,
                PartitionRoutes.NONE), TimeWindow.ALL).get(0);
        restorer = new PartitionRestorer("b1", plan, prefetcher, -1, TimeWindow.ALL, CorruptSegmentPolicy.FAIL,
                new PartitionRestorer.Listener() {
                    @Override
                    public void skippedByWindow(long count) {
                    }

                    @Override
                    public void segmentSkipped(PartitionPlan p, SegmentInfo segment, RuntimeException cause,
                                               long firstMissing) {
                        missing.add(segment.key());
                    }

                    @Override
                    public void offsetsMissing(PartitionPlan p, dev.kbackup.layout.MissingOffsets range) {
                        missing.add(range.toString());
                    }
                });
        partition = new PartitionFollower("b1", catalog, plan, TimeWindow.ALL, -1);
        follower = new BackupFollower("b1", INTERVAL_MS, clock::get);
        follower.add(partition, restorer);
    }

    /** What Connect does once it wrote the records: tells the task. */
    private List<BackupRecord> acknowledged(List<BackupRecord> written) {
        written.forEach(record -> follower.restored(ORDERS_0, record.offset(), record.timestamp()));
        return written;
    }

    private List<BackupRecord> drain() {
        List<BackupRecord> out = new ArrayList<>();
        while (!restorer.isDone()) {
            restorer.drainTo(out, 137, Long.MAX_VALUE);
        }
        return out;
    }
}
