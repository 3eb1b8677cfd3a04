package dev.kbackup.layout;

import dev.kbackup.format.Codec;
import dev.kbackup.format.SegmentInfo;
import dev.kbackup.format.TimeWindow;
import dev.kbackup.storage.FilesystemObjectStore;
import dev.kbackup.testing.InterleavingStore;
import dev.kbackup.testing.TestSegments;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Several owners of the same partitions (old and new owners after a rebalance, zombies, several tasks) publish
 * through the real catalog code, and fold it, while readers read it and a store lets their operations through in
 * a seeded random order (delaying and reordering them): no entry that was ever published may go missing from what
 * readers merge, during the run or after.
 */
class CatalogPublicationConcurrencyTest {

    private static final Instant NOW = Instant.parse("2026-11-24T10:00:00Z");
    private static final String TOPIC = "orders";
    private static final int PARTITIONS = 2;
    private static final int SEGMENTS_PER_PARTITION = 10;
    private static final int WRITERS = 4;
    private static final int PUBLICATIONS_PER_WRITER = 8;
    private static final int READERS = 2;
    private static final int READS_PER_READER = 12;

    @TempDir
    Path root;
    private final BackupLayout layout = new BackupLayout("b1");

    @Test
    void concurrentPublishersNeverLoseAnEntryWhateverTheInterleaving() {
        for (long seed = 1; seed <= 40; seed++) {
            FilesystemObjectStore real = new FilesystemObjectStore(root.resolve("seed-" + seed));
            InterleavingStore store = new InterleavingStore(real, seed);
            // fanout 2: pieces, folds, checkpoints and history summaries are created and deleted all the time
            BackupCatalog catalog = new BackupCatalog(store, layout, 2);
            Random random = new Random(seed);
            List<List<PartitionIndex>> plans = plans(random);
            Map<Integer, Set<String>> acknowledged = new ConcurrentHashMap<>();
            List<String> readerFailures = new CopyOnWriteArrayList<>();
            List<Runnable> actors = new ArrayList<>();
            for (List<PartitionIndex> plan : plans) {
                boolean recoversFirst = random.nextBoolean();
                actors.add(() -> {
                    if (recoversFirst) {
                        catalog.recover(TOPIC, plan.get(0).partition()); // as a new owner opening the partition
                    }
                    for (PartitionIndex publication : plan) {
                        catalog.publishIndex(publication, NOW);
                        acknowledged.computeIfAbsent(publication.partition(), p -> ConcurrentHashMap.newKeySet())
                                .addAll(keys(publication));
                        catalog.checkpoint(TOPIC, publication.partition(), NOW);
                    }
                });
            }
            for (int reader = 0; reader < READERS; reader++) {
                int partition = reader % PARTITIONS;
                actors.add(() -> {
                    for (int read = 0; read < READS_PER_READER; read++) {
                        Set<String> before = Set.copyOf(acknowledged.getOrDefault(partition, Set.of()));
                        Set<String> seen = new TreeSet<>(keys(read % 2 == 0
                                ? catalog.readIndex(TOPIC, partition).orElse(PartitionIndex.empty(TOPIC, partition))
                                : catalog.readWindow(TOPIC, partition, TimeWindow.ALL)));
                        if (!seen.containsAll(before)) {
                            Set<String> lost = new TreeSet<>(before);
                            lost.removeAll(seen);
                            readerFailures.add("a reader of partition " + partition + " missed " + lost);
                        }
                    }
                });
            }

            store.run(actors);

            Map<Integer, Set<String>> published = new HashMap<>();
            plans.stream().flatMap(List::stream).forEach(publication -> published
                    .computeIfAbsent(publication.partition(), p -> new TreeSet<>()).addAll(keys(publication)));
            Map<Integer, PartitionIndex> loaded = catalog.loadAll().getOrDefault(TOPIC, Map.of());
            String context = "seed " + seed + ", interleaving:\n" + store.trace();
            assertEquals(List.of(), readerFailures, context);
            for (int partition = 0; partition < PARTITIONS; partition++) {
                Set<String> expected = published.getOrDefault(partition, Set.of());
                String where = "partition " + partition + ", " + context;
                assertEquals(expected, new TreeSet<>(keys(catalog.readIndex(TOPIC, partition)
                        .orElse(PartitionIndex.empty(TOPIC, partition)))), "readIndex, " + where);
                assertEquals(expected, new TreeSet<>(keys(loaded.getOrDefault(partition,
                        PartitionIndex.empty(TOPIC, partition)))), "loadAll, " + where);
                assertEquals(expected, new TreeSet<>(keys(catalog.readWindow(TOPIC, partition, TimeWindow.ALL))),
                        "readWindow, " + where);
                // after everything settled, one more fold and the summary agree with the entries
                catalog.checkpoint(TOPIC, partition, NOW);
                catalog.checkpoint(TOPIC, partition, NOW);
                assertEquals(expected, new TreeSet<>(keys(catalog.readIndex(TOPIC, partition)
                        .orElse(PartitionIndex.empty(TOPIC, partition)))), "after folding, " + where);
            }
        }
    }

    /**
     * The case found in review: the new owner recovered the old owner's last segment and extends the index; the
     * old owner, which read the index before that, publishes its stale pending set afterwards; the new owner goes
     * on. The new owner's first segment must stay listed, and recovery must still find everything.
     */
    @Test
    void anOldOwnersStalePublicationAfterTheNewOwnerExtendedTheIndexLosesNothing() {
        FilesystemObjectStore real = new FilesystemObjectStore(root);
        // actor 0 is the old owner, actor 1 the new one: the old owner runs until it is about to write, then the
        // new owner publishes, then the old owner's write lands.
        InterleavingStore store = new InterleavingStore(real, waiting -> {
            boolean oldOwnerAboutToWrite = waiting.get(0).actor() == 0 && waiting.get(0).operation()
                    .startsWith("put");
            return oldOwnerAboutToWrite && waiting.size() > 1 ? 1 : 0;
        });
        BackupCatalog catalog = new BackupCatalog(store, layout);
        SegmentInfo first = TestSegments.write(real, layout, TOPIC, 0, 0, 99);
        catalog.publishIndex(index(first), NOW);
        SegmentInfo oldOwnersLast = TestSegments.write(real, layout, TOPIC, 0, 100, 199);
        assertEquals(List.of(first.key(), oldOwnersLast.key()), keys(catalog.recover(TOPIC, 0)),
                "the new owner opens the partition and recovers the old owner's unpublished segment");
        SegmentInfo newOwnersFirst = TestSegments.write(real, layout, TOPIC, 0, 200, 299);

        store.run(List.of(
                () -> catalog.publishIndex(index(oldOwnersLast), NOW),
                () -> catalog.publishIndex(index(newOwnersFirst), NOW)));
        SegmentInfo newOwnersSecond = TestSegments.write(real, layout, TOPIC, 0, 300, 399);
        catalog.publishIndex(index(newOwnersSecond), NOW);

        List<String> all = List.of(first.key(), oldOwnersLast.key(), newOwnersFirst.key(), newOwnersSecond.key());
        assertEquals(all, keys(catalog.readIndex(TOPIC, 0).orElseThrow()), "interleaving:\n" + store.trace());
        assertEquals(399, catalog.recover(TOPIC, 0).lastOffset());
        assertEquals(all, keys(catalog.loadAll().get(TOPIC).get(0)));
    }

    /** Per writer, its publications: random subsets of each partition's segments, overlapping between writers. */
    private List<List<PartitionIndex>> plans(Random random) {
        List<List<SegmentInfo>> universe = new ArrayList<>();
        for (int partition = 0; partition < PARTITIONS; partition++) {
            List<SegmentInfo> segments = new ArrayList<>();
            for (int i = 0; i < SEGMENTS_PER_PARTITION; i++) {
                segments.add(entry(partition, i * 100L, i * 100L + 99));
            }
            universe.add(segments);
        }
        List<List<PartitionIndex>> plans = new ArrayList<>();
        for (int writer = 0; writer < WRITERS; writer++) {
            List<PartitionIndex> plan = new ArrayList<>();
            for (int publication = 0; publication < PUBLICATIONS_PER_WRITER; publication++) {
                int partition = random.nextInt(PARTITIONS);
                List<SegmentInfo> chosen = new ArrayList<>();
                int from = random.nextInt(SEGMENTS_PER_PARTITION);
                int count = 1 + random.nextInt(4);
                for (int i = from; i < Math.min(SEGMENTS_PER_PARTITION, from + count); i++) {
                    chosen.add(universe.get(partition).get(i));
                }
                plan.add(new PartitionIndex(TOPIC, partition, NOW, chosen));
            }
            plans.add(plan);
        }
        return plans;
    }

    private SegmentInfo entry(int partition, long first, long last) {
        return new SegmentInfo(layout.segmentKey(TOPIC, partition, first, Codec.ZSTD), TOPIC, partition, Codec.ZSTD,
                first, last, last - first + 1, 1_000 + first, 1_000 + last, 4_096, 16_384, first * 31 + partition,
                1, first);
    }

    private static PartitionIndex index(SegmentInfo segment) {
        return new PartitionIndex(segment.topic(), segment.partition(), NOW, List.of(segment));
    }

    private static List<String> keys(PartitionIndex index) {
        return index.segments().stream().map(SegmentInfo::key).toList();
    }
}
