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
import dev.kbackup.storage.StorageException;
import dev.kbackup.storage.StorageSettings;
import dev.kbackup.storage.WriteMode;
import dev.kbackup.testing.Await;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Publication of indexes and manifest on a real filesystem store with a real SQLite side-store. */
class CatalogPublisherTest {

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
            try (CatalogPublisher sync = new CatalogPublisher(catalog, store, state, JOB, SOURCE,
                    layout.stateKey("task-0.db"), Duration.ofHours(1), Clock.systemUTC(), "test-sync")) {
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

    @Test
    void runsThatThrowAnErrorAreCountedAndTheScheduleGoesOnUntilOneSucceeds(@TempDir Path dir) throws Exception {
        BackupLayout layout = new BackupLayout("b1");
        OutOfMemoryError error = new OutOfMemoryError("test: side-store upload");
        CountDownLatch failedRuns = new CountDownLatch(CatalogPublisher.FAILURES_BEFORE_TASK_FAILS + 1);
        CountDownLatch healedRun = new CountDownLatch(1);
        try (FaultyStore store = new FaultyStore(ObjectStores.open(StorageSettings.parse(Map.of("storage.type",
                "filesystem", "filesystem.path", dir.resolve("bucket").toString()))));
             StateStore state = StateStore.open(dir.resolve("task-0.db"))) {
            state.jobStarted(JOB, 1);
            store.failPuts(key -> key.contains("/state/"), () -> {
                failedRuns.countDown();
                return error;
            });
            try (CatalogPublisher sync = new CatalogPublisher(new BackupCatalog(store, layout), store, state, JOB,
                    SOURCE, layout.stateKey("task-0.db"), Duration.ofMillis(10), Clock.systemUTC(), "test-sync")) {
                sync.start();
                assertTrue(failedRuns.await(30, TimeUnit.SECONDS), "runs go on after an Error");
                // The run after the limit has started, so the runs before it have been counted.
                assertTrue(sync.failuresTotal() >= CatalogPublisher.FAILURES_BEFORE_TASK_FAILS);
                assertSame(error, sync.persistentFailure(), "persistent: the task fails naming it");

                store.failPuts(key -> key.contains("/state/"), () -> {
                    healedRun.countDown();
                    return new StorageException("test: storage unreachable", null);
                });
                assertTrue(healedRun.await(30, TimeUnit.SECONDS));
                Await.until(Duration.ofSeconds(30), "the outage to be recorded",
                        () -> sync.persistentFailure() == null);
                assertTrue(sync.consecutiveFailures() > CatalogPublisher.FAILURES_BEFORE_TASK_FAILS,
                        "an outage is counted, but alone does not fail the task: put() waits it out");

                store.heal();
                Await.until(Duration.ofSeconds(30), "a run to succeed", () -> sync.consecutiveFailures() == 0);
                assertNull(sync.persistentFailure());
                assertTrue(sync.millisSinceLastSuccess() < 30_000);
            }
        }
    }
}
