package dev.kbackup.sink;

import dev.kbackup.format.Codec;
import dev.kbackup.format.EncryptionKeys;
import dev.kbackup.format.SegmentInfo;
import dev.kbackup.layout.BackupCatalog;
import dev.kbackup.layout.BackupLayout;
import dev.kbackup.layout.PartitionIndex;
import dev.kbackup.layout.SegmentCompaction;
import dev.kbackup.layout.SourceCluster;
import dev.kbackup.storage.ForwardingObjectStore;
import dev.kbackup.storage.ObjectInfo;
import dev.kbackup.storage.ObjectStore;
import dev.kbackup.storage.ObjectStores;
import dev.kbackup.storage.ObjectUpload;
import dev.kbackup.storage.StorageSettings;
import dev.kbackup.storage.WriteMode;
import dev.kbackup.testing.TestSegments;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The publisher compacts the partitions its task owns when compaction is on, and never fails a run over it. */
class CatalogPublisherCompactionTest {

    private static final TopicPartition ORDERS_0 = new TopicPartition("orders", 0);
    private static final StateStore.JobStatus JOB = new StateStore.JobStatus("b1", "backup", 0, "RUNNING", "host");
    private static final SegmentCompaction.Settings SETTINGS = new SegmentCompaction.Settings(Duration.ofHours(1),
            1L << 30, Duration.ofHours(1), Codec.ZSTD, 3, 4096, EncryptionKeys.NONE);

    @TempDir
    Path dir;
    private final BackupLayout layout = new BackupLayout("b1");

    @Test
    void anOwnedPartitionIsCompactedWhenCompactionIsOn() {
        List<String> keys = run(true, false);
        assertEquals(List.of(layout.mergedSegmentKey("orders", 0, 0, 299, Codec.ZSTD)), keys);
    }

    @Test
    void nothingIsMergedWithoutCompaction() {
        assertEquals(3, run(false, false).size());
    }

    @Test
    void aMergeThatDoesNotVerifyLeavesTheCatalogAndDoesNotFailTheRun() {
        List<String> keys = run(true, true);
        assertEquals(3, keys.size());
        assertTrue(keys.stream().noneMatch(BackupLayout::isMergedSegmentKey), keys.toString());
    }

    @Test
    void aMergesBuffersCountInTheTaskBudgetWhileItRuns() {
        MemoryBudget budget = new MemoryBudget(64L << 20);
        long mergeBytes = SegmentCompaction.mergeHeapBytes(SETTINGS, 8L << 20);
        List<Long> heldWhileMerging = new ArrayList<>();
        List<Long> heldWhileListing = new ArrayList<>();

        List<String> keys = run(true, false, budget, mergeBytes, store -> new ForwardingObjectStore(store) {
            @Override
            public ObjectUpload startUpload(String key, WriteMode mode) {
                if (BackupLayout.isMergedSegmentKey(key)) {
                    heldWhileMerging.add(budget.held());
                }
                return delegate.startUpload(key, mode);
            }

            @Override
            public Iterator<ObjectInfo> list(String prefix, String startAfter) {
                heldWhileListing.add(budget.held());
                return delegate.list(prefix, startAfter);
            }
        });

        assertEquals(1, keys.size(), keys.toString());
        assertTrue(mergeBytes >= 2 * (8L << 20), "two part buffers at least: " + mergeBytes);
        assertEquals(List.of(mergeBytes), heldWhileMerging);
        assertFalse(heldWhileListing.isEmpty());
        assertEquals(List.of(0L), heldWhileListing.stream().distinct().toList(),
                "looking at the catalog for a merge holds nothing in the budget; only the merge does");
        assertEquals(0, budget.held(), "released after the merge");
    }

    private List<String> run(boolean compaction, boolean wrongEntry) {
        return run(compaction, wrongEntry, new MemoryBudget(1L << 30), 0, store -> store);
    }

    /** Three stored, catalogued segments (the last one's entry wrong if asked), one publisher run; the keys read. */
    private List<String> run(boolean compaction, boolean wrongEntry, MemoryBudget budget, long mergeBytes,
                             UnaryOperator<ObjectStore> wrap) {
        try (ObjectStore store = wrap.apply(ObjectStores.open(StorageSettings.parse(Map.of("storage.type",
                "filesystem", "filesystem.path", dir.resolve("bucket").toString()))));
             StateStore state = StateStore.open(dir.resolve("task-0.db"))) {
            BackupCatalog catalog = new BackupCatalog(store, layout);
            List<SegmentInfo> segments = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                segments.add(TestSegments.write(store, layout, "orders", 0, i * 100L, i * 100L + 99));
            }
            if (wrongEntry) {
                SegmentInfo real = segments.remove(2);
                segments.add(new SegmentInfo(real.key(), real.topic(), real.partition(), real.codec(),
                        real.firstOffset(), real.lastOffset(), real.recordCount() + 1, real.minTimestamp(),
                        real.maxTimestamp(), real.sizeBytes(), real.uncompressedBytes(), real.crc32c(),
                        real.blockCount(), real.coversFrom()));
            }
            catalog.publishIndex(new PartitionIndex("orders", 0, Instant.EPOCH, segments), Instant.EPOCH);
            state.jobStarted(JOB, 1);
            try (CatalogPublisher sync = new CatalogPublisher(catalog, store, state, JOB, new SourceCluster(null,
                    null), layout.stateKey("task-0.db"), Duration.ofHours(1), Clock.systemUTC(), "test-sync")) {
                if (compaction) {
                    sync.compact(new CatalogPublisher.Compaction(SETTINGS, () -> List.of(ORDERS_0), budget,
                            mergeBytes));
                }
                sync.runOnce();
            }
            return catalog.readIndex("orders", 0).orElseThrow().segments().stream().map(SegmentInfo::key).toList();
        }
    }
}
