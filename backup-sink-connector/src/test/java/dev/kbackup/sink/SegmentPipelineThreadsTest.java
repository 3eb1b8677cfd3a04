package dev.kbackup.sink;

import dev.kbackup.format.BackupRecord;
import dev.kbackup.format.Codec;
import dev.kbackup.format.SegmentInfo;
import dev.kbackup.layout.BackupCatalog;
import dev.kbackup.layout.BackupLayout;
import dev.kbackup.storage.FilesystemObjectStore;
import dev.kbackup.testing.BackupContents;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The pipeline on several threads over a filesystem store, with one partition's completion held back: the other
 * partitions go on, while each partition keeps its order and its poison rule.
 */
class SegmentPipelineThreadsTest {

    private static final TopicPartition P0 = new TopicPartition("orders", 0);
    private static final TopicPartition P1 = new TopicPartition("orders", 1);
    private static final TopicPartition P2 = new TopicPartition("orders", 2);
    private static final int BLOCK_BYTES = WriterFixture.BLOCK_BYTES;

    @TempDir
    Path dir;
    private FaultyStore store;
    private final BackupLayout layout = new BackupLayout("b1");
    private final MemoryBudget budget = new MemoryBudget(64L << 20);
    private final PartitionWriters writers = new PartitionWriters();
    private final PipelineEvents events = new PipelineEvents(writers, (segment, nanos) -> { });
    /** What the pipeline reported, in the order it reported it, for the test to wait on. */
    private final BlockingQueue<PipelineEvent> reported = new LinkedBlockingQueue<>();
    private SegmentPipeline pipeline;

    @BeforeEach
    void start() {
        store = new FaultyStore(new FilesystemObjectStore(dir));
    }

    @AfterEach
    void stop() {
        if (pipeline != null) {
            pipeline.close();
        }
        store.close();
        assertEquals(0, budget.pipelineBytes(), "every held byte was released");
        assertFalse(budget.pipelineBusy(), "every piece of queued work was counted as done");
    }

    @Test
    void aSlowCompletionOfOnePartitionDoesNotHoldUpAnother() throws Exception {
        startPipeline(2);
        FaultyStore.Hold hold = new FaultyStore.Hold();
        store.holdCompletionOnce(key -> key.contains("/orders/partition=0/"), hold);
        PartitionWriter first = open(P0);
        PartitionWriter second = open(P1);
        List<BackupRecord> records0 = WriterFixture.records(0, 200);
        List<BackupRecord> records1 = WriterFixture.records(0, 300);

        writeSegment(first, records0);
        assertTrue(hold.awaitEntered(), "partition 0's completion started and waits");
        writeSegment(second, records1);

        PipelineEvent event = next();
        assertEquals(PipelineEvent.Kind.COMPLETED, event.kind());
        assertEquals(P1, event.partition(), "partition 1 was compressed and completed meanwhile");
        assertEquals(299, second.durableOffset());
        assertEquals(-1, first.durableOffset(), "partition 0 is still waiting for storage");
        assertEquals(records1, BackupContents.read(store, layout).records("orders", 1));
        assertFalse(pipeline.awaitQueued(0), "waiting for the queued work covers the thread still held");

        hold.release();
        assertTrue(pipeline.awaitQueued(30_000));
        assertEquals(199, first.durableOffset());
        assertEquals(records0, BackupContents.read(store, layout).records("orders", 0));
    }

    @Test
    void eachPartitionKeepsItsOrderAndItsPoisonRuleOnSeveralThreads() throws Exception {
        startPipeline(3);
        FaultyStore.Hold hold = new FaultyStore.Hold();
        store.holdCompletionOnce(key -> key.contains("/orders/partition=0/"), hold);
        store.failUploadOnce(key -> key.contains("/orders/partition=1/"), 1,
                () -> new IllegalStateException("test: storage refused a write"));
        List<BackupRecord> records = WriterFixture.records(0, 300);
        PartitionWriter held = open(P0);
        PartitionWriter failing = open(P1);
        PartitionWriter healthy = open(P2);

        for (int segment = 0; segment < 3; segment++) {
            List<BackupRecord> slice = records.subList(segment * 100, segment * 100 + 100);
            writeSegment(held, slice);
            writeSegment(failing, slice);
            writeSegment(healthy, slice);
        }
        assertTrue(hold.awaitEntered(), "partition 0's first completion waits");
        List<PipelineEvent> whileHeld = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            whileHeld.add(next());
        }

        assertEquals(List.of(), of(whileHeld, P0), "partition 0's later segments wait behind its first");
        assertEquals(List.of(PipelineEvent.Kind.FAILED), kinds(of(whileHeld, P1)),
                "partition 1's segments after the failed one are refused, not stored");
        assertEquals(List.of(99L, 199L, 299L), lastOffsets(of(whileHeld, P2)), "partition 2 stored in order");
        assertFalse(pipeline.awaitQueued(0));

        hold.release();
        assertTrue(pipeline.awaitQueued(30_000));
        List<PipelineEvent> afterRelease = new ArrayList<>();
        reported.drainTo(afterRelease);
        assertEquals(List.of(99L, 199L, 299L), lastOffsets(of(afterRelease, P0)), "partition 0 stored in order");
        assertEquals(List.of(), of(afterRelease, P1));
        BackupContents stored = BackupContents.read(store, layout);
        assertEquals(records, stored.records("orders", 0));
        assertEquals(List.of(), stored.records("orders", 1), "nothing after the failed range is stored");
        assertEquals(records, stored.records("orders", 2));

        // The task's rewind of partition 1: a new epoch, whose segments complete again.
        failing.discard();
        pipeline.reset(P1);
        failing.sought();
        writeSegment(failing, records);
        assertTrue(pipeline.awaitQueued(30_000));
        assertEquals(records, BackupContents.read(store, layout).records("orders", 1));
    }

    private void startPipeline(int threads) {
        SegmentPipeline.Listener reporting = new SegmentPipeline.Listener() {
            @Override
            public void completed(TopicPartition partition, SegmentInfo segment, long uploadNanos) {
                events.completed(partition, segment, uploadNanos);
                reported.add(PipelineEvent.completed(partition, segment, uploadNanos));
            }

            @Override
            public void superseded(TopicPartition partition, String key, SegmentInfo existing) {
                events.superseded(partition, key, existing);
                reported.add(PipelineEvent.superseded(partition, key, existing));
            }

            @Override
            public void failed(TopicPartition partition, String key, Throwable cause) {
                events.failed(partition, key, cause);
                reported.add(PipelineEvent.failed(partition, key, cause));
            }
        };
        pipeline = new SegmentPipeline(store, new BackupCatalog(store, layout), Codec.ZSTD, 3, BLOCK_BYTES, budget,
                reporting, "test-pipeline", threads);
    }

    private PartitionWriter open(TopicPartition partition) {
        PartitionWriter writer = new PartitionWriter(partition, -1, pipeline, layout, Codec.ZSTD, BLOCK_BYTES,
                1L << 30, 3_600_000, budget);
        writers.put(partition, writer);
        return writer;
    }

    /** Hands the records to the writer and closes its segment: one block and the completion, queued. */
    private static void writeSegment(PartitionWriter writer, List<BackupRecord> records) {
        records.forEach(record -> writer.accept(record, 0));
        writer.roll();
    }

    private PipelineEvent next() throws InterruptedException {
        PipelineEvent event = reported.poll(30, TimeUnit.SECONDS);
        assertNotNull(event, "the pipeline reported nothing within 30 s");
        return event;
    }

    private static List<PipelineEvent> of(List<PipelineEvent> events, TopicPartition partition) {
        return events.stream().filter(event -> event.partition().equals(partition)).toList();
    }

    private static List<PipelineEvent.Kind> kinds(List<PipelineEvent> events) {
        return events.stream().map(PipelineEvent::kind).toList();
    }

    private static List<Long> lastOffsets(List<PipelineEvent> events) {
        return events.stream().map(event -> event.segment().lastOffset()).toList();
    }
}
