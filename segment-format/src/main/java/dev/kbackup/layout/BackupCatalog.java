package dev.kbackup.layout;

import dev.kbackup.format.SegmentFooter;
import dev.kbackup.format.SegmentInfo;
import dev.kbackup.format.SegmentReader;
import dev.kbackup.format.StoredSegment;
import dev.kbackup.storage.ObjectInfo;
import dev.kbackup.storage.ObjectStore;
import dev.kbackup.storage.WriteMode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Reads and publishes what a backup holds: the per-partition indexes (the authority on segments), the manifest
 * that rolls them up, and recovery of complete segments that a crash left out of an index.
 */
public final class BackupCatalog {

    private static final Logger log = LoggerFactory.getLogger(BackupCatalog.class);
    private static final int MANIFEST_ATTEMPTS = 5;

    private final ObjectStore store;
    private final BackupLayout layout;

    public BackupCatalog(ObjectStore store, BackupLayout layout) {
        this.store = store;
        this.layout = layout;
    }

    public BackupLayout layout() {
        return layout;
    }

    public Optional<Manifest> readManifest() {
        return readJson(layout.manifestKey(), Manifest.class);
    }

    public Optional<PartitionIndex> readIndex(String topic, int partition) {
        return readJson(layout.partitionIndexKey(topic, partition), PartitionIndex.class);
    }

    private <T> Optional<T> readJson(String key, Class<T> type) {
        return store.readIfExists(key).map(bytes -> Json.read(bytes, type, store.describe() + "/" + key));
    }

    /**
     * Writes {@code index} merged with the stored one, so that an entry published by an earlier owner of the
     * partition is never dropped. Returns what was written.
     */
    public PartitionIndex publishIndex(PartitionIndex index, Instant now) {
        PartitionIndex merged = readIndex(index.topic(), index.partition()).map(index::merge).orElse(index);
        merged = new PartitionIndex(merged.topic(), merged.partition(), now, merged.segments());
        store.put(layout.partitionIndexKey(index.topic(), index.partition()), Json.write(merged),
                WriteMode.OVERWRITE);
        return merged;
    }

    /**
     * The partition's stored index plus every complete segment stored after its last entry that the index does not
     * list yet (a task can die between completing a segment and publishing the index), and the index is published
     * with them. Lists only this partition's keys.
     */
    public PartitionIndex recover(String topic, int partition) {
        PartitionIndex stored = readIndex(topic, partition).orElse(PartitionIndex.empty(topic, partition));
        PartitionIndex complete = withUnindexedSegments(stored);
        return complete.segments().size() > stored.segments().size() ? publishIndex(complete, Instant.now())
                : stored;
    }

    /**
     * {@code index} plus the complete segments stored after its last entry that it does not list: what a restore
     * must read so that segments written since the last index publication are not missed. Such segments are read
     * whole once, to check them and compute their checksum. Lists only this partition's keys; writes nothing.
     */
    public PartitionIndex withUnindexedSegments(PartitionIndex index) {
        String startAfter = index.segments().stream().map(SegmentInfo::key).max(String::compareTo).orElse(null);
        Iterator<ObjectInfo> listed = store.list(layout.partitionSegmentsPrefix(index.topic(), index.partition()),
                startAfter);
        PartitionIndex result = index;
        while (listed.hasNext()) {
            ObjectInfo object = listed.next();
            if (BackupLayout.parseSegmentKey(object.key()).isEmpty() || result.contains(object.key())) {
                continue;
            }
            SegmentInfo segment = describe(object);
            log.info("Found segment {} ({} records, offsets {}..{}) in {} that the index of {}-{} did not list yet",
                    object.key(), segment.recordCount(), segment.firstOffset(), segment.lastOffset(),
                    store.describe(), index.topic(), index.partition());
            result = result.with(segment, result.updatedAt());
        }
        return result;
    }

    /** Reads a stored segment whole, checking every block, and returns what the manifest records about it. */
    public SegmentInfo describe(ObjectInfo object) {
        StoredSegment stored = new StoredSegment(store, object.key(), object.size());
        try (SegmentReader reader = stored.openWhole()) {
            while (reader.nextBlock() != null) {
                continue;
            }
            SegmentFooter footer = reader.footer();
            return new SegmentInfo(object.key(), footer.topic(), footer.partition(), footer.codec(),
                    footer.firstOffset(), footer.lastOffset(), footer.recordCount(), footer.minTimestamp(),
                    footer.maxTimestamp(), object.size(), footer.uncompressedBytes(), reader.bytesChecksum(),
                    footer.blocks().size());
        }
    }

    /**
     * Merges {@code indexes} into the manifest and writes it, creating it if needed. Stores give no
     * compare-and-swap on every backend, so after writing it reads the manifest back and, if a concurrent writer
     * replaced it without these entries, merges again (a few times, then the next publish completes it).
     */
    public Manifest publishManifest(Collection<PartitionIndex> indexes, SourceCluster source, Instant now) {
        Manifest written = null;
        for (int attempt = 1; attempt <= MANIFEST_ATTEMPTS; attempt++) {
            Manifest manifest = readManifest().orElseGet(() -> Manifest.create(layout.backupId(), now, source));
            for (PartitionIndex index : indexes) {
                manifest = manifest.merge(index, source, now);
            }
            store.put(layout.manifestKey(), Json.write(manifest), WriteMode.OVERWRITE);
            written = manifest;
            Manifest readBack = readManifest().orElse(null);
            if (readBack != null && indexes.stream().allMatch(readBack::covers)) {
                return readBack;
            }
            sleepQuietly(ThreadLocalRandom.current().nextLong(50, 250) * attempt);
        }
        log.warn("Manifest {} in {} was replaced concurrently {} times; the next publish will add the missing "
                + "entries (partition indexes already hold them)", layout.manifestKey(), store.describe(),
                MANIFEST_ATTEMPTS);
        return written;
    }

    /**
     * Every partition of the backup: the manifest's entries merged with every partition index (found by listing
     * only the index folder), plus partitions that hold segments but no index yet (a backup task that died before
     * its first publication), found by listing topic and partition folders. Keyed by topic then partition.
     */
    public Map<String, Map<Integer, PartitionIndex>> loadAll() {
        return loadAll(readManifest().orElse(null));
    }

    /** {@link #loadAll()} starting from a manifest the caller has already read ({@code null} if there is none). */
    public Map<String, Map<Integer, PartitionIndex>> loadAll(Manifest manifest) {
        Map<String, Map<Integer, PartitionIndex>> all = new TreeMap<>();
        if (manifest != null) {
            manifest.topics().forEach((topic, partitions) -> all.put(topic, new TreeMap<>(partitions)));
        }
        Iterator<ObjectInfo> indexes = store.list(layout.indexPrefix(), null);
        List<String> keys = new ArrayList<>();
        indexes.forEachRemaining(object -> {
            if (object.key().endsWith(".json")) {
                keys.add(object.key());
            }
        });
        for (String key : keys) {
            readJson(key, PartitionIndex.class).ifPresent(index -> all.computeIfAbsent(index.topic(),
                    topic -> new TreeMap<>()).merge(index.partition(), index, PartitionIndex::merge));
        }
        addUnindexedPartitions(all);
        return all;
    }

    private void addUnindexedPartitions(Map<String, Map<Integer, PartitionIndex>> all) {
        for (String topic : store.listFolders(layout.topicsPrefix())) {
            for (String folder : store.listFolders(layout.topicsPrefix() + topic + "/")) {
                Integer partition = BackupLayout.parsePartitionFolder(folder).orElse(null);
                if (partition == null || all.getOrDefault(topic, Map.of()).containsKey(partition)) {
                    continue;
                }
                PartitionIndex found = withUnindexedSegments(PartitionIndex.empty(topic, partition));
                if (!found.segments().isEmpty()) {
                    all.computeIfAbsent(topic, t -> new TreeMap<>()).put(partition, found);
                }
            }
        }
    }

    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
