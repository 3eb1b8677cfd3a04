package dev.kbackup.sink;

import dev.kbackup.format.BackupRecord;
import dev.kbackup.format.Codec;
import dev.kbackup.format.TimestampKind;
import dev.kbackup.layout.BackupCatalog;
import dev.kbackup.layout.BackupLayout;
import dev.kbackup.storage.FilesystemObjectStore;
import dev.kbackup.storage.ObjectStore;
import dev.kbackup.testing.RandomRecords;
import org.apache.kafka.common.TopicPartition;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Partition writers over a real filesystem store, with the pipeline's work run at once on the calling thread
 * ({@link DirectExecutor}): a roll has completed (or failed) its segment by the time it returns, and the writer has
 * learnt its durable offset the way the task's writers do, from {@link PipelineEvents}.
 */
final class WriterFixture implements AutoCloseable {

    /** Large enough that the tests' records stay in the open block until a roll. */
    static final int BLOCK_BYTES = 1 << 20;

    final ObjectStore store;
    final BackupLayout layout = new BackupLayout("b1");
    final BackupCatalog catalog;
    final MemoryBudget budget;
    final PartitionWriters writers = new PartitionWriters();
    final PipelineEvents events = new PipelineEvents(writers, (segment, nanos) -> { });
    final SegmentPipeline pipeline;

    WriterFixture(Path dir, long budgetBytes) {
        this.store = new FilesystemObjectStore(dir);
        this.catalog = new BackupCatalog(store, layout);
        this.budget = new MemoryBudget(budgetBytes);
        this.pipeline = new SegmentPipeline(store, catalog, Codec.ZSTD, 3, BLOCK_BYTES, budget, events,
                new DirectExecutor());
    }

    /** A writer for {@code partition} that resumes after {@code durable}, rolling by age after an hour. */
    PartitionWriter open(TopicPartition partition, long durable) {
        PartitionWriter writer = new PartitionWriter(partition, durable, pipeline, layout, Codec.ZSTD, BLOCK_BYTES,
                1L << 30, 3_600_000, budget);
        writers.put(partition, writer);
        return writer;
    }

    /** Records at offsets {@code first} to {@code first + count - 1}, no gaps. */
    static List<BackupRecord> records(long first, int count) {
        List<BackupRecord> records = new ArrayList<>();
        long offset = first;
        for (BackupRecord record : new RandomRecords(first).records(first, count)) {
            records.add(new BackupRecord(offset++, record.timestamp(), record.timestampKind(), record.key(),
                    record.value(), record.headers()));
        }
        return records;
    }

    /** One record whose value has {@code valueBytes} bytes: its open block's buffer grows to hold it. */
    static BackupRecord record(long offset, int valueBytes) {
        return new BackupRecord(offset, 1_763_900_000_000L, TimestampKind.CREATE_TIME, null, new byte[valueBytes],
                List.of());
    }

    /** Drains the events the pipeline queued for the task. */
    List<PipelineEvent> drained() {
        List<PipelineEvent> drained = new ArrayList<>();
        events.drainTo(drained::add);
        return drained;
    }

    @Override
    public void close() {
        pipeline.close();
        store.close();
    }
}
