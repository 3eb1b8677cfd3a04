package dev.kbackup.sink;

import dev.kbackup.format.Codec;
import dev.kbackup.format.EncryptionKeys;
import dev.kbackup.format.SegmentInfo;
import dev.kbackup.layout.BackupCatalog;
import dev.kbackup.layout.BackupLayout;
import dev.kbackup.layout.SegmentCompaction;
import dev.kbackup.layout.SourceCluster;
import dev.kbackup.storage.ForwardingObjectStore;
import dev.kbackup.storage.ObjectInfo;
import dev.kbackup.storage.ObjectStore;
import dev.kbackup.storage.ObjectStores;
import dev.kbackup.storage.StorageSettings;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the publisher lists, on a real filesystem store and SQLite side-store: with many partitions every listing
 * per partition per run is a storage request per partition, so upkeep lists only where it can have work.
 */
class CatalogPublisherListingsTest {

    private static final StateStore.JobStatus JOB = new StateStore.JobStatus("b1", "backup", 0, "RUNNING", "host");
    private static final SourceCluster SOURCE = new SourceCluster(null, null);
    private static final SegmentCompaction.Settings COMPACTION = new SegmentCompaction.Settings(Duration.ofHours(1),
            1L << 30, Duration.ofHours(1), Codec.ZSTD, 3, 4096, EncryptionKeys.NONE);
    private static final Pattern PARTITION = Pattern.compile("partition=(\\d+)/");

    @TempDir
    Path dir;
    private final BackupLayout layout = new BackupLayout("b1");

    @Test
    void aPartitionIsListedForAFoldOnlyWhenEnoughPiecesCanHaveGathered() {
        int fanout = 4;
        try (ListingStore store = new ListingStore(open());
             StateStore state = StateStore.open(dir.resolve("task-0.db"))) {
            BackupCatalog catalog = new BackupCatalog(store, layout, fanout);
            state.jobStarted(JOB, 1);
            List<Integer> runsThatListed = new ArrayList<>();
            try (CatalogPublisher sync = publisher(catalog, store, state)) {
                for (int run = 0; run < 12; run++) {
                    pending(state, 0, run * 10L, run);
                    store.listed.clear();
                    sync.runOnce();
                    if (!store.listed.isEmpty()) {
                        runsThatListed.add(run);
                    }
                }
            }
            // the first run does not know the partition; then a fold is due every fourth piece
            assertEquals(List.of(0, 3, 7, 11), runsThatListed);
            assertEquals(12, catalog.readIndex("orders", 0).orElseThrow().segments().size());
            assertTrue(objectsIn(store, layout.partitionIndexPrefix("orders", 0)) < fanout,
                    "folded as before: fewer than the fanout objects left in index/");
        }
    }

    @Test
    void theRunOnCloseOnlyPublishes() {
        try (ListingStore store = new ListingStore(open());
             StateStore state = StateStore.open(dir.resolve("task-0.db"))) {
            BackupCatalog catalog = new BackupCatalog(store, layout);
            state.jobStarted(JOB, 1);
            List<TopicPartition> owned = IntStream.range(0, 3).mapToObj(p -> new TopicPartition("orders", p))
                    .toList();
            CatalogPublisher sync = publisher(catalog, store, state);
            sync.compact(new CatalogPublisher.Compaction(COMPACTION, () -> owned, new MemoryBudget(1L << 30), 0));
            sync.retain(new CatalogPublisher.Retention(Duration.ofDays(7), Duration.ofHours(1), () -> owned));
            for (int p = 0; p < 3; p++) {
                pending(state, p, 0, p);
            }

            sync.close();

            assertEquals(Set.of(), partitionsListed(store.listed),
                    "no fold, retention or compaction while the task stops: " + store.listed);
            for (int p = 0; p < 3; p++) {
                assertEquals(10, catalog.readIndex("orders", p).orElseThrow().segments().get(0).recordCount());
            }
            assertTrue(state.pendingSegments().isEmpty(), "published");
        }
    }

    @Test
    void compactionLooksAtALimitedNumberOfPartitionsPerRunTakingTurns() {
        assertLooksTakeTurns((sync, owned) -> sync.compact(new CatalogPublisher.Compaction(COMPACTION, () -> owned,
                new MemoryBudget(1L << 30), 0)));
    }

    @Test
    void retentionLooksAtALimitedNumberOfPartitionsPerRunTakingTurns() {
        assertLooksTakeTurns((sync, owned) -> sync.retain(new CatalogPublisher.Retention(Duration.ofDays(7),
                Duration.ofHours(1), () -> owned)));
    }

    /** Three runs over more partitions than two runs may look at: each looks at the next ones, until all had one. */
    private void assertLooksTakeTurns(BiConsumer<CatalogPublisher, List<TopicPartition>> policy) {
        int partitions = 2 * CatalogPublisher.LOOKS_PER_RUN + 10;
        try (ListingStore store = new ListingStore(open());
             StateStore state = StateStore.open(dir.resolve("task-0.db"))) {
            state.jobStarted(JOB, 1);
            List<TopicPartition> owned = IntStream.range(0, partitions)
                    .mapToObj(p -> new TopicPartition("orders", p)).toList();
            try (CatalogPublisher sync = publisher(new BackupCatalog(store, layout), store, state)) {
                policy.accept(sync, owned);
                Set<Integer> seen = new HashSet<>();
                List<Integer> lookedAtPerRun = new ArrayList<>();
                for (int run = 0; run < 3; run++) {
                    store.listed.clear();
                    sync.runOnce();
                    Set<Integer> looked = partitionsListed(store.listed);
                    lookedAtPerRun.add(looked.size());
                    assertTrue(Collections.disjoint(seen, looked), "run " + run + " took the next partitions' turn");
                    seen.addAll(looked);
                }
                int most = CatalogPublisher.LOOKS_PER_RUN;
                assertEquals(List.of(most, most, 10), lookedAtPerRun);
                assertEquals(partitions, seen.size(), "every partition had its turn");
            }
        }
    }

    private CatalogPublisher publisher(BackupCatalog catalog, ObjectStore store, StateStore state) {
        return new CatalogPublisher(catalog, store, state, JOB, SOURCE, layout.stateKey("task-0.db"),
                Duration.ofHours(1), Clock.systemUTC(), "test-sync");
    }

    private ObjectStore open() {
        return ObjectStores.open(StorageSettings.parse(Map.of("storage.type", "filesystem", "filesystem.path",
                dir.resolve("bucket").toString())));
    }

    /** A completed segment of ten records at {@code first}, pending publication in the side-store. */
    private void pending(StateStore state, int partition, long first, long checkpoint) {
        SegmentInfo segment = new SegmentInfo(layout.segmentKey("orders", partition, first, Codec.ZSTD), "orders",
                partition, Codec.ZSTD, first, first + 9, 10, 1_000 + first, 1_000 + first + 9, 1000, 5000, 1234L, 1,
                first);
        state.checkpoint(JOB, List.of(new StateStore.PartitionProgress(new TopicPartition("orders", partition),
                segment.lastOffset(), segment.key(), 10)), List.of(segment), checkpoint);
    }

    private static Set<Integer> partitionsListed(List<String> prefixes) {
        Set<Integer> partitions = new HashSet<>();
        for (String prefix : prefixes) {
            Matcher matcher = PARTITION.matcher(prefix);
            if (matcher.find()) {
                partitions.add(Integer.parseInt(matcher.group(1)));
            }
        }
        return partitions;
    }

    private static long objectsIn(ObjectStore store, String prefix) {
        long[] count = {0};
        store.list(prefix, null).forEachRemaining(object -> count[0]++);
        return count[0];
    }

    /** Records the prefix of every listing. */
    private static final class ListingStore extends ForwardingObjectStore {
        final List<String> listed = Collections.synchronizedList(new ArrayList<>());

        ListingStore(ObjectStore delegate) {
            super(delegate);
        }

        @Override
        public Iterator<ObjectInfo> list(String prefix, String startAfter) {
            listed.add(prefix);
            return delegate.list(prefix, startAfter);
        }
    }
}
