package dev.kbackup.layout;

import dev.kbackup.format.Codec;
import dev.kbackup.format.SegmentInfo;
import dev.kbackup.format.TimeWindow;
import dev.kbackup.storage.FilesystemObjectStore;
import dev.kbackup.storage.ObjectStore;
import dev.kbackup.storage.WriteMode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Retention as the partition owner applies it: out of the catalog at once, out of storage after the grace. */
class CatalogRetentionTest {

    private static final long T0 = 1_700_000_000_000L;
    private static final Duration KEEP = Duration.ofHours(10);
    private static final Duration GRACE = Duration.ofHours(1);

    @TempDir
    Path root;
    private final BackupLayout layout = new BackupLayout("b1");

    @Test
    void expiredSegmentsLeaveTheCatalogAtOnceAndStorageAfterTheGrace() {
        ObjectStore store = new FilesystemObjectStore(root);
        BackupCatalog catalog = new BackupCatalog(store, layout, 2);
        // 24 one-hour segments: hours 0..23
        for (int hour = 0; hour < 24; hour++) {
            SegmentInfo segment = segment(store, hour);
            catalog.publishIndex(new PartitionIndex("orders", 0, Instant.EPOCH, List.of(segment)), Instant.EPOCH);
            catalog.checkpoint("orders", 0, Instant.EPOCH);
        }
        Instant now = Instant.ofEpochMilli(T0).plus(Duration.ofHours(24)); // keeps hours 14..23

        CatalogRetention.Outcome first = catalog.expire("orders", 0, KEEP, GRACE, now);

        assertTrue(first.marked().isPresent());
        assertEquals(0, first.segmentsDeleted(), "nothing is deleted before the grace");
        assertEquals(hours(14, 23), firstOffsets(catalog.readIndex("orders", 0).orElseThrow()));
        assertEquals(hours(14, 23), firstOffsets(catalog.readWindow("orders", 0, TimeWindow.ALL)));
        assertEquals(now, catalog.retention("orders", 0).orElseThrow().expiredAt());
        assertTrue(store.stat(layout.segmentKey("orders", 0, 0, Codec.ZSTD)).isPresent());

        CatalogRetention.Outcome early = catalog.expire("orders", 0, KEEP, GRACE, now.plus(Duration.ofMinutes(59)));
        assertEquals(0, early.segmentsDeleted());

        Instant afterGrace = now.plus(GRACE);
        CatalogRetention.Outcome late = catalog.expire("orders", 0, KEEP, GRACE, afterGrace);
        assertEquals(14, late.segmentsDeleted(), "hours 0..13, marked an hour ago");
        for (int hour = 0; hour < 24; hour++) {
            assertEquals(hour >= 14, store.stat(layout.segmentKey("orders", 0, hour * 100L, Codec.ZSTD)).isPresent(),
                    "hour " + hour);
        }
        assertTrue(late.catalogObjectsDeleted() > 0, "catalog objects holding only expired entries are deleted");
        assertEquals(hours(15, 23), firstOffsets(catalog.readIndex("orders", 0).orElseThrow()),
                "hour 14 expired by the mark written at " + afterGrace + ", not deleted yet");
        assertTrue(store.stat(layout.segmentKey("orders", 0, 1400, Codec.ZSTD)).isPresent());
        assertEquals(0, catalog.expire("orders", 0, KEEP, GRACE, afterGrace).segmentsDeleted(), "nothing twice");
    }

    @Test
    void whenEverythingExpiredAndWasDeletedTheCatalogStillKnowsWhereThePartitionEnds() {
        ObjectStore store = new FilesystemObjectStore(root);
        BackupCatalog catalog = new BackupCatalog(store, layout, 2);
        for (int hour = 0; hour < 5; hour++) {
            catalog.publishIndex(new PartitionIndex("orders", 0, Instant.EPOCH, List.of(segment(store, hour))),
                    Instant.EPOCH);
            catalog.checkpoint("orders", 0, Instant.EPOCH);
        }
        Instant now = Instant.ofEpochMilli(T0).plus(Duration.ofDays(2));

        CatalogRetention.Outcome outcome = catalog.expire("orders", 0, KEEP, Duration.ZERO, now);

        assertEquals(5, outcome.segmentsDeleted());
        assertEquals(List.of(), firstOffsets(catalog.readWindow("orders", 0, TimeWindow.ALL)));
        assertEquals(499, catalog.resumeAfter("orders", 0), "the backup goes on after offset 499, not 0");
        SegmentInfo next = dev.kbackup.testing.TestSegments.write(store, layout, "orders", 0, 500, 520);
        assertEquals(List.of(next.firstOffset()), firstOffsets(catalog.readWindow("orders", 0, TimeWindow.ALL)),
                "a segment stored after the end is found; nothing expired comes back");
    }

    @Test
    void withoutExpiredSegmentsNoMarkIsWritten() {
        ObjectStore store = new FilesystemObjectStore(root);
        BackupCatalog catalog = new BackupCatalog(store, layout);
        catalog.publishIndex(new PartitionIndex("orders", 0, Instant.EPOCH, List.of(segment(store, 0))),
                Instant.EPOCH);
        CatalogRetention.Outcome outcome = catalog.expire("orders", 0, KEEP, GRACE, Instant.ofEpochMilli(T0));
        assertFalse(outcome.marked().isPresent());
        assertFalse(catalog.retention("orders", 0).isPresent());
    }

    private SegmentInfo segment(ObjectStore store, int hour) {
        long first = hour * 100L;
        String key = layout.segmentKey("orders", 0, first, Codec.ZSTD);
        store.put(key, new byte[] {1}, WriteMode.CREATE_NEW);
        long start = T0 + hour * 3_600_000L;
        return new SegmentInfo(key, "orders", 0, Codec.ZSTD, first, first + 99, 100, start, start + 3_599_999, 1, 1,
                0, 1, first);
    }

    private static List<Long> hours(int from, int to) {
        return java.util.stream.LongStream.rangeClosed(from, to).map(hour -> hour * 100).boxed().toList();
    }

    private static List<Long> firstOffsets(PartitionIndex index) {
        return index.segments().stream().map(SegmentInfo::firstOffset).toList();
    }
}
