package dev.kbackup.restore;

import dev.kbackup.format.BackupRecord;
import dev.kbackup.format.BlockCompressor;
import dev.kbackup.format.Codec;
import dev.kbackup.format.SegmentInfo;
import dev.kbackup.format.SegmentWriter;
import dev.kbackup.layout.BackupCatalog;
import dev.kbackup.layout.BackupLayout;
import dev.kbackup.layout.PartitionIndex;
import dev.kbackup.layout.SourceCluster;
import dev.kbackup.storage.ObjectStore;
import dev.kbackup.storage.WriteMode;

import java.io.ByteArrayOutputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes backups the way the backup connector does (segments, partition indexes, manifest), straight from records,
 * so restore tests do not depend on the sink.
 */
final class TestBackups {

    private final ObjectStore store;
    private final BackupLayout layout;
    private final List<PartitionIndex> indexes = new ArrayList<>();

    TestBackups(ObjectStore store, BackupLayout layout) {
        this.store = store;
        this.layout = layout;
    }

    /** @param store a store with the connector's storage.prefix applied */
    static TestBackups in(ObjectStore store, String backupId) {
        return new TestBackups(store, new BackupLayout(backupId));
    }

    BackupLayout layout() {
        return layout;
    }

    /**
     * Stores {@code records} of one partition as segments of {@code recordsPerSegment} records, cut into blocks of
     * about {@code blockBytes} uncompressed bytes, and lists them in the partition's index. Like the backup
     * connector, each segment records that it continues right after the previous one, so offset gaps between the
     * records are recorded as real gaps.
     */
    List<SegmentInfo> partition(String topic, int partition, List<BackupRecord> records, Codec codec,
                                int recordsPerSegment, int blockBytes) {
        List<SegmentInfo> segments = new ArrayList<>();
        for (int from = 0; from < records.size(); from += recordsPerSegment) {
            long coversFrom = segments.isEmpty() ? -1 : segments.get(segments.size() - 1).lastOffset() + 1;
            segments.add(segment(topic, partition, records.subList(from, Math.min(records.size(),
                    from + recordsPerSegment)), codec, blockBytes, coversFrom));
        }
        indexes.add(new PartitionIndex(topic, partition, Instant.now(), segments));
        return segments;
    }

    /** Stores one segment without listing it anywhere (for overlapping or hand-made layouts). */
    SegmentInfo segment(String topic, int partition, List<BackupRecord> records, Codec codec, int blockBytes) {
        return segment(topic, partition, records, codec, blockBytes, -1);
    }

    /** {@link #segment} recording that it continues from {@code coversFrom} (-1: from its first record). */
    SegmentInfo segment(String topic, int partition, List<BackupRecord> records, Codec codec, int blockBytes,
                        long coversFrom) {
        String key = layout.segmentKey(topic, partition, records.get(0).offset(), codec);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (BlockCompressor compressor = codec.newCompressor(Codec.ZSTD_DEFAULT_LEVEL)) {
            SegmentWriter writer = new SegmentWriter(key, topic, partition, compressor, out, blockBytes, coversFrom);
            records.forEach(writer::append);
            SegmentInfo info = writer.finish();
            store.put(key, out.toByteArray(), WriteMode.OVERWRITE);
            return info;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Lists hand-made segments in a partition's index. */
    void index(String topic, int partition, List<SegmentInfo> segments) {
        indexes.add(new PartitionIndex(topic, partition, Instant.now(), segments));
    }

    /** Publishes every index written so far and the manifest. */
    void publish() {
        BackupCatalog catalog = new BackupCatalog(store, layout);
        Instant now = Instant.now();
        List<PartitionIndex> published = new ArrayList<>();
        for (PartitionIndex index : indexes) {
            published.add(catalog.publishIndex(index, now));
        }
        catalog.publishManifest(published, new SourceCluster("test-cluster", "localhost:9092"), now);
        indexes.clear();
    }
}
