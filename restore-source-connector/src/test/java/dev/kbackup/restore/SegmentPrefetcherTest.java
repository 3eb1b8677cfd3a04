package dev.kbackup.restore;

import dev.kbackup.format.BackupRecord;
import dev.kbackup.format.Codec;
import dev.kbackup.format.SegmentInfo;
import dev.kbackup.layout.MissingOffsets;
import dev.kbackup.format.TimeWindow;
import dev.kbackup.format.TimestampKind;
import dev.kbackup.testing.MemoryObjectStore;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The restore's memory is bounded by its budget however many partitions a task restores. */
class SegmentPrefetcherTest {

    private static final int PARTITIONS = 200;
    private static final int SEGMENTS_PER_PARTITION = 6;
    private static final int RECORDS_PER_SEGMENT = 80;
    private static final int BLOCK_BYTES = 8 * 1024;
    private static final long BUDGET = 2L * 1024 * 1024;

    private final MemoryObjectStore store = new MemoryObjectStore();
    private final TestBackups backups = TestBackups.in(store, "wide");
    private final List<SegmentPrefetcher> prefetchers = new ArrayList<>();
    private final PartitionRestorer.Listener listener = new PartitionRestorer.Listener() {
        @Override
        public void skippedByWindow(long records) {
        }

        @Override
        public void segmentSkipped(PartitionPlan plan, SegmentInfo segment, RuntimeException cause,
                                   long firstMissing) {
            throw new AssertionError("nothing is corrupt", cause);
        }

        @Override
        public void offsetsMissing(PartitionPlan plan, MissingOffsets missing) {
            throw new AssertionError("nothing is missing: " + missing);
        }
    };

    @AfterEach
    void close() {
        prefetchers.forEach(SegmentPrefetcher::close);
    }

    @Test
    void manyPartitionsAreRestoredWithinTheBudgetAndNothingOfAFinishedSegmentIsKept() {
        List<List<BackupRecord>> written = new ArrayList<>();
        List<PartitionRestorer> restorers = new ArrayList<>();
        SegmentPrefetcher prefetcher = new SegmentPrefetcher(store, BUDGET, 2, "test-wide",
                SegmentPrefetcher.NO_LISTENER);
        prefetchers.add(prefetcher);
        long storedBytes = 0;
        for (int p = 0; p < PARTITIONS; p++) {
            List<BackupRecord> records = records(p, SEGMENTS_PER_PARTITION * RECORDS_PER_SEGMENT);
            List<SegmentInfo> segments = backups.partition("wide", p, records, Codec.LZ4, RECORDS_PER_SEGMENT,
                    BLOCK_BYTES);
            storedBytes += segments.stream().mapToLong(SegmentInfo::sizeBytes).sum();
            written.add(records);
            TopicPartition source = new TopicPartition("wide", p);
            restorers.add(new PartitionRestorer("wide", new PartitionPlan(source, source, segments), prefetcher, -1,
                    TimeWindow.ALL, CorruptSegmentPolicy.FAIL, listener));
        }
        assertTrue(storedBytes > 5 * BUDGET, "the backup is much larger than the budget: " + storedBytes);

        // as AssignedPartitions does: every partition in turn, a few records each
        List<List<BackupRecord>> restored = new ArrayList<>();
        restorers.forEach(r -> restored.add(new ArrayList<>()));
        int mostOpen = 0;
        int mostRetained = 0;
        boolean left = true;
        while (left) {
            left = false;
            for (int p = 0; p < PARTITIONS; p++) {
                PartitionRestorer restorer = restorers.get(p);
                if (!restorer.isDone()) {
                    restorer.drainTo(restored.get(p), 5, Long.MAX_VALUE);
                    left = true;
                }
            }
            mostOpen = Math.max(mostOpen, prefetcher.openSegments());
            mostRetained = Math.max(mostRetained, prefetcher.retainedSegments());
        }

        for (int p = 0; p < PARTITIONS; p++) {
            assertEquals(written.get(p), restored.get(p), "partition " + p);
        }
        assertTrue(prefetcher.peakHeldBytes() <= BUDGET, "held " + prefetcher.peakHeldBytes()
                + " bytes at most, budget " + BUDGET);
        assertTrue(mostOpen > 1 && mostOpen < PARTITIONS / 4, "partitions reading at once: " + mostOpen);
        // the open segments and at most two read ahead per partition, never the segments already restored
        assertTrue(mostRetained <= mostOpen + 2 * PARTITIONS && mostRetained < PARTITIONS * SEGMENTS_PER_PARTITION,
                "segments kept at once: " + mostRetained);
        assertEquals(0, prefetcher.retainedSegments(), "nothing is kept of finished segments");
        assertEquals(0, prefetcher.heldBytes(), "every buffer was given back");
        assertEquals(0, prefetcher.openSegments());
    }

    /** Records of one size, so that every full block costs the same once decoded. */
    private static List<BackupRecord> records(int partition, int count) {
        Random random = new Random(partition);
        List<BackupRecord> records = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            byte[] value = new byte[200];
            random.nextBytes(value);
            records.add(new BackupRecord(i, 1_763_900_000_000L + i, TimestampKind.CREATE_TIME,
                    ("k" + i).getBytes(), value, List.of()));
        }
        return records;
    }
}
