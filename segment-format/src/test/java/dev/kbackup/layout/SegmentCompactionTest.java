package dev.kbackup.layout;

import dev.kbackup.format.BackupRecord;
import dev.kbackup.format.BlockCompressor;
import dev.kbackup.format.Codec;
import dev.kbackup.format.EncryptionKeys;
import dev.kbackup.format.SegmentInfo;
import dev.kbackup.format.SegmentReader;
import dev.kbackup.format.SegmentWriter;
import dev.kbackup.format.TimeWindow;
import dev.kbackup.storage.FilesystemObjectStore;
import dev.kbackup.storage.ForwardingObjectStore;
import dev.kbackup.storage.ObjectStore;
import dev.kbackup.storage.ObjectUpload;
import dev.kbackup.storage.WriteMode;
import dev.kbackup.testing.RandomRecords;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Compaction as the partition owner runs it: merge, verify, switch the catalog, delete the sources after the grace. */
class SegmentCompactionTest {

    private static final long T0 = 1_700_000_000_000L;
    private static final Duration MIN_AGE = Duration.ofHours(1);
    private static final Duration GRACE = Duration.ofMinutes(30);
    /** Every test segment's records are a minute apart; "now" is well past the minimum age of all of them. */
    private static final Instant NOW = Instant.ofEpochMilli(T0).plus(Duration.ofDays(1));

    @TempDir
    Path root;
    private final BackupLayout layout = new BackupLayout("b1");

    @Test
    void mergedSegmentHoldsExactlyItsSourcesRecordsBeforeDuringAndAfterTheGrace() {
        ObjectStore store = new FilesystemObjectStore(root);
        BackupCatalog catalog = new BackupCatalog(store, layout, 2);
        for (int i = 0; i < 10; i++) {
            publish(catalog, segment(store, i * 100L, i * 100L + 99, i * 100L));
        }
        List<BackupRecord> before = records(store, catalog.readIndex("orders", 0).orElseThrow());
        PartitionIndex plannedBefore = catalog.readWindow("orders", 0, TimeWindow.ALL);

        SegmentCompaction.Outcome outcome = compaction(catalog, 1 << 30).compact("orders", 0, NOW);

        SegmentInfo merged = outcome.merged().orElseThrow();
        assertEquals(layout.mergedSegmentKey("orders", 0, 0, 999, Codec.ZSTD), merged.key());
        assertEquals(10, outcome.replaced().size());
        assertEquals(1000, merged.recordCount());
        assertEquals(List.of(merged.key()), keys(catalog.readIndex("orders", 0).orElseThrow()));
        assertEquals(List.of(merged.key()), keys(catalog.readWindow("orders", 0, TimeWindow.ALL)));
        assertEquals(before, records(store, catalog.readIndex("orders", 0).orElseThrow()), "after the switch");
        assertEquals(before, records(store, plannedBefore), "a restore planned before still reads its segments");

        assertEquals(List.of(merged.key()), keys(catalog.withUnindexedSegments(catalog.readIndex("orders", 0)
                .orElseThrow())), "the replaced segments, still stored, are not taken for unpublished ones");

        Instant early = NOW.plus(GRACE).minusMillis(1);
        assertEquals(0, compaction(catalog, 1 << 30).compact("orders", 0, early).segmentsDeleted());
        assertEquals(before, records(store, plannedBefore), "nothing is deleted within the grace");

        SegmentCompaction.Outcome late = compaction(catalog, 1 << 30).compact("orders", 0, NOW.plus(GRACE));
        assertEquals(10, late.segmentsDeleted());
        for (int i = 0; i < 10; i++) {
            assertFalse(store.stat(layout.segmentKey("orders", 0, i * 100L, Codec.ZSTD)).isPresent());
        }
        assertEquals(List.of(merged.key()), keys(catalog.readIndex("orders", 0).orElseThrow()));
        assertEquals(before, records(store, catalog.readIndex("orders", 0).orElseThrow()), "after the grace");
        assertEquals(1000, catalog.readIndex("orders", 0).orElseThrow().recordCount());
    }

    @Test
    void mergesUpToTheTargetAndOnlySegmentsOlderThanTheMinimumAge() {
        ObjectStore store = new FilesystemObjectStore(root);
        BackupCatalog catalog = new BackupCatalog(store, layout, 2);
        List<SegmentInfo> segments = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            segments.add(segment(store, i * 100L, i * 100L + 99, i * 100L));
            publish(catalog, segments.get(i));
        }
        long target = segments.get(0).sizeBytes() + segments.get(1).sizeBytes() + segments.get(2).sizeBytes();
        // segments 0..4 are older than the minimum age at "now"; 5 is not
        Instant now = Instant.ofEpochMilli(segments.get(4).maxTimestamp()).plus(MIN_AGE).plusMillis(1);
        assertTrue(segments.get(5).maxTimestamp() >= now.toEpochMilli() - MIN_AGE.toMillis());

        SegmentInfo first = compaction(catalog, target).compact("orders", 0, now).merged().orElseThrow();
        assertEquals(0, first.firstOffset());
        assertEquals(299, first.lastOffset(), "three segments fit the target");
        SegmentInfo second = compaction(catalog, target).compact("orders", 0, now).merged().orElseThrow();
        assertEquals(300, second.firstOffset());
        assertEquals(499, second.lastOffset(), "the young segment 5 waits");
        assertTrue(compaction(catalog, target).compact("orders", 0, now).merged().isEmpty());
        assertEquals(List.of(first.key(), second.key(), segments.get(5).key()),
                keys(catalog.readIndex("orders", 0).orElseThrow()).stream().sorted().toList());
    }

    @Test
    void aMergedSegmentIsMergedAgainOnlyWithAtLeastAsManyNewBytes() {
        ObjectStore store = new FilesystemObjectStore(root);
        BackupCatalog catalog = new BackupCatalog(store, layout, 2);
        List<SegmentInfo> segments = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            segments.add(segment(store, i * 100L, i * 100L + 99, i * 100L));
            publish(catalog, segments.get(i));
        }
        SegmentCompaction compaction = compaction(catalog, 1 << 30);
        SegmentInfo fourOld = compaction.compact("orders", 0, eligibleUpTo(segments, 3)).merged().orElseThrow();
        assertEquals(399, fourOld.lastOffset());

        assertTrue(compaction.compact("orders", 0, eligibleUpTo(segments, 4)).merged().isEmpty(),
                "one new segment does not rewrite four old ones");
        SegmentInfo newer = compaction.compact("orders", 0, eligibleUpTo(segments, 5)).merged().orElseThrow();
        assertEquals(List.of(400L, 599L), List.of(newer.firstOffset(), newer.lastOffset()), "two new ones merge apart");
        while (compaction.compact("orders", 0, eligibleUpTo(segments, 7)).merged().isPresent()) {
            continue;
        }
        PartitionIndex compacted = catalog.readIndex("orders", 0).orElseThrow();
        assertTrue(compacted.segments().size() <= 2, "merged like a binary counter: " + keys(compacted));
        assertEquals(800, compacted.recordCount());
        assertEquals(List.of(), MissingOffsets.between(compacted.segments()));
    }

    private static Instant eligibleUpTo(List<SegmentInfo> segments, int last) {
        return Instant.ofEpochMilli(segments.get(last).maxTimestamp()).plus(MIN_AGE).plusMillis(1);
    }

    @Test
    void aWindowReadAfterTheGraceFindsTheMergedEntryWhereItsSourcesWere() {
        ObjectStore store = new FilesystemObjectStore(root);
        BackupCatalog catalog = new BackupCatalog(store, layout);
        List<SegmentInfo> segments = new ArrayList<>(List.of(segment(store, 0, 999, 0), segment(store, 1000, 1999,
                1000)));
        for (int i = 0; i < 4; i++) {
            segments.add(segment(store, 2000 + i * 100L, 2099 + i * 100L, 2000 + i * 100L));
        }
        // one catalog object for all six; the two large ones are above the target, so 2000..2199 merge alone
        catalog.publishIndex(new PartitionIndex("orders", 0, Instant.EPOCH, segments), Instant.EPOCH);
        long target = segments.get(2).sizeBytes() + segments.get(3).sizeBytes();
        Instant now = NOW.plus(Duration.ofDays(2)); // past the minimum age of offset 2399 (minute 2399)
        SegmentInfo merged = compaction(catalog, target).compact("orders", 0, now).merged().orElseThrow();
        assertEquals(List.of(2000L, 2199L), List.of(merged.firstOffset(), merged.lastOffset()));
        assertEquals(2, compaction(catalog, target).compact("orders", 0, now.plus(GRACE)).segmentsDeleted());

        SegmentInfo last = segments.get(5);
        PartitionIndex window = catalog.readWindow("orders", 0, new TimeWindow(last.minTimestamp(),
                last.maxTimestamp() + 1));
        assertEquals(List.of(), MissingOffsets.between(window.segments()), "read: " + keys(window));
        assertTrue(window.contains(merged.key()));
    }

    @Test
    void recordedGapsSurviveAndNoMergeCrossesAMissingRange() {
        ObjectStore store = new FilesystemObjectStore(root);
        BackupCatalog catalog = new BackupCatalog(store, layout, 2);
        publish(catalog, segment(store, 0, 99, 0));
        publish(catalog, segment(store, 150, 199, 100)); // 100..149: a real gap (Kafka no longer had them)
        publish(catalog, segment(store, 300, 349, 300)); // 200..299: nothing covers them, a segment is missing
        publish(catalog, segment(store, 350, 399, 350));
        List<MissingOffsets> missingBefore = MissingOffsets.between(catalog.readIndex("orders", 0).orElseThrow()
                .segments());
        assertEquals(1, missingBefore.size());

        SegmentCompaction compaction = compaction(catalog, 1 << 30);
        SegmentInfo low = compaction.compact("orders", 0, NOW).merged().orElseThrow();
        SegmentInfo high = compaction.compact("orders", 0, NOW).merged().orElseThrow();
        assertTrue(compaction.compact("orders", 0, NOW).merged().isEmpty(), "never across the missing range");

        assertEquals(List.of(0L, 199L, 0L), List.of(low.firstOffset(), low.lastOffset(), low.coversFrom()));
        assertEquals(150, low.recordCount(), "the real gap is in the merged segment as absent offsets");
        assertEquals(List.of(300L, 399L, 300L), List.of(high.firstOffset(), high.lastOffset(), high.coversFrom()));
        List<MissingOffsets> missingAfter = MissingOffsets.between(catalog.readIndex("orders", 0).orElseThrow()
                .segments());
        assertEquals(1, missingAfter.size());
        assertEquals(200, missingAfter.get(0).firstOffset());
        assertEquals(299, missingAfter.get(0).lastOffset());
    }

    @Test
    void aMergedSegmentThatDoesNotVerifyIsDeletedAndTheCatalogIsUnchanged() {
        String mergedKey = layout.mergedSegmentKey("orders", 0, 0, 299, Codec.ZSTD);
        ObjectStore store = new CorruptingStore(new FilesystemObjectStore(root), mergedKey);
        BackupCatalog catalog = new BackupCatalog(store, layout, 2);
        for (int i = 0; i < 3; i++) {
            publish(catalog, segment(store, i * 100L, i * 100L + 99, i * 100L));
        }
        List<String> before = keys(catalog.readIndex("orders", 0).orElseThrow());

        SegmentCompaction.VerificationFailed failure = assertThrows(SegmentCompaction.VerificationFailed.class,
                () -> compaction(catalog, 1 << 30).compact("orders", 0, NOW));

        assertTrue(failure.getMessage().contains(mergedKey), failure.getMessage());
        assertEquals(before, keys(catalog.readIndex("orders", 0).orElseThrow()));
        assertFalse(store.stat(mergedKey).isPresent(), "the unverified segment is deleted");
    }

    @Test
    void aSourceThatIsNotWhatTheCatalogListsIsNotCompacted() {
        ObjectStore store = new FilesystemObjectStore(root);
        BackupCatalog catalog = new BackupCatalog(store, layout, 2);
        publish(catalog, segment(store, 0, 99, 0));
        SegmentInfo real = segment(store, 100, 199, 100);
        publish(catalog, new SegmentInfo(real.key(), real.topic(), real.partition(), real.codec(),
                real.firstOffset(), real.lastOffset(), real.recordCount(), real.minTimestamp(), real.maxTimestamp(),
                real.sizeBytes(), real.uncompressedBytes(), real.crc32c() ^ 1, real.blockCount(), real.coversFrom()));
        List<String> before = keys(catalog.readIndex("orders", 0).orElseThrow());

        assertThrows(SegmentCompaction.VerificationFailed.class,
                () -> compaction(catalog, 1 << 30).compact("orders", 0, NOW));

        assertEquals(before, keys(catalog.readIndex("orders", 0).orElseThrow()));
        assertFalse(store.stat(layout.mergedSegmentKey("orders", 0, 0, 199, Codec.ZSTD)).isPresent());
    }

    @Test
    void readersPreferTheMergedEntryAndOneOfTwoRacingMergesOfTheSameRange() {
        SegmentInfo a = entry(layout.segmentKey("orders", 0, 0, Codec.ZSTD), 0, 99);
        SegmentInfo b = entry(layout.segmentKey("orders", 0, 100, Codec.ZSTD), 100, 199);
        SegmentInfo c = entry(layout.segmentKey("orders", 0, 200, Codec.ZSTD), 200, 299);
        SegmentInfo merged = entry(layout.mergedSegmentKey("orders", 0, 0, 199, Codec.ZSTD), 0, 199);
        SegmentInfo sameRange = entry(layout.mergedSegmentKey("orders", 0, 0, 199, Codec.LZ4), 0, 199);

        assertEquals(List.of(c, merged), SegmentCompaction.withoutReplaced(List.of(a, b, c, merged)));
        assertEquals(1, SegmentCompaction.withoutReplaced(List.of(merged, sameRange, merged)).stream()
                .map(SegmentInfo::key).distinct().count());
    }

    @Test
    void aCompactionStepReadsOnlyTheUnsettledEndOfTheCatalogWhateverTheHistoryLength() {
        int shortHistory = catalogObjectsReadByAStepAfter(8);
        int longHistory = catalogObjectsReadByAStepAfter(40);

        assertTrue(longHistory <= shortHistory && longHistory <= 4, "catalog objects read by one step after 8 "
                + "segments: " + shortHistory + ", after 40: " + longHistory);
    }

    /**
     * Backs up {@code history} segments, compacts them until nothing is left to do (past the grace), adds two new
     * segments and returns the catalog objects read by the step that merges them.
     */
    private int catalogObjectsReadByAStepAfter(int history) {
        CountingStore store = new CountingStore(new FilesystemObjectStore(root.resolve("history-" + history)));
        BackupCatalog catalog = new BackupCatalog(store, layout, 2);
        List<SegmentInfo> segments = new ArrayList<>();
        for (int i = 0; i < history + 2; i++) {
            segments.add(segment(store, i * 10L, i * 10L + 9, i * 10L));
        }
        segments.subList(0, history).forEach(segment -> publish(catalog, segment));
        long target = segments.get(0).sizeBytes() * 3;
        SegmentCompaction compaction = compaction(catalog, target);
        Instant now = Instant.ofEpochMilli(segments.get(history + 1).maxTimestamp()).plus(MIN_AGE).plusMillis(1);
        SegmentCompaction.Outcome outcome;
        do {
            outcome = compaction.compact("orders", 0, now);
            catalog.checkpoint("orders", 0, now);
            now = now.plus(GRACE);
        } while (outcome.merged().isPresent() || outcome.segmentsDeleted() > 0);
        PartitionIndex compacted = catalog.readIndex("orders", 0).orElseThrow();
        assertEquals(history * 10L, compacted.recordCount());
        assertTrue(compacted.segments().size() <= history / 2, "compacted: " + keys(compacted));

        segments.subList(history, history + 2).forEach(segment -> publish(catalog, segment));
        store.catalogReads = 0;
        compaction.compact("orders", 0, now);
        return store.catalogReads;
    }

    /** Counts reads of catalog objects (under index/ or checkpoints/). */
    private static final class CountingStore extends ForwardingObjectStore {
        int catalogReads;

        CountingStore(ObjectStore delegate) {
            super(delegate);
        }

        @Override
        public java.util.Optional<byte[]> readIfExists(String key) {
            if (key.contains("/index/") || key.contains("/checkpoints/")) {
                catalogReads++;
            }
            return delegate.readIfExists(key);
        }
    }

    private SegmentCompaction compaction(BackupCatalog catalog, long targetBytes) {
        return new SegmentCompaction(catalog, new SegmentCompaction.Settings(MIN_AGE, targetBytes, GRACE, Codec.ZSTD,
                3, 4096, EncryptionKeys.NONE));
    }

    private static void publish(BackupCatalog catalog, SegmentInfo segment) {
        catalog.publishIndex(new PartitionIndex("orders", 0, Instant.EPOCH, List.of(segment)), Instant.EPOCH);
        catalog.checkpoint("orders", 0, Instant.EPOCH);
    }

    /** A real segment holding every offset of {@code [first, last]}, records a minute apart, covering from coversFrom. */
    private SegmentInfo segment(ObjectStore store, long first, long last, long coversFrom) {
        RandomRecords random = new RandomRecords(first, 300, 0);
        String key = layout.segmentKey("orders", 0, first, Codec.ZSTD);
        try (BlockCompressor compressor = Codec.ZSTD.newCompressor(3);
             ObjectUpload upload = store.startUpload(key, WriteMode.CREATE_NEW)) {
            SegmentWriter writer = new SegmentWriter(key, "orders", 0, compressor, upload, 4096, coversFrom);
            for (long offset = first; offset <= last; offset++) {
                writer.append(random.record(offset, T0 + offset * 60_000));
            }
            SegmentInfo info = writer.finish();
            upload.complete();
            return info;
        }
    }

    private SegmentInfo entry(String key, long first, long last) {
        return new SegmentInfo(key, "orders", 0, Codec.ZSTD, first, last, last - first + 1, T0, T0, 1, 1, 0, 1, first);
    }

    private static List<BackupRecord> records(ObjectStore store, PartitionIndex index) {
        List<BackupRecord> records = new ArrayList<>();
        index.segments().stream().sorted(java.util.Comparator.comparingLong(SegmentInfo::firstOffset))
                .forEach(segment -> {
                    try (InputStream in = store.read(segment.key())) {
                        records.addAll(SegmentReader.readAll(in, segment.key()));
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                });
        return records;
    }

    private static List<String> keys(PartitionIndex index) {
        return index.segments().stream().map(SegmentInfo::key).toList();
    }

    /** A store that hands back {@code corrupted}'s bytes with one byte flipped, as a failing disk would. */
    private static final class CorruptingStore extends ForwardingObjectStore {
        private final String corrupted;

        CorruptingStore(ObjectStore delegate, String corrupted) {
            super(delegate);
            this.corrupted = corrupted;
        }

        @Override
        public InputStream read(String key) {
            if (!key.equals(corrupted)) {
                return delegate.read(key);
            }
            try (InputStream in = delegate.read(key)) {
                byte[] bytes = in.readAllBytes();
                bytes[bytes.length / 2] ^= 0x40;
                return new ByteArrayInputStream(bytes);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
    }
}
