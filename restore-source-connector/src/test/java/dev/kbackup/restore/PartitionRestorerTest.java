package dev.kbackup.restore;

import dev.kbackup.format.BackupRecord;
import dev.kbackup.format.BlockIndexEntry;
import dev.kbackup.format.Codec;
import dev.kbackup.format.SegmentInfo;
import dev.kbackup.layout.StoredSegment;
import dev.kbackup.format.TimeWindow;
import dev.kbackup.layout.PartitionIndex;
import dev.kbackup.layout.MissingOffsets;
import dev.kbackup.testing.RandomRecords;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import dev.kbackup.storage.FilesystemObjectStore;
import dev.kbackup.storage.ObjectStore;
import dev.kbackup.testing.MemoryObjectStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PartitionRestorerTest {

    private static final TopicPartition ORDERS_0 = new TopicPartition("orders", 0);

    private final MemoryObjectStore store = new MemoryObjectStore();
    private final TestBackups backups = TestBackups.in(store, "b1");
    private final List<SegmentPrefetcher> prefetchers = new ArrayList<>();
    private final Recorder listener = new Recorder();

    @AfterEach
    void closePrefetchers() {
        prefetchers.forEach(SegmentPrefetcher::close);
    }

    @ParameterizedTest
    @EnumSource(Codec.class)
    void restoresEveryRecordOfEverySegmentInOffsetOrder(Codec codec) {
        List<BackupRecord> records = new RandomRecords(1).records(100, 3000);
        List<SegmentInfo> segments = backups.partition("orders", 0, records, codec, 700, 16 * 1024);

        List<BackupRecord> restored = drain(restorer(segments, -1, TimeWindow.ALL, CorruptSegmentPolicy.FAIL));

        assertEquals(records, restored);
        assertEquals(0, listener.skippedByWindow.get());
    }

    @Test
    void restoresFromABackupOnTheFilesystem(@TempDir Path root) {
        List<BackupRecord> records = new RandomRecords(9).records(0, 2000);
        try (FilesystemObjectStore filesystem = new FilesystemObjectStore(root)) {
            List<SegmentInfo> segments = TestBackups.in(filesystem, "fs").partition("orders", 0, records, Codec.ZSTD,
                    600, 8 * 1024);
            long[] sorted = records.stream().mapToLong(BackupRecord::timestamp).sorted().toArray();
            TimeWindow window = new TimeWindow(sorted[500], sorted[1500]);
            SegmentPrefetcher prefetcher = new SegmentPrefetcher(filesystem, 1024 * 1024, 2, "test-fs",
                    SegmentPrefetcher.NO_LISTENER);
            prefetchers.add(prefetcher);

            List<BackupRecord> restored = drain(new PartitionRestorer("fs", new PartitionPlan(ORDERS_0, ORDERS_0,
                    segments), prefetcher, records.get(99).offset(), window, CorruptSegmentPolicy.FAIL, listener));

            assertEquals(records.subList(100, records.size()).stream().filter(r -> window.contains(r.timestamp()))
                    .toList(), restored);
        }
    }

    @Test
    void retriesStorageReadsThatFailTransiently() {
        List<BackupRecord> records = new RandomRecords(10).records(0, 1000);
        List<SegmentInfo> segments = backups.partition("orders", 0, records, Codec.LZ4, 250, 4096);
        store.failNextRangeReads(3);

        List<BackupRecord> restored = drain(restorer(segments, -1, TimeWindow.ALL, CorruptSegmentPolicy.FAIL));

        assertEquals(records, restored);
        assertEquals(0, store.failuresLeft());
    }

    @Test
    void restoresExactlyTheRecordsInsideAWindowThatStartsAndEndsInsideBlocks() {
        List<BackupRecord> records = new RandomRecords(2).records(0, 4000);
        List<SegmentInfo> segments = backups.partition("orders", 0, records, Codec.ZSTD, 1000, 8 * 1024);
        long min = records.stream().mapToLong(BackupRecord::timestamp).min().orElseThrow();
        long max = records.stream().mapToLong(BackupRecord::timestamp).max().orElseThrow();
        TimeWindow window = new TimeWindow(min + (max - min) * 4 / 10 + 1, min + (max - min) * 6 / 10 + 1);
        PartitionPlan plan = new PartitionPlan(ORDERS_0, ORDERS_0, segments.stream()
                .filter(s -> window.overlaps(s.minTimestamp(), s.maxTimestamp())).toList());

        List<BackupRecord> restored = drain(restorer(plan, -1, window, CorruptSegmentPolicy.FAIL));

        List<BackupRecord> expected = records.stream().filter(r -> window.contains(r.timestamp())).toList();
        assertTrue(expected.size() > 100 && expected.size() < records.size() - 100, "window must be selective");
        assertEquals(expected, restored);
        long storedBytes = segments.stream().mapToLong(SegmentInfo::sizeBytes).sum();
        assertTrue(store.bytesRead.get() < storedBytes * 8 / 10, "blocks outside the window must not be read: "
                + store.bytesRead.get() + " of " + storedBytes + " bytes read");
        assertTrue(listener.skippedByWindow.get() > 0);
    }

    @Test
    void windowBoundsAreStartInclusiveEndExclusiveToTheMillisecond() {
        List<BackupRecord> records = new ArrayList<>();
        long[] timestamps = {1000, 999, 1001, 2000, 1999, 2001, 1000};
        for (int i = 0; i < timestamps.length; i++) {
            records.add(new RandomRecords(i).record(i, timestamps[i]));
        }
        List<SegmentInfo> segments = backups.partition("orders", 0, records, Codec.LZ4, 100, 64);

        List<BackupRecord> restored = drain(restorer(segments, -1, new TimeWindow(1000, 2000),
                CorruptSegmentPolicy.FAIL));

        assertEquals(List.of(0L, 2L, 4L, 6L), restored.stream().map(BackupRecord::offset).toList());
    }

    @Test
    void anOpenEndedWindowPlansAndRestoresRecordsStampedWithTheLargestTimestamp() {
        long[] timestamps = {1000, Long.MAX_VALUE, Long.MAX_VALUE, Long.MAX_VALUE, 2000};
        List<BackupRecord> records = new ArrayList<>();
        for (int i = 0; i < timestamps.length; i++) {
            records.add(new RandomRecords(i).record(i, timestamps[i]));
        }
        // the second segment holds only Long.MAX_VALUE records: planning must keep it too
        List<SegmentInfo> segments = backups.partition("orders", 0, records, Codec.ZSTD, 2, 64);
        TimeWindow window = WindowBounds.window("500", null);
        PartitionPlan plan = PartitionPlan.of(new PartitionIndex("orders", 0, Instant.now(), segments),
                new TargetRouter(TopicRenames.IDENTITY, PartitionRoutes.NONE), window);

        List<BackupRecord> restored = drain(restorer(plan, -1, window, CorruptSegmentPolicy.FAIL));

        assertEquals(segments, plan.segments());
        assertEquals(records, restored);
        assertEquals(0, listener.skippedByWindow.get());
    }

    @Test
    void resumesAfterTheLastRestoredOffset() {
        List<BackupRecord> records = new RandomRecords(3).records(0, 2000);
        List<SegmentInfo> segments = backups.partition("orders", 0, records, Codec.ZSTD, 500, 4096);
        long resumeAfter = records.get(1234).offset();

        List<BackupRecord> restored = drain(restorer(segments, resumeAfter, TimeWindow.ALL,
                CorruptSegmentPolicy.FAIL));

        assertEquals(records.subList(1235, records.size()), restored);
    }

    @Test
    void neverRepeatsARecordHeldByTwoOverlappingSegments() {
        List<BackupRecord> records = new RandomRecords(4).records(0, 1000);
        SegmentInfo first = backups.segment("orders", 0, records.subList(0, 600), Codec.ZSTD, 4096);
        SegmentInfo second = backups.segment("orders", 0, records.subList(400, 1000), Codec.ZSTD, 4096);

        List<BackupRecord> restored = drain(restorer(List.of(first, second), -1, TimeWindow.ALL,
                CorruptSegmentPolicy.FAIL));

        assertEquals(records, restored);
    }

    @Test
    void corruptBlockFailsNamingTheSegmentTheBlockAndTheOffsetsLeftUnrestored() {
        List<BackupRecord> records = new RandomRecords(5).records(0, 1500);
        List<SegmentInfo> segments = backups.partition("orders", 0, records, Codec.ZSTD, 500, 4096);
        SegmentInfo broken = segments.get(1);
        flipByteInBlock(broken.key(), 2);
        PartitionRestorer restorer = restorer(segments, -1, TimeWindow.ALL, CorruptSegmentPolicy.FAIL);

        List<BackupRecord> restored = new ArrayList<>();
        UnreadableSegmentException error = assertThrows(UnreadableSegmentException.class, () -> {
            while (!restorer.isDone()) {
                restorer.drainTo(restored, 100, Long.MAX_VALUE);
            }
        });

        assertTrue(error.getMessage().contains(broken.key()), error.getMessage());
        assertTrue(error.getMessage().contains("block 2"), error.getMessage());
        assertTrue(error.getMessage().contains("offsets " + broken.firstOffset() + ".." + broken.lastOffset()),
                error.getMessage());
        assertTrue(error.getMessage().contains(CorruptSegmentPolicy.SKIP.configName()), error.getMessage());
        assertEquals(records.subList(0, restored.size()), restored);
        assertTrue(restored.size() >= 500, "the first segment was restored before the failure");
    }

    @Test
    void skipPolicyRestoresEverySegmentButTheCorruptOne() {
        List<BackupRecord> records = new RandomRecords(6).records(0, 1500);
        List<SegmentInfo> segments = backups.partition("orders", 0, records, Codec.LZ4, 500, 4096);
        flipByteInBlock(segments.get(1).key(), 0);

        List<BackupRecord> restored = drain(restorer(segments, -1, TimeWindow.ALL, CorruptSegmentPolicy.SKIP));

        List<BackupRecord> expected = new ArrayList<>(records.subList(0, 500));
        expected.addAll(records.subList(1000, 1500));
        assertEquals(expected, restored);
        assertEquals(List.of(segments.get(1).key()), listener.skippedSegments);
    }

    @Test
    void missingSegmentObjectIsTreatedAsUnreadable() {
        List<BackupRecord> records = new RandomRecords(7).records(0, 900);
        List<SegmentInfo> segments = backups.partition("orders", 0, records, Codec.NONE, 300, 4096);
        store.delete(segments.get(2).key());

        UnreadableSegmentException error = assertThrows(UnreadableSegmentException.class,
                () -> drain(restorer(segments, -1, TimeWindow.ALL, CorruptSegmentPolicy.FAIL)));
        assertTrue(error.getMessage().contains(segments.get(2).key()), error.getMessage());

        listener.skippedSegments.clear();
        List<BackupRecord> restored = drain(restorer(segments, -1, TimeWindow.ALL, CorruptSegmentPolicy.SKIP));
        assertEquals(records.subList(0, 600), restored);
        assertEquals(List.of(segments.get(2).key()), listener.skippedSegments);
    }

    @Test
    void segmentFarShorterThanItsIndexEntryIsACorruptionNotAnUnreachableStore(@TempDir Path root) throws Exception {
        List<BackupRecord> records = new RandomRecords(11, 4096, 0).records(0, 300);
        try (FilesystemObjectStore filesystem = new FilesystemObjectStore(root)) {
            List<SegmentInfo> segments = TestBackups.in(filesystem, "fs").partition("orders", 3, records, Codec.NONE,
                    100, 16 * 1024);
            SegmentInfo cut = segments.get(1);
            assertTrue(cut.sizeBytes() > 2 * 64 * 1024, "the tail read must start past the cut");
            java.nio.file.Files.write(root.resolve(cut.key()), java.util.Arrays.copyOf(
                    java.nio.file.Files.readAllBytes(root.resolve(cut.key())), 1000));
            TopicPartition source = new TopicPartition("orders", 3);
            PartitionPlan plan = new PartitionPlan(source, source, segments);

            UnreadableSegmentException error = assertThrows(UnreadableSegmentException.class, () -> drain(
                    new PartitionRestorer("fs", plan, prefetcher(filesystem), -1, TimeWindow.ALL,
                            CorruptSegmentPolicy.FAIL, listener)));
            assertTrue(error.getMessage().contains(cut.key()), error.getMessage());
            assertTrue(error.getMessage().contains("holds 1000 bytes but the backup's index records "
                    + cut.sizeBytes() + " bytes"), error.getMessage());
            assertTrue(error.getMessage().contains("orders-3"), error.getMessage());
            assertTrue(error.getMessage().contains("offsets " + cut.firstOffset() + ".." + cut.lastOffset()),
                    error.getMessage());

            List<BackupRecord> restored = drain(new PartitionRestorer("fs", plan, prefetcher(filesystem), -1,
                    TimeWindow.ALL, CorruptSegmentPolicy.SKIP, listener));
            List<BackupRecord> expected = new ArrayList<>(records.subList(0, 100));
            expected.addAll(records.subList(200, 300));
            assertEquals(expected, restored);
            assertEquals(List.of(cut.key()), listener.skippedSegments);
        }
    }

    @Test
    void segmentLongerThanItsIndexEntryIsACorruption() {
        List<BackupRecord> records = new RandomRecords(12).records(0, 900);
        List<SegmentInfo> segments = backups.partition("orders", 0, records, Codec.ZSTD, 300, 4096);
        SegmentInfo grown = segments.get(2);
        byte[] bytes = store.bytes(grown.key());
        store.replace(grown.key(), java.util.Arrays.copyOf(bytes, bytes.length + 10));

        UnreadableSegmentException error = assertThrows(UnreadableSegmentException.class,
                () -> drain(restorer(segments, -1, TimeWindow.ALL, CorruptSegmentPolicy.FAIL)));

        assertTrue(error.getMessage().contains(grown.key()), error.getMessage());
        assertTrue(error.getMessage().contains("holds " + (bytes.length + 10) + " bytes but the backup's index "
                + "records " + bytes.length + " bytes"), error.getMessage());
        assertTrue(error.getMessage().contains("offsets " + grown.firstOffset() + ".." + grown.lastOffset()
                + " were not"), error.getMessage());
    }

    @Test
    void readAheadStaysWithinItsMemoryBudget() throws Exception {
        List<BackupRecord> records = new RandomRecords(8, 8192, 0).records(0, 6000);
        List<SegmentInfo> segments = backups.partition("orders", 0, records, Codec.NONE, 1500, 64 * 1024);
        long budget = 256 * 1024;
        SegmentPrefetcher prefetcher = prefetcher(budget);
        PartitionRestorer restorer = new PartitionRestorer("b1", new PartitionPlan(ORDERS_0, ORDERS_0, segments),
                prefetcher, -1, TimeWindow.ALL, CorruptSegmentPolicy.FAIL, listener);

        List<BackupRecord> restored = new ArrayList<>();
        long highest = 0;
        while (!restorer.isDone()) {
            restorer.drainTo(restored, 50, Long.MAX_VALUE);
            Thread.sleep(1);
            highest = Math.max(highest, prefetcher.bufferedBytes());
        }

        assertEquals(records, restored);
        long storedBytes = segments.stream().mapToLong(SegmentInfo::sizeBytes).sum();
        assertTrue(storedBytes > 10 * budget, "the data must be much larger than the budget");
        assertTrue(highest <= budget + 128 * 1024, "read-ahead held " + highest + " bytes, budget " + budget);
        assertEquals(0, store.wholeReads.get(), "segments are read in ranges, never whole");
    }

    private PartitionRestorer restorer(List<SegmentInfo> segments, long resumeAfter, TimeWindow window,
                                       CorruptSegmentPolicy policy) {
        return restorer(new PartitionPlan(ORDERS_0, ORDERS_0, segments), resumeAfter, window, policy);
    }

    private PartitionRestorer restorer(PartitionPlan plan, long resumeAfter, TimeWindow window,
                                       CorruptSegmentPolicy policy) {
        return new PartitionRestorer("b1", plan, prefetcher(4 * 1024 * 1024), resumeAfter, window, policy, listener);
    }

    private SegmentPrefetcher prefetcher(ObjectStore in) {
        SegmentPrefetcher prefetcher = new SegmentPrefetcher(in, 4 * 1024 * 1024, 2, "test-prefetch",
                SegmentPrefetcher.NO_LISTENER);
        prefetchers.add(prefetcher);
        return prefetcher;
    }

    private SegmentPrefetcher prefetcher(long budget) {
        SegmentPrefetcher prefetcher = new SegmentPrefetcher(store, budget, 2, "test-prefetch",
                SegmentPrefetcher.NO_LISTENER);
        prefetchers.add(prefetcher);
        return prefetcher;
    }

    private static List<BackupRecord> drain(PartitionRestorer restorer) {
        List<BackupRecord> restored = new ArrayList<>();
        while (!restorer.isDone()) {
            restorer.drainTo(restored, 137, Long.MAX_VALUE);
        }
        return restored;
    }

    /** Flips one byte in the middle of block {@code block}'s payload. */
    private void flipByteInBlock(String key, int block) {
        byte[] bytes = store.bytes(key);
        BlockIndexEntry entry = new StoredSegment(store, key, bytes.length).footer().blocks().get(block);
        int position = (int) (entry.position() + entry.length() - 3);
        bytes[position] ^= 0x5A;
        store.replace(key, bytes);
    }

    private static final class Recorder implements PartitionRestorer.Listener {
        final AtomicLong skippedByWindow = new AtomicLong();
        final List<String> skippedSegments = new ArrayList<>();
        final List<MissingOffsets> missingRanges = new ArrayList<>();

        @Override
        public void skippedByWindow(long records) {
            skippedByWindow.addAndGet(records);
        }

        @Override
        public void segmentSkipped(PartitionPlan plan, SegmentInfo segment, RuntimeException cause,
                                   long firstMissing) {
            skippedSegments.add(segment.key());
        }

        @Override
        public void offsetsMissing(PartitionPlan plan, MissingOffsets missing) {
            missingRanges.add(missing);
        }
    }
}
