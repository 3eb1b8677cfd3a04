package dev.kbackup.bench.run;

import dev.kbackup.format.SegmentFooter;
import dev.kbackup.layout.StoredSegment;
import dev.kbackup.layout.BackupLayout;
import dev.kbackup.storage.ObjectInfo;
import dev.kbackup.storage.ObjectStore;

import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * What a backup has made durable, seen from storage alone: the complete segment objects (a segment is visible only
 * once its upload completed) and their footers, read once each with a ranged request.
 */
final class BackupInStorage {

    private final ObjectStore store;
    private final BackupLayout layout;
    private final String topic;
    private final Map<String, SegmentFooter> footers = new HashMap<>();
    private final Map<String, Long> sizes = new HashMap<>();

    BackupInStorage(ObjectStore store, String backupId, String topic) {
        this.store = store;
        this.layout = new BackupLayout(backupId);
        this.topic = topic;
    }

    /**
     * Lists the topic's segments, reads the footers of new ones, and returns the records they hold. One listing of
     * the topic (pages of 1,000 keys), not one per partition: with 1,000 partitions, polling each would cost this
     * driver and S3Proxy more CPU, on the same cores, than the backup it measures.
     */
    long refresh() {
        Iterator<ObjectInfo> objects = store.list(layout.topicsPrefix() + topic + "/", null);
        while (objects.hasNext()) {
            ObjectInfo object = objects.next();
            if (BackupLayout.parseSegmentKey(object.key()).isPresent() && !footers.containsKey(object.key())) {
                footers.put(object.key(), new StoredSegment(store, object.key(), object.size()).footer());
                sizes.put(object.key(), object.size());
            }
        }
        return records();
    }

    long records() {
        return footers.values().stream().mapToLong(SegmentFooter::recordCount).sum();
    }

    long segments() {
        return footers.size();
    }

    long storedBytes() {
        return sizes.values().stream().mapToLong(Long::longValue).sum();
    }

    long uncompressedBytes() {
        return footers.values().stream().mapToLong(SegmentFooter::uncompressedBytes).sum();
    }
}
