package dev.kbackup.testing;

import dev.kbackup.format.BackupRecord;
import dev.kbackup.format.BlockCompressor;
import dev.kbackup.format.Codec;
import dev.kbackup.format.SegmentInfo;
import dev.kbackup.format.SegmentWriter;
import dev.kbackup.layout.BackupLayout;
import dev.kbackup.storage.ObjectStore;
import dev.kbackup.storage.ObjectUpload;
import dev.kbackup.storage.WriteMode;

import java.util.ArrayList;
import java.util.List;

/** Real, complete segments written where a backup task would write them, for catalog tests. */
public final class TestSegments {

    private TestSegments() {
    }

    /** Stores a zstd segment holding every offset of {@code [first, last]} and returns what its footer says. */
    public static SegmentInfo write(ObjectStore store, BackupLayout layout, String topic, int partition, long first,
                                    long last) {
        List<BackupRecord> records = new RandomRecords(first + partition).records(first, (int) (last - first + 1));
        // RandomRecords may leave gaps; renumber so the segment covers exactly [first, last].
        List<BackupRecord> exact = new ArrayList<>();
        for (int i = 0; i < records.size(); i++) {
            BackupRecord r = records.get(i);
            exact.add(new BackupRecord(first + i, r.timestamp(), r.timestampKind(), r.key(), r.value(), r.headers()));
        }
        String key = layout.segmentKey(topic, partition, first, Codec.ZSTD);
        try (BlockCompressor compressor = Codec.ZSTD.newCompressor(3);
             ObjectUpload upload = store.startUpload(key, WriteMode.CREATE_NEW)) {
            SegmentWriter writer = new SegmentWriter(key, topic, partition, compressor, upload, 4096);
            exact.forEach(writer::append);
            SegmentInfo info = writer.finish();
            upload.complete();
            return info;
        }
    }
}
