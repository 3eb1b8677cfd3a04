package dev.kbackup.sink;

import dev.kbackup.format.BackupRecord;
import dev.kbackup.format.Codec;
import dev.kbackup.format.SegmentInfo;
import dev.kbackup.layout.BackupCatalog;
import dev.kbackup.layout.BackupLayout;
import dev.kbackup.storage.ObjectStore;
import dev.kbackup.storage.ObjectStores;
import dev.kbackup.testing.BackupContents;
import dev.kbackup.testing.FaultInjectingProxy;
import dev.kbackup.testing.RandomRecords;
import dev.kbackup.testing.S3ProxyFixture;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The pipeline and partition writers against a real S3 API, with faults injected in front of it. */
class SegmentPipelineTest {

    private static final TopicPartition ORDERS_0 = new TopicPartition("orders", 0);
    private static S3ProxyFixture s3;
    private static FaultInjectingProxy faults;

    @BeforeAll
    static void start() throws Exception {
        s3 = S3ProxyFixture.start();
        faults = FaultInjectingProxy.start(s3.endpoint());
    }

    @AfterAll
    static void stop() throws Exception {
        faults.close();
        s3.close();
    }

    @Test
    void writerRollsSegmentsBySizeAndStoresEveryRecordOnce() throws Exception {
        try (Fixture fixture = new Fixture("by-size", ObjectStores.open(s3.storageSettings()))) {
            PartitionWriter writer = fixture.writer(-1, 64 * 1024, 60_000);
            List<BackupRecord> records = new RandomRecords(1).records(0, 3000);
            for (BackupRecord record : records) {
                writer.accept(record, 0);
            }
            writer.roll();
            assertTrue(fixture.pipeline.awaitQueued(30_000));

            assertEquals(records.get(records.size() - 1).offset(), fixture.lastCompletedOffset());
            BackupContents stored = BackupContents.read(fixture.store, fixture.layout);
            assertEquals(records, stored.records("orders", 0));
            assertTrue(stored.segmentKeys("orders", 0).size() > 3, "several segments by size");
        }
    }

    @Test
    void segmentsSmallerThanAnUploadPartAreEachSentWithOnePut() throws Exception {
        try (Fixture fixture = new Fixture("small", ObjectStores.open(s3.storageSettings(Map.of("s3.endpoint",
                faults.endpoint().toString(), "s3.part.size.bytes", Integer.toString(8 * 1024 * 1024)))))) {
            faults.resetCounters();
            // one 16 KiB block per segment, a five-hundredth of a part
            PartitionWriter writer = fixture.writer(-1, 16 * 1024, 60_000);
            List<BackupRecord> records = new RandomRecords(2).records(0, 2000);
            records.forEach(record -> writer.accept(record, 0));
            writer.roll();
            assertTrue(fixture.pipeline.awaitQueued(30_000));

            BackupContents stored = BackupContents.read(fixture.store, fixture.layout);
            assertEquals(records, stored.records("orders", 0));
            int segments = stored.segmentKeys("orders", 0).size();
            assertTrue(segments > 10, segments + " segments");
            List<FaultInjectingProxy.Request> requests = faults.requests();
            assertEquals(List.of(), requests.stream().filter(FaultInjectingProxy.Request::isCreateMultipartUpload)
                    .filter(request -> request.target().contains("/segment-")).toList());
            assertEquals(segments, requests.stream().filter(FaultInjectingProxy.Request::isPutObject)
                    .filter(request -> request.target().contains("/segment-")).count(),
                    "one PutObject per segment: " + requests);
        }
    }

    @Test
    void redeliveredAndAlreadyStoredOffsetsAreSkipped() throws Exception {
        try (Fixture fixture = new Fixture("skips", ObjectStores.open(s3.storageSettings()))) {
            PartitionWriter writer = fixture.writer(99, 1 << 20, 60_000);
            List<BackupRecord> records = new RandomRecords(2).records(90, 40);
            long taken = records.stream().filter(r -> writer.accept(r, 0)).count();
            long again = records.stream().filter(r -> writer.accept(r, 0)).count();
            assertEquals(records.stream().filter(r -> r.offset() > 99).count(), taken);
            assertEquals(0, again);
            writer.discard();
            assertEquals(100, writer.resumeOffset(), "discarding goes back to the first offset not stored");
        }
    }

    @Test
    void aZombieCompletingTheSameSegmentFirstSupersedesTheLaterWriter() throws Exception {
        try (Fixture zombie = new Fixture("zombie", ObjectStores.open(s3.storageSettings()));
             Fixture owner = new Fixture("zombie", ObjectStores.open(s3.storageSettings()))) {
            List<BackupRecord> records = new RandomRecords(3).records(500, 200);
            PartitionWriter old = zombie.writer(499, 1 << 20, 60_000);
            PartitionWriter current = owner.writer(499, 1 << 20, 60_000);
            records.subList(0, 150).forEach(r -> old.accept(r, 0));
            records.forEach(r -> current.accept(r, 0));
            old.roll();
            assertTrue(zombie.pipeline.awaitQueued(30_000));
            current.roll();
            assertTrue(owner.pipeline.awaitQueued(30_000));

            PipelineEvent event = owner.events.poll();
            assertEquals(PipelineEvent.Kind.SUPERSEDED, event.kind());
            assertEquals(records.get(149).offset(), event.segment().lastOffset(),
                    "the task learns what storage holds and resumes after it");
            assertEquals(records.subList(0, 150), BackupContents.read(owner.store, owner.layout)
                    .records("orders", 0), "the completed segment was not overwritten");
        }
    }

    @Test
    void aFailedUploadPoisonsThePartitionUntilItIsReset() throws Exception {
        try (Fixture fixture = new Fixture("poison", ObjectStores.open(
                s3.storageSettings(Map.of("s3.endpoint", faults.endpoint().toString(), "s3.retry.max.attempts",
                        "1"))))) {
            List<BackupRecord> records = new RandomRecords(4).records(0, 300);
            PartitionWriter writer = fixture.writer(-1, 1 << 20, 60_000);
            records.subList(0, 100).forEach(r -> writer.accept(r, 0));
            faults.failNext(1, 500, request -> request.isPutObject());
            writer.roll();
            records.subList(100, 200).forEach(r -> writer.accept(r, 0));
            writer.roll();
            assertTrue(fixture.pipeline.awaitQueued(30_000));

            assertEquals(PipelineEvent.Kind.FAILED, fixture.events.poll().kind());
            assertTrue(fixture.events.isEmpty(), "the segment after the failed one is dropped, not stored");
            assertEquals(0, BackupContents.read(fixture.store, fixture.layout).recordCount());

            writer.discard();
            fixture.pipeline.reset(ORDERS_0);
            writer.sought();
            assertEquals(0, writer.resumeOffset());
            records.forEach(r -> writer.accept(r, 0));
            writer.roll();
            assertTrue(fixture.pipeline.awaitQueued(30_000));
            assertEquals(PipelineEvent.Kind.COMPLETED, fixture.events.poll().kind());
            assertEquals(records, BackupContents.read(fixture.store, fixture.layout).records("orders", 0));
        }
    }

    @Test
    void aSegmentOpenedAfterAFailureBeforeTheTaskLearntOfItIsRefusedUntilTheReset() throws Exception {
        try (Fixture fixture = new Fixture("poison-later", ObjectStores.open(
                s3.storageSettings(Map.of("s3.endpoint", faults.endpoint().toString(), "s3.retry.max.attempts",
                        "1"))))) {
            List<BackupRecord> records = new RandomRecords(5).records(0, 300);
            PartitionWriter writer = fixture.writer(-1, 1 << 20, 60_000);
            records.subList(0, 100).forEach(r -> writer.accept(r, 0));
            faults.failNext(1, 500, request -> request.isPutObject());
            writer.roll();
            assertTrue(fixture.pipeline.awaitQueued(30_000));
            // The failure happened; the task has not drained its event yet and opens the next segment.
            records.subList(100, 200).forEach(r -> writer.accept(r, 0));
            writer.roll();
            assertTrue(fixture.pipeline.awaitQueued(30_000));

            assertEquals(PipelineEvent.Kind.FAILED, fixture.events.poll().kind());
            assertTrue(fixture.events.isEmpty(), "the later segment did not complete: " + fixture.events);
            assertEquals(0, BackupContents.read(fixture.store, fixture.layout).recordCount(),
                    "nothing after the failed range is stored");

            writer.discard();
            fixture.pipeline.reset(ORDERS_0);
            writer.sought();
            records.forEach(r -> writer.accept(r, 0));
            writer.roll();
            assertTrue(fixture.pipeline.awaitQueued(30_000));
            assertEquals(PipelineEvent.Kind.COMPLETED, fixture.events.poll().kind());
            assertEquals(records, BackupContents.read(fixture.store, fixture.layout).records("orders", 0));
        }
    }

    /** A pipeline, its events and a store for one backup id. */
    private static final class Fixture implements AutoCloseable {
        final ObjectStore store;
        final BackupLayout layout;
        final MemoryBudget budget = new MemoryBudget(64L << 20);
        final ConcurrentLinkedQueue<PipelineEvent> events = new ConcurrentLinkedQueue<>();
        final SegmentPipeline pipeline;

        Fixture(String backupId, ObjectStore store) {
            this.store = store;
            this.layout = new BackupLayout(backupId);
            this.pipeline = new SegmentPipeline(store, new BackupCatalog(store, layout), Codec.ZSTD, 3, 16 * 1024,
                    budget, new SegmentPipeline.Listener() {
                        @Override
                        public void completed(TopicPartition partition, SegmentInfo segment, long nanos) {
                            events.add(PipelineEvent.completed(partition, segment, nanos));
                        }

                        @Override
                        public void superseded(TopicPartition partition, String key, SegmentInfo existing) {
                            events.add(PipelineEvent.superseded(partition, key, existing));
                        }

                        @Override
                        public void failed(TopicPartition partition, String key, Throwable cause) {
                            events.add(PipelineEvent.failed(partition, key, cause));
                        }
                    }, "test-pipeline");
        }

        PartitionWriter writer(long durable, long segmentMaxBytes, long maxAgeMillis) {
            return new PartitionWriter(ORDERS_0, durable, pipeline, layout, Codec.ZSTD, 16 * 1024, segmentMaxBytes,
                    maxAgeMillis, budget);
        }

        long lastCompletedOffset() {
            return events.stream().filter(e -> e.kind() == PipelineEvent.Kind.COMPLETED)
                    .mapToLong(e -> e.segment().lastOffset()).max().orElse(-1);
        }

        @Override
        public void close() {
            pipeline.close();
            store.close();
            assertEquals(0, budget.pipelineBytes(), "every held byte was released");
            assertFalse(budget.pipelineBusy(), "every piece of queued work was counted as done");
            assertEquals(0, budget.openBlockBytes(), "every open block was handed on or dropped, and reported so");
        }
    }
}
