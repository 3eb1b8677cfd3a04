package dev.kbackup.sink;

import dev.kbackup.format.BackupRecord;
import dev.kbackup.layout.BackupLayout;
import dev.kbackup.storage.ObjectStore;
import dev.kbackup.storage.ObjectStores;
import dev.kbackup.storage.StorageSettings;
import dev.kbackup.testing.BackupContents;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.metrics.KafkaMetric;
import org.apache.kafka.common.metrics.Metrics;
import org.apache.kafka.common.metrics.internals.PluginMetricsImpl;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.sink.SinkRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The task as Connect drives it (open, put, preCommit, close, stop), with its segment pipeline run on the task's
 * thread so that a storage fault strikes at a known point of a {@code put}, against a filesystem store with faults
 * injected in front of it.
 */
class BackupSinkTaskTest {

    private static final TopicPartition ORDERS_0 = new TopicPartition("orders", 0);
    /** About 2 KiB a record: a 1 MiB segment holds about 500. */
    private static final int VALUE_BYTES = 2000;

    @TempDir
    Path dir;
    private final List<BackupSinkTask> started = new ArrayList<>();

    @AfterEach
    void stopTasks() {
        started.forEach(BackupSinkTask::stop);
    }

    @Test
    void aSegmentRolledBySizeAfterAFailedOneInTheSamePutIsNotStoredAndTheRecordsComeAgain() {
        FaultyStore[] faults = new FaultyStore[1];
        TaskContext context = new TaskContext(null);
        BackupSinkTask task = start(context, faults);
        assertEquals(Map.of(ORDERS_0, 0L), open(task, context));
        List<SinkRecord> records = records(0, 1600);
        // The first segment's first part write fails; later segments are opened after that, in the same put.
        faults[0].failUploadOnce(key -> key.contains("/orders/partition=0/"), 1, () -> new OutOfMemoryError("test"));

        task.put(records);

        assertEquals(1, faults[0].faultsThrown.get());
        assertEquals(Map.of(), task.preCommit(consumed(1600)), "nothing is durable: the first segment failed");
        assertEquals(0, contents().recordCount(), "no segment after the failed one was stored");
        deliverUntilStored(task, context, records);
        assertStored(records, contents());
        assertEquals(Map.of(ORDERS_0, 1600L), open(task, context), "the next owner resumes after all of them");
    }

    @Test
    void closeRollingASegmentOpenedAfterAFailureDoesNotStoreItAndTheNextOwnerStartsAtTheFailedRange() {
        FaultyStore[] faults = new FaultyStore[1];
        TaskContext context = new TaskContext(null);
        BackupSinkTask task = start(context, faults);
        open(task, context);
        List<SinkRecord> records = records(0, 700);
        faults[0].failUploadOnce(key -> key.contains("/orders/partition=0/"), 1, () -> new OutOfMemoryError("test"));
        task.put(records);
        assertEquals(Map.of(), task.preCommit(consumed(700)));

        // Revoked before the next put: Connect commits first, then close() rolls the open segment.
        task.close(List.of(ORDERS_0));
        assertEquals(0, contents().recordCount(), "the segment opened after the failure was not stored");

        assertEquals(Map.of(ORDERS_0, 0L), open(task, context), "the next owner starts at the failed range");
        deliverUntilStored(task, context, records);
        assertStored(records, contents());
    }

    @Test
    void stopRollingASegmentOpenedAfterAFailureDoesNotStoreItAndAnotherTaskStartsAtTheFailedRange() {
        FaultyStore[] faults = new FaultyStore[1];
        TaskContext context = new TaskContext(null);
        BackupSinkTask task = start(context, faults);
        open(task, context);
        List<SinkRecord> records = records(0, 700);
        faults[0].failUploadOnce(key -> key.contains("/orders/partition=0/"), 1, () -> new OutOfMemoryError("test"));
        task.put(records);

        task.stop();
        started.remove(task);
        assertEquals(0, contents().recordCount(), "the segment opened after the failure was not stored");

        TaskContext nextContext = new TaskContext(null);
        BackupSinkTask next = start(nextContext, new FaultyStore[1]);
        assertEquals(Map.of(ORDERS_0, 0L), open(next, nextContext));
        deliverUntilStored(next, nextContext, records);
        assertStored(records, contents());
    }

    @Test
    void anErrorWritingAPartInTheMiddleOfASegmentFailsItAndTheRecordsAreStoredAgainWhole() {
        FaultyStore[] faults = new FaultyStore[1];
        DirectExecutor pipeline = new DirectExecutor();
        TaskContext context = new TaskContext(null);
        BackupSinkTask task = start(context, faults, pipeline);
        open(task, context);
        List<SinkRecord> records = records(0, 1200);
        // A write well inside the first segment: blocks before it were written, blocks after it would be too.
        faults[0].failUploadOnce(key -> key.contains("/orders/partition=0/"), 5, () -> new OutOfMemoryError("test"));

        deliverUntilStored(task, context, records);

        assertEquals(1, faults[0].faultsThrown.get());
        assertEquals(List.of(), pipeline.escaped, "the pipeline handled the Error itself");
        BackupContents stored = contents();
        assertStored(records, stored);
        assertTrue(stored.duplicateOffsets().isEmpty());
    }

    @Test
    void backupLagCountsOffsetsDeliveredButNotYetInCompleteSegments() {
        try (Metrics registry = new Metrics()) {
            TaskContext context = new TaskContext(new PluginMetricsImpl(registry, Map.of("connector", "c",
                    "task", "0")));
            BackupSinkTask task = start(context, new FaultyStore[1]);
            open(task, context);
            assertEquals(0.0, backupLag(registry), "nothing delivered, nothing owed");

            // Offsets 0..599 fill one 1 MiB segment (completed at once) and part of the next, still open.
            task.put(records(0, 600));
            long durable = task.preCommit(consumed(600)).get(ORDERS_0).offset() - 1;
            assertTrue(durable > 0 && durable < 599, "one segment complete, the next open: " + durable);
            assertEquals(599.0 - durable, backupLag(registry));

            task.close(List.of(ORDERS_0));
            assertTrue(registry.metrics().keySet().stream().noneMatch(n -> n.name().equals("backup-lag")),
                    "the partition's lag leaves with it");
            open(task, context);
            assertEquals(0.0, backupLag(registry), "everything delivered is stored");
        }
    }

    @Test
    void publicationThatKeepsThrowingAnErrorFailsTheTaskNamingTheCause() throws Exception {
        FaultyStore[] faults = new FaultyStore[1];
        TaskContext context = new TaskContext(null);
        CountDownLatch attempts = new CountDownLatch(CatalogPublisher.FAILURES_BEFORE_TASK_FAILS + 1);
        BackupSinkTask task = start(context, faults, new DirectExecutor(), store -> {
            store.failPuts(key -> key.contains("/state/"), () -> {
                attempts.countDown();
                return new OutOfMemoryError("test: side-store upload");
            });
        });
        open(task, context);
        // Runs are sequential: the attempt after the limit has started, so the limit's runs have been counted.
        assertTrue(attempts.await(60, TimeUnit.SECONDS), "the sync kept running after an Error");

        ConnectException failure = assertThrows(ConnectException.class, () -> task.put(records(0, 10)));
        assertTrue(failure.getMessage().contains("test: side-store upload"), failure.getMessage());
        assertTrue(failure.getMessage().contains("restart the task"), failure.getMessage());
    }

    private BackupSinkTask start(TaskContext context, FaultyStore[] faults) {
        return start(context, faults, new DirectExecutor());
    }

    private BackupSinkTask start(TaskContext context, FaultyStore[] faults, DirectExecutor pipeline) {
        return start(context, faults, pipeline, store -> { });
    }

    private BackupSinkTask start(TaskContext context, FaultyStore[] faults, DirectExecutor pipeline,
                                 java.util.function.Consumer<FaultyStore> arm) {
        BackupSinkTask task = new BackupSinkTask(Clock.systemUTC(), store -> {
            faults[0] = new FaultyStore(store);
            arm.accept(faults[0]);
            return faults[0];
        }, pipeline);
        task.initialize(context);
        Map<String, String> props = new HashMap<>();
        props.put("name", "orders-backup");
        props.put("topics", "orders");
        props.put("backup.id", "orders-backup");
        props.put("storage.type", "filesystem");
        props.put("filesystem.path", dir.resolve("bucket").toString());
        props.put("state.dir", dir.resolve("state").toString());
        props.put("segment.max.bytes", Integer.toString(1 << 20));
        props.put("segment.block.bytes", Integer.toString(64 << 10));
        props.put("segment.max.interval.ms", "3600000");
        props.put("state.sync.interval.ms", "1000");
        props.put("storage.failure.threshold", "100");
        task.start(props);
        started.add(task);
        return task;
    }

    private static Map<TopicPartition, Long> open(BackupSinkTask task, TaskContext context) {
        context.assign(Set.of(ORDERS_0));
        task.open(List.of(ORDERS_0));
        return context.takeSeeks();
    }

    /** Delivers from where the task asks to be, as Connect does, until a put asks for no seek; then closes. */
    private static void deliverUntilStored(BackupSinkTask task, TaskContext context, List<SinkRecord> records) {
        long from = context.takeSeeks().getOrDefault(ORDERS_0, 0L);
        for (int round = 0; round < 5; round++) {
            final long start = from;
            task.put(records.stream().filter(r -> r.kafkaOffset() >= start).toList());
            // Connect calls put again, with or without records: the task learns then what the pipeline did.
            task.put(List.of());
            Map<TopicPartition, Long> seeks = context.takeSeeks();
            if (seeks.isEmpty()) {
                task.close(List.of(ORDERS_0));
                return;
            }
            from = seeks.get(ORDERS_0);
        }
        throw new AssertionError("the task kept asking to read again");
    }

    private BackupContents contents() {
        try (ObjectStore store = ObjectStores.open(StorageSettings.parse(Map.of("storage.type", "filesystem",
                "filesystem.path", dir.resolve("bucket").toString())))) {
            return BackupContents.read(store, new BackupLayout("orders-backup"));
        }
    }

    private static Map<TopicPartition, OffsetAndMetadata> consumed(long next) {
        return Map.of(ORDERS_0, new OffsetAndMetadata(next));
    }

    private static double backupLag(Metrics registry) {
        KafkaMetric metric = registry.metrics().entrySet().stream()
                .filter(e -> e.getKey().name().equals("backup-lag")
                        && "orders".equals(e.getKey().tags().get("topic"))
                        && "0".equals(e.getKey().tags().get("partition")))
                .map(Map.Entry::getValue).findFirst().orElse(null);
        assertNotNull(metric, "backup-lag of orders-0 is registered");
        return (Double) metric.metricValue();
    }

    private static List<SinkRecord> records(long first, int count) {
        Random random = new Random(first);
        List<SinkRecord> records = new ArrayList<>(count);
        for (long offset = first; offset < first + count; offset++) {
            byte[] value = new byte[VALUE_BYTES];
            random.nextBytes(value);
            records.add(new SinkRecord("orders", 0, Schema.OPTIONAL_BYTES_SCHEMA, ("k" + offset).getBytes(),
                    Schema.OPTIONAL_BYTES_SCHEMA, value, offset, 1_700_000_000_000L + offset,
                    TimestampType.CREATE_TIME));
        }
        return records;
    }

    /** The backup holds exactly {@code records}, in order, byte for byte. */
    private static void assertStored(List<SinkRecord> records, BackupContents stored) {
        List<BackupRecord> expected = records.stream().map(SinkRecordConverter::toBackupRecord).toList();
        List<BackupRecord> actual = stored.records("orders", 0);
        assertEquals(expected.stream().map(BackupRecord::offset).toList(),
                actual.stream().map(BackupRecord::offset).toList(), "the offsets stored");
        assertTrue(expected.equals(actual), "the stored records are the delivered ones, byte for byte");
    }
}
