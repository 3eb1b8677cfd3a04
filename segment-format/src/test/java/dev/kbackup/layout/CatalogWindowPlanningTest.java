package dev.kbackup.layout;

import dev.kbackup.format.Codec;
import dev.kbackup.format.SegmentInfo;
import dev.kbackup.format.TimeWindow;
import dev.kbackup.storage.FilesystemObjectStore;
import dev.kbackup.testing.CountingStore;
import dev.kbackup.storage.ObjectStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.LongPredicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Checkpointing and window planning, counting the catalog objects read: a window's cost follows the window, not
 * the history; summaries come from keys alone; gaps recorded in the segments survive folding.
 */
class CatalogWindowPlanningTest {

    private static final Instant NOW = Instant.parse("2026-11-24T10:00:00Z");
    private static final int FANOUT = 2;
    /** Each entry holds 10 records stamped over 5 seconds, as a 5-second segment would. */
    private static final long SEGMENT_MILLIS = 5_000;

    @TempDir
    Path root;
    private final BackupLayout layout = new BackupLayout("b1");

    @Test
    void foldsPiecesIntoFoldsAndCheckpointsAndKeepsEveryEntry() {
        CountingStore store = new CountingStore(new FilesystemObjectStore(root));
        BackupCatalog catalog = publish(store, 64, offset -> true);

        assertEquals(64 / (FANOUT * FANOUT), count(store, layout.checkpointsPrefix()), "a checkpoint per 4 entries");
        assertTrue(count(store, layout.indexPrefix()) <= 2 * FANOUT, "index/ holds only recent pieces and folds");
        PartitionIndex all = catalog.readIndex("orders", 0).orElseThrow();
        assertEquals(64, all.segments().size());
        assertEquals(639, all.lastOffset());
        assertEquals(List.of(), MissingOffsets.between(all.segments()));
    }

    @Test
    void aShortWindowReadsTheSameFewObjectsWhateverTheHistory() {
        int shortHistory = readsForTenSecondsInTheMiddle(64, root.resolve("short"));
        int longHistory = readsForTenSecondsInTheMiddle(256, root.resolve("long"));
        assertTrue(shortHistory <= 3, shortHistory + " objects read");
        assertEquals(shortHistory, longHistory, "objects read for the same window at 4 times the history");
    }

    private int readsForTenSecondsInTheMiddle(int entries, Path dir) {
        CountingStore store = new CountingStore(new FilesystemObjectStore(dir));
        BackupCatalog catalog = publish(store, entries, offset -> true);
        long start = timestamp(entries / 2 * 10L) + 1;
        TimeWindow window = new TimeWindow(start, start + 10_000);
        store.reads.set(0);

        PartitionIndex read = catalog.readWindow("orders", 0, window);

        List<SegmentInfo> inWindow = read.segments().stream()
                .filter(segment -> window.overlaps(segment.minTimestamp(), segment.maxTimestamp())).toList();
        assertEquals(3, inWindow.size(), "every 5-second segment that overlaps the 10 seconds");
        assertEquals(entries / 2 * 10L, inWindow.get(0).firstOffset());
        assertTrue(read.segments().size() <= 3 * FANOUT * FANOUT, read.segments().size() + " entries read");
        return store.reads.get();
    }

    @Test
    void aSegmentMissingAtTheWindowsStartIsReportedAsMissing() {
        CountingStore store = new CountingStore(new FilesystemObjectStore(root));
        long lost = 320; // the first segment of the window never reached the catalog
        BackupCatalog catalog = publish(store, 64, offset -> offset != lost);
        long start = timestamp(lost);
        PartitionIndex read = catalog.readWindow("orders", 0, new TimeWindow(start, start + 10_000));

        List<MissingOffsets> missing = MissingOffsets.between(read.segments());
        assertEquals(1, missing.size(), "" + missing);
        assertEquals(lost, missing.get(0).firstOffset());
        assertEquals(lost + 9, missing.get(0).lastOffset());
    }

    @Test
    void aWindowBeforeTheCatalogsEndSeesNoHoleUpToSegmentsNotPublishedYet() {
        CountingStore store = new CountingStore(new FilesystemObjectStore(root));
        BackupCatalog catalog = publish(store, 64, offset -> true);
        // complete but not published yet (the next state sync would), stamped long after the window
        dev.kbackup.testing.TestSegments.write(store, layout, "orders", 0, 640, 649);
        // the window ends with the last segment of a catalog object: the objects after it are not read
        long start = timestamp(350);
        TimeWindow window = new TimeWindow(start, start + SEGMENT_MILLIS);

        PartitionIndex read = catalog.readWindow("orders", 0, window);

        assertEquals(List.of(), PartitionWindow.of(read, window).missing(), "read: " + read.segments().stream()
                .map(SegmentInfo::firstOffset).toList());
    }

    @Test
    void gapsRecordedInSegmentsSurviveCheckpointing() {
        CountingStore store = new CountingStore(new FilesystemObjectStore(root));
        // every 7th segment starts after a gap Kafka left (compaction, expiry, transaction markers)
        BackupCatalog catalog = publish(store, 64, offset -> offset % 70 != 0 || offset == 0);
        PartitionIndex all = catalog.readIndex("orders", 0).orElseThrow();
        assertEquals(List.of(), MissingOffsets.between(all.segments()), "recorded gaps are not missing offsets");
        SegmentInfo afterGap = all.segments().stream().filter(segment -> segment.firstOffset() == 80).findFirst()
                .orElseThrow();
        assertEquals(70, afterGap.coversFrom(), "the gap 70..79 is still recorded after folding");
    }

    @Test
    void theManifestSummarisesEveryPartitionWithoutReadingItsCatalog() {
        CountingStore store = new CountingStore(new FilesystemObjectStore(root));
        BackupCatalog catalog = publish(store, 66, offset -> true);
        catalog.publishManifest(List.of(), SourceCluster.UNKNOWN, NOW);
        store.reads.set(0);

        PartitionSummary summary = catalog.readManifest().orElseThrow().partition("orders", 0).orElseThrow();

        assertEquals(1, store.reads.get(), "only manifest.json is read; the rest comes from keys");
        assertEquals(0, summary.firstOffset());
        assertEquals(659, summary.lastOffset());
        assertEquals(66, summary.segmentCount());
        assertEquals(660, summary.recordCount());
        assertEquals(66 * 4_096L, summary.sizeBytes());
        assertEquals(timestamp(0), summary.minTimestamp());
        assertEquals(timestamp(650) + SEGMENT_MILLIS - 1, summary.maxTimestamp());
    }

    @Test
    void aFollowerReadsOnlyTheObjectsPublishedAfterWhatItPlannedWhateverTheHistory() {
        int shortHistory = readsToFollowThreeNewSegments(64, root.resolve("short"));
        int longHistory = readsToFollowThreeNewSegments(256, root.resolve("long"));
        assertTrue(shortHistory <= 3, shortHistory + " objects read for 3 new segments");
        assertEquals(shortHistory, longHistory, "objects read to follow at 4 times the history");
    }

    private int readsToFollowThreeNewSegments(int entries, Path dir) {
        CountingStore store = new CountingStore(new FilesystemObjectStore(dir));
        BackupCatalog catalog = publish(store, entries, offset -> true);
        long planned = entries * 10L - 1;
        store.reads.set(0);
        store.lists.set(0);

        assertEquals(List.of(), catalog.readAfter("orders", 0, planned).segments(), "nothing new yet");
        assertEquals(0, store.reads.get(), "nothing new, nothing read");
        assertEquals(1, store.lists.get(), "one listing of the partition's index/ folder");

        publish(catalog, entries, entries + 3, offset -> true);
        store.reads.set(0);
        store.lists.set(0);
        List<SegmentInfo> found = catalog.readAfter("orders", 0, planned).segments().stream()
                .sorted(Comparator.comparingLong(SegmentInfo::firstOffset)).toList();

        assertEquals(List.of(planned + 1, planned + 11, planned + 21),
                found.stream().map(SegmentInfo::firstOffset).distinct().toList());
        assertEquals(1, store.lists.get(), "checkpoints/ is not listed when index/ continues the plan");
        return store.reads.get();
    }

    @Test
    void aFollowerAWholeCheckpointBehindFindsEveryEntryInOrder() {
        CountingStore store = new CountingStore(new FilesystemObjectStore(root));
        BackupCatalog catalog = publish(store, 64, offset -> true);
        store.lists.set(0);

        List<SegmentInfo> found = catalog.readAfter("orders", 0, 99).segments();

        assertEquals(2, store.lists.get(), "index/, then checkpoints/ because a checkpoint reaches past offset 99");
        List<Long> firsts = found.stream().map(SegmentInfo::firstOffset).distinct().sorted().toList();
        assertEquals(54, firsts.size(), "segments 100..639, each once");
        assertEquals(100, firsts.get(0));
        assertEquals(630, firsts.get(firsts.size() - 1));
        assertEquals(List.of(), MissingOffsets.between(found));
    }

    /**
     * Publishes {@code entries} 10-record segments of orders-0, one per publication, folding after each, as a
     * partition owner does; offsets that {@code published} refuses are skipped and the next segment records
     * them as a gap only if it was a gap in Kafka (below: when the segment is skipped, it is a lost segment).
     */
    private BackupCatalog publish(ObjectStore store, int entries, LongPredicate published) {
        BackupCatalog catalog = new BackupCatalog(store, layout, FANOUT);
        publish(catalog, 0, entries, published);
        return catalog;
    }

    /** Publishes entries {@code from} (inclusive) to {@code to} (exclusive) as {@link #publish} does. */
    private void publish(BackupCatalog catalog, int from, int to, LongPredicate published) {
        long coversFrom = from * 10L;
        for (int i = from; i < to; i++) {
            long first = i * 10L;
            if (!published.test(first)) {
                if (first % 70 == 0) {
                    coversFrom = first; // a gap in Kafka: the next segment records it
                } else {
                    coversFrom = first + 10; // a lost segment: nobody records it
                }
                continue;
            }
            SegmentInfo segment = new SegmentInfo(layout.segmentKey("orders", 0, first, Codec.ZSTD), "orders", 0,
                    Codec.ZSTD, first, first + 9, 10, timestamp(first), timestamp(first) + SEGMENT_MILLIS - 1,
                    4_096, 16_384, first, 1, Math.min(coversFrom, first));
            coversFrom = first + 10;
            catalog.publishIndex(new PartitionIndex("orders", 0, NOW, List.of(segment)), NOW);
            catalog.checkpoint("orders", 0, NOW);
        }
    }

    private static long timestamp(long offset) {
        return 1_700_000_000_000L + offset / 10 * SEGMENT_MILLIS;
    }

    private static long count(ObjectStore store, String prefix) {
        List<String> keys = new ArrayList<>();
        store.list(prefix, null).forEachRemaining(object -> keys.add(object.key()));
        return keys.size();
    }
}
