package dev.kbackup.sink;

import dev.kbackup.format.BackupRecord;
import dev.kbackup.format.Codec;
import dev.kbackup.format.SegmentInfo;
import dev.kbackup.layout.BackupCatalog;
import dev.kbackup.layout.BackupLayout;
import dev.kbackup.storage.FilesystemObjectStore;
import dev.kbackup.storage.ObjectStore;
import dev.kbackup.testing.RandomRecords;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Each segment a partition writer opens records the offset it continues from, so real gaps are data. */
class PartitionWriterCoversFromTest {

    private static final TopicPartition ORDERS_0 = new TopicPartition("orders", 0);

    @Test
    void segmentsRecordTheOffsetTheyContinueFromAcrossGapsAndResumes(@TempDir Path dir) throws Exception {
        ObjectStore store = new FilesystemObjectStore(dir);
        BackupLayout layout = new BackupLayout("b1");
        BackupCatalog catalog = new BackupCatalog(store, layout);
        Map<Long, SegmentInfo> completed = new ConcurrentHashMap<>();
        MemoryBudget budget = new MemoryBudget(64L << 20);
        SegmentPipeline pipeline = new SegmentPipeline(store, catalog, Codec.ZSTD, 3, 16 * 1024, budget,
                new SegmentPipeline.Listener() {
                    @Override
                    public void completed(TopicPartition partition, SegmentInfo segment, long nanos) {
                        completed.put(segment.firstOffset(), segment);
                    }

                    @Override
                    public void superseded(TopicPartition partition, String key, SegmentInfo existing) {
                    }

                    @Override
                    public void failed(TopicPartition partition, String key, Throwable cause) {
                    }
                }, "test-pipeline");
        try {
            PartitionWriter first = new PartitionWriter(ORDERS_0, -1, pipeline, layout, Codec.ZSTD, 16 * 1024,
                    1L << 30, 60_000, budget);
            write(first, 5, 5);    // the partition's very first records start at offset 5 (retention took 0..4)
            write(first, 12, 3);   // offsets 10 and 11 were compacted away
            PartitionWriter resumed = new PartitionWriter(ORDERS_0, 14, pipeline, layout, Codec.ZSTD, 16 * 1024,
                    1L << 30, 60_000, budget);
            write(resumed, 20, 2); // a new owner resumed after offset 14; 15..19 are transaction markers
            assertTrue(pipeline.awaitQueued(30_000));

            assertEquals(5, completed.get(5L).coversFrom(), "a partition's first segment covers from its first record");
            assertEquals(10, completed.get(12L).coversFrom(), "the next one continues after the previous segment");
            assertEquals(15, completed.get(20L).coversFrom(), "after a resume it continues from the resume point");
            List<Long> stored = catalog.recover("orders", 0).segments().stream().map(SegmentInfo::coversFrom)
                    .toList();
            assertEquals(List.of(5L, 10L, 15L), stored, "the footers say the same");
        } finally {
            pipeline.close();
            store.close();
        }
    }

    private static void write(PartitionWriter writer, long firstOffset, int count) {
        long offset = firstOffset;
        for (BackupRecord record : new RandomRecords(firstOffset).records(0, count)) {
            writer.accept(new BackupRecord(offset++, record.timestamp(), record.timestampKind(), record.key(),
                    record.value(), record.headers()), 0);
        }
        writer.roll();
    }
}
