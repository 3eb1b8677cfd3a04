package dev.kbackup.layout;

import dev.kbackup.format.BackupRecord;
import dev.kbackup.format.Codec;
import dev.kbackup.format.EncryptionKeys;
import dev.kbackup.format.SegmentInfo;
import dev.kbackup.format.SegmentReader;
import dev.kbackup.format.TimeWindow;
import dev.kbackup.storage.FilesystemObjectStore;
import dev.kbackup.storage.ObjectStore;
import dev.kbackup.testing.InterleavingStore;
import dev.kbackup.testing.TestSegments;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two owners of one partition (old and new after a rebalance) compact it, clean up after the grace and fold its
 * catalog, while the backup publishes new segments and a reader plans restores, all through the real code against
 * a store that lets their operations through in a seeded random order: every offset stays covered for readers
 * during the run, and afterwards the visible segments hold every record exactly once, byte for byte.
 */
class CatalogCompactionConcurrencyTest {

    private static final String TOPIC = "orders";
    private static final int SEGMENTS = 12;
    private static final int PUBLISHED_BEFORE = 8;
    private static final long RECORDS_PER_SEGMENT = 20;
    private static final Duration GRACE = Duration.ofMinutes(10);
    private static final int STEPS_PER_OWNER = 4;
    private static final int READS = 10;

    @TempDir
    Path root;
    private final BackupLayout layout = new BackupLayout("b1");

    @Test
    void racingOwnersCompactingAndCleaningNeverLoseAnOffsetWhateverTheInterleaving() {
        for (long seed = 1; seed <= 20; seed++) {
            FilesystemObjectStore real = new FilesystemObjectStore(root.resolve("seed-" + seed));
            List<SegmentInfo> segments = new ArrayList<>();
            for (int i = 0; i < SEGMENTS; i++) {
                long first = i * RECORDS_PER_SEGMENT;
                segments.add(TestSegments.write(real, layout, TOPIC, 0, first, first + RECORDS_PER_SEGMENT - 1));
            }
            Map<Long, BackupRecord> original = records(real, segments);
            long newest = segments.stream().mapToLong(SegmentInfo::maxTimestamp).max().orElseThrow();
            Instant merging = Instant.ofEpochMilli(newest).plus(Duration.ofDays(1));
            Instant cleaning = merging.plus(GRACE);
            BackupCatalog setup = new BackupCatalog(real, layout, 2);
            segments.subList(0, PUBLISHED_BEFORE).forEach(segment -> setup.publishIndex(index(segment), merging));

            InterleavingStore store = new InterleavingStore(real, seed);
            BackupCatalog catalog = new BackupCatalog(store, layout, 2);
            AtomicLong acknowledgedEnd = new AtomicLong(PUBLISHED_BEFORE * RECORDS_PER_SEGMENT - 1);
            List<String> readerFailures = new CopyOnWriteArrayList<>();
            List<Runnable> actors = new ArrayList<>();
            actors.add(() -> {
                for (SegmentInfo segment : segments.subList(PUBLISHED_BEFORE, SEGMENTS)) {
                    catalog.publishIndex(index(segment), merging);
                    acknowledgedEnd.set(segment.lastOffset());
                    catalog.checkpoint(TOPIC, 0, merging);
                }
            });
            for (int owner = 0; owner < 2; owner++) {
                actors.add(() -> {
                    SegmentCompaction compaction = compaction(catalog);
                    for (int step = 0; step < STEPS_PER_OWNER; step++) {
                        Instant now = step < STEPS_PER_OWNER / 2 ? merging : cleaning;
                        try {
                            compaction.compact(TOPIC, 0, now);
                        } catch (RuntimeException e) {
                            // a racing owner deleted a source after the grace: this merge is given up, as the
                            // publisher does, and nothing changes
                        }
                        catalog.checkpoint(TOPIC, 0, now);
                    }
                });
            }
            actors.add(() -> {
                for (int read = 0; read < READS; read++) {
                    long end = acknowledgedEnd.get();
                    PartitionIndex seen = read % 2 == 0 ? catalog.readIndex(TOPIC, 0).orElseThrow()
                            : catalog.readWindow(TOPIC, 0, TimeWindow.ALL);
                    String gap = uncovered(seen.segments(), end);
                    if (gap != null) {
                        readerFailures.add("read " + read + " of offsets 0.." + end + ": " + gap);
                    }
                }
            });

            store.run(actors);

            String context = "seed " + seed + ", interleaving:\n" + store.trace();
            assertEquals(List.of(), readerFailures, context);
            SegmentCompaction settle = compaction(new BackupCatalog(real, layout, 2));
            BackupCatalog after = new BackupCatalog(real, layout, 2);
            Instant later = cleaning.plus(GRACE);
            for (int step = 0; step < 2 * SEGMENTS; step++) {
                settle.compact(TOPIC, 0, later);
                after.checkpoint(TOPIC, 0, later);
                later = later.plus(GRACE);
            }
            List<SegmentInfo> visible = after.readIndex(TOPIC, 0).orElseThrow().segments();
            assertEquals(null, uncovered(visible, SEGMENTS * RECORDS_PER_SEGMENT - 1), context);
            Map<Long, BackupRecord> restored = records(real, visible);
            assertEquals(original.keySet(), restored.keySet(), "offsets, " + context);
            original.forEach((offset, record) -> {
                BackupRecord back = restored.get(offset);
                assertEquals(record.timestamp(), back.timestamp(), "timestamp of " + offset);
                assertArrayEquals(record.key(), back.key(), "key of " + offset);
                assertArrayEquals(record.value(), back.value(), "value of " + offset);
            });
            assertTrue(visible.size() <= 3, "compacted to a few segments: " + visible.size() + ", " + context);
        }
    }

    /** What of {@code 0..end} the entries do not cover, or null if they cover all of it. */
    private static String uncovered(List<SegmentInfo> entries, long end) {
        long next = 0;
        for (SegmentInfo entry : entries.stream().sorted(Comparator.comparingLong(SegmentInfo::firstOffset)).toList()) {
            if (entry.firstOffset() > next && next <= end) {
                return "offsets " + next + ".." + (entry.firstOffset() - 1) + " not covered by " + keys(entries);
            }
            next = Math.max(next, entry.lastOffset() + 1);
        }
        return next > end ? null : "offsets " + next + ".." + end + " not covered by " + keys(entries);
    }

    /** Every record of {@code segments} by offset; each offset must come from one segment only. */
    private static Map<Long, BackupRecord> records(ObjectStore store, List<SegmentInfo> segments) {
        Map<Long, BackupRecord> records = new TreeMap<>();
        for (SegmentInfo segment : segments) {
            try (InputStream in = store.read(segment.key())) {
                for (BackupRecord record : SegmentReader.readAll(in, segment.key())) {
                    BackupRecord earlier = records.put(record.offset(), record);
                    assertEquals(null, earlier, "offset " + record.offset() + " twice, in " + segment.key());
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return records;
    }

    private SegmentCompaction compaction(BackupCatalog catalog) {
        return new SegmentCompaction(catalog, new SegmentCompaction.Settings(Duration.ofHours(1), 1L << 30, GRACE,
                Codec.ZSTD, 3, 4096, EncryptionKeys.NONE));
    }

    private static PartitionIndex index(SegmentInfo segment) {
        return new PartitionIndex(TOPIC, 0, Instant.EPOCH, List.of(segment));
    }

    private static List<String> keys(List<SegmentInfo> entries) {
        return entries.stream().map(SegmentInfo::key).map(key -> key.substring(key.lastIndexOf('/') + 1)).toList();
    }
}
