package dev.kbackup.sink;

import dev.kbackup.format.Codec;
import dev.kbackup.format.SegmentInfo;
import dev.kbackup.layout.BackupCatalog;
import dev.kbackup.layout.BackupLayout;
import dev.kbackup.layout.CatalogObject;
import dev.kbackup.layout.SourceCluster;
import dev.kbackup.storage.ObjectStore;
import dev.kbackup.storage.ObjectStores;
import dev.kbackup.storage.StorageException;
import dev.kbackup.storage.StorageSettings;
import dev.kbackup.testing.Await;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Publication of the catalog on a real filesystem store with a real SQLite side-store. */
class CatalogPublisherTest {

    private static final TopicPartition ORDERS_0 = new TopicPartition("orders", 0);
    private static final StateStore.JobStatus JOB = new StateStore.JobStatus("b1", "backup", 0, "RUNNING", "host");
    private static final SourceCluster SOURCE = new SourceCluster(null, null);

    @Test
    void eachRunWritesOnlyWhatChangedSinceTheLastAndTheCatalogStaysSmall(@TempDir Path dir) {
        BackupLayout layout = new BackupLayout("b1");
        int fanout = 4;
        int runs = 64;
        try (FaultyStore store = new FaultyStore(ObjectStores.open(StorageSettings.parse(Map.of("storage.type",
                "filesystem", "filesystem.path", dir.resolve("bucket").toString()))));
             StateStore state = StateStore.open(dir.resolve("task-0.db"))) {
            BackupCatalog catalog = new BackupCatalog(store, layout, fanout);
            state.jobStarted(JOB, 1);
            try (CatalogPublisher sync = new CatalogPublisher(catalog, store, state, JOB, SOURCE,
                    layout.stateKey("task-0.db"), Duration.ofHours(1), Clock.systemUTC(), "test-sync")) {
                List<Long> catalogBytesPerRun = new ArrayList<>();
                for (int run = 0; run < runs; run++) {
                    SegmentInfo segment = segment(layout, run * 10L);
                    state.checkpoint(JOB, List.of(new StateStore.PartitionProgress(ORDERS_0, segment.lastOffset(),
                            segment.key(), 10)), List.of(segment), run);
                    store.puts.clear();
                    sync.runOnce();
                    List<CatalogObject> pieces = catalogPuts(store).stream()
                            .filter(object -> object.level() == CatalogObject.Level.PIECE).toList();
                    assertEquals(1, pieces.size(), "run " + run + " wrote " + store.puts);
                    assertEquals(segment.firstOffset(), pieces.get(0).firstOffset(), "only the new segment");
                    assertEquals(1, pieces.get(0).segmentCount());
                    catalogBytesPerRun.add(store.puts.stream().filter(put -> !put.getKey().contains("/state/"))
                            .mapToLong(Map.Entry::getValue).sum());
                }
                store.puts.clear();
                sync.runOnce();
                assertEquals(List.of(), catalogPuts(store), "an idle run writes no catalog object");
                assertTrue(store.puts.stream().noneMatch(put -> put.getKey().equals(layout.manifestKey())),
                        "the manifest is written once");

                // a fold every 4 runs and a checkpoint every 16: averaged over 16 runs, the first and the last
                // 16 runs write the same
                long first16 = catalogBytesPerRun.subList(1, 17).stream().mapToLong(Long::longValue).sum();
                long last16 = catalogBytesPerRun.subList(runs - 16, runs).stream().mapToLong(Long::longValue).sum();
                assertTrue(last16 <= first16 * 1.05, "catalog bytes per 16 runs: first " + first16 + ", last "
                        + last16 + " (" + catalogBytesPerRun + ")");
                long inIndexFolder = catalogObjectsIn(store, layout.indexPrefix());
                assertTrue(inIndexFolder < 2L * fanout + 1, inIndexFolder + " objects in index/");
                assertEquals(runs / (fanout * fanout), catalogObjectsIn(store, layout.checkpointsPrefix()));
                assertEquals(runs, catalog.readIndex("orders", 0).orElseThrow().segments().size());
                assertEquals(runs * 10L, catalog.readManifest().orElseThrow().recordCount());
            }
        }
    }

    private static List<CatalogObject> catalogPuts(FaultyStore store) {
        return store.puts.stream().flatMap(put -> CatalogObject.parse(put.getKey()).stream()).toList();
    }

    private static long catalogObjectsIn(ObjectStore store, String prefix) {
        long[] count = {0};
        store.list(prefix, null).forEachRemaining(object -> count[0]++);
        return count[0];
    }

    private static SegmentInfo segment(BackupLayout layout, long first) {
        return new SegmentInfo(layout.segmentKey("orders", 0, first, Codec.ZSTD), "orders", 0, Codec.ZSTD, first,
                first + 9, 10, 1_000 + first, 1_000 + first + 9, 1000, 5000, 1234L, 1, first);
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
