package dev.kbackup.testing;

import dev.kbackup.format.BackupRecord;
import dev.kbackup.format.SegmentReader;
import dev.kbackup.format.StoredSegment;
import dev.kbackup.layout.BackupLayout;
import dev.kbackup.storage.ObjectInfo;
import dev.kbackup.storage.ObjectStore;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Everything a backup holds, read straight from the segment objects in storage (a listing, not the indexes), so
 * tests see duplicates or gaps that an index might hide.
 */
public final class BackupContents {

    private final Map<String, List<BackupRecord>> byPartition;
    private final Map<String, List<String>> segmentKeys;

    private BackupContents(Map<String, List<BackupRecord>> byPartition, Map<String, List<String>> segmentKeys) {
        this.byPartition = byPartition;
        this.segmentKeys = segmentKeys;
    }

    /** Reads every segment under the backup's root, checking every block. */
    public static BackupContents read(ObjectStore store, BackupLayout layout) {
        Map<String, List<BackupRecord>> records = new TreeMap<>();
        Map<String, List<String>> keys = new TreeMap<>();
        Iterator<ObjectInfo> objects = store.list(layout.root() + "/topics/", null);
        while (objects.hasNext()) {
            ObjectInfo object = objects.next();
            BackupLayout.SegmentKey key = BackupLayout.parseSegmentKey(object.key()).orElse(null);
            if (key == null) {
                continue;
            }
            String partition = key.topic() + "-" + key.partition();
            keys.computeIfAbsent(partition, p -> new ArrayList<>()).add(object.key());
            try (SegmentReader reader = new StoredSegment(store, object.key(), object.size()).openWhole()) {
                while (reader.nextBlock() != null) {
                    records.computeIfAbsent(partition, p -> new ArrayList<>()).addAll(reader.records());
                }
            }
        }
        return new BackupContents(records, keys);
    }

    /** Records of {@code topic-partition} in segment order (offset order if no segment overlaps another). */
    public List<BackupRecord> records(String topic, int partition) {
        return byPartition.getOrDefault(topic + "-" + partition, List.of());
    }

    public List<String> segmentKeys(String topic, int partition) {
        return segmentKeys.getOrDefault(topic + "-" + partition, List.of());
    }

    public long recordCount() {
        return byPartition.values().stream().mapToLong(List::size).sum();
    }

    /** Offsets stored more than once, per partition; empty when the backup is exactly-once. */
    public Map<String, List<Long>> duplicateOffsets() {
        Map<String, List<Long>> duplicates = new TreeMap<>();
        byPartition.forEach((partition, records) -> {
            java.util.Set<Long> seen = new java.util.HashSet<>();
            for (BackupRecord record : records) {
                if (!seen.add(record.offset())) {
                    duplicates.computeIfAbsent(partition, p -> new ArrayList<>()).add(record.offset());
                }
            }
        });
        return duplicates;
    }
}
