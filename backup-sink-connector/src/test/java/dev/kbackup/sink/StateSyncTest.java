package dev.kbackup.sink;

import dev.kbackup.format.Codec;
import dev.kbackup.format.SegmentInfo;
import dev.kbackup.layout.BackupCatalog;
import dev.kbackup.layout.BackupLayout;
import dev.kbackup.layout.Json;
import dev.kbackup.layout.Manifest;
import dev.kbackup.layout.PartitionIndex;
import dev.kbackup.layout.SourceCluster;
import dev.kbackup.storage.ObjectStore;
import dev.kbackup.storage.ObjectStores;
import dev.kbackup.storage.StorageSettings;
import dev.kbackup.storage.WriteMode;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Publication of indexes and manifest on a real filesystem store with a real SQLite side-store. */
class StateSyncTest {

    private static final TopicPartition ORDERS_0 = new TopicPartition("orders", 0);
    private static final StateStore.JobStatus JOB = new StateStore.JobStatus("b1", "backup", 0, "RUNNING", "host");
    private static final SourceCluster SOURCE = new SourceCluster(null, null);

    @Test
    void entriesDroppedFromTheManifestByAConcurrentWriterAreAddedAgain(@TempDir Path dir) {
        BackupLayout layout = new BackupLayout("b1");
        SegmentInfo segment = new SegmentInfo(layout.segmentKey("orders", 0, 0, Codec.ZSTD), "orders", 0,
                Codec.ZSTD, 0, 41, 42, 10, 20, 1000, 5000, 1234L, 1, 0);
        try (ObjectStore store = ObjectStores.open(StorageSettings.parse(Map.of("storage.type", "filesystem",
                "filesystem.path", dir.resolve("bucket").toString())));
             StateStore state = StateStore.open(dir.resolve("task-0.db"))) {
            BackupCatalog catalog = new BackupCatalog(store, layout);
            state.jobStarted(JOB, 1);
            state.checkpoint(JOB, List.of(new StateStore.PartitionProgress(ORDERS_0, 41, segment.key(), 42)),
                    List.of(segment), 2);
            try (StateSync sync = new StateSync(catalog, store, state, JOB, SOURCE, layout.stateKey("task-0.db"),
                    Duration.ofHours(1), Clock.systemUTC(), "test-sync")) {
                sync.runOnce();
                assertEquals(42, catalog.readManifest().orElseThrow().recordCount());

                // Another task read the manifest before that publication and writes back its own view.
                PartitionIndex theirs = new PartitionIndex("orders", 1, Instant.now(), List.of(new SegmentInfo(
                        layout.segmentKey("orders", 1, 0, Codec.ZSTD), "orders", 1, Codec.ZSTD, 0, 9, 10, 10, 20,
                        100, 500, 99L, 1, 0)));
                store.put(layout.manifestKey(), Json.write(Manifest.create("b1", Instant.now(), SOURCE)
                        .merge(theirs, SOURCE, Instant.now())), WriteMode.OVERWRITE);
                assertFalse(catalog.readManifest().orElseThrow().partition("orders", 0).isPresent());

                sync.runOnce();
                Manifest repaired = catalog.readManifest().orElseThrow();
                assertTrue(repaired.partition("orders", 0).isPresent(), "orders-0 is listed again");
                assertEquals(52, repaired.recordCount(), "both tasks' partitions are listed");
            }
        }
    }
}
