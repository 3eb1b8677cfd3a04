package dev.kbackup.layout;

import dev.kbackup.format.SegmentFooter;
import dev.kbackup.format.SegmentInfo;
import dev.kbackup.format.SegmentReader;
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
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Reads and publishes what a backup holds: the per-partition indexes (the authority on segments), the manifest
 * that rolls them up, and recovery of complete segments that a crash left out of an index.
 *
 * <p>Publication is lost-update-free under any number of concurrent writers (old and new owners of a partition,
 * zombies), with or without conditional writes in the store: an index is never rewritten. Each publication
 * creates a new immutable piece under the partition's index folder holding the entries it adds, under a key no
 * other publication uses; the partition's index is the union of its pieces. Entries are facts about immutable
 * segment objects, so duplicates across pieces agree and the union is order-free. The cost: reading an index
 * lists and reads every piece of the partition (see docs/architecture.md, "Catalog").
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

    /**
     * The backup's manifest, or empty if there is none (the backup id is wrong or nothing was published yet).
     *
     * @throws IllegalStateException if it was written in a catalog format this reader does not know
     */
    public Optional<Manifest> readManifest() {
        Optional<Manifest> manifest = readJson(layout.manifestKey(), Manifest.class);
        manifest.ifPresent(found -> {
            if (found.formatVersion() != Manifest.FORMAT_VERSION) {
                throw new IllegalStateException("Manifest " + layout.manifestKey() + " in " + store.describe()
                        + " has catalog format version " + found.formatVersion() + "; this connector reads version "
                        + Manifest.FORMAT_VERSION + " only. Use the kbackup version that wrote the backup (or a "
                        + "newer one that reads it), or back up under a new backup.id");
            }
        });
        return manifest;
    }

    /** The partition's index, the union of all its pieces, or empty if nothing was ever published for it. */
    public Optional<PartitionIndex> readIndex(String topic, int partition) {
        List<String> pieces = new ArrayList<>();
        store.list(layout.partitionIndexPrefix(topic, partition), null).forEachRemaining(object -> {
            if (BackupLayout.parseIndexPieceKey(object.key()).isPresent()) {
                pieces.add(object.key());
            }
        });
        return pieces.isEmpty() ? Optional.empty() : Optional.of(union(topic, partition, pieces));
    }

    /** Reads the pieces {@code keys} of one partition and merges them into its index. */
    private PartitionIndex union(String topic, int partition, List<String> keys) {
        List<SegmentInfo> segments = new ArrayList<>();
        Instant updatedAt = null;
        for (String key : keys) {
            PartitionIndex piece = readJson(key, PartitionIndex.class).orElse(null);
            if (piece == null) {
                continue; // listed, then removed: only a later catalog cleanup removes pieces
            }
            if (!piece.topic().equals(topic) || piece.partition() != partition) {
                throw new IllegalStateException("Index piece " + key + " in " + store.describe() + " describes "
                        + piece.topic() + "-" + piece.partition() + " but sits in the folder of " + topic + "-"
                        + partition + ": it was copied or renamed by hand; move it back or delete it");
            }
            segments.addAll(piece.segments());
            if (piece.updatedAt() != null && (updatedAt == null || piece.updatedAt().isAfter(updatedAt))) {
                updatedAt = piece.updatedAt();
            }
        }
        return new PartitionIndex(topic, partition, updatedAt, segments);
    }

    private <T> Optional<T> readJson(String key, Class<T> type) {
        return store.readIfExists(key).map(bytes -> Json.read(bytes, type, store.describe() + "/" + key));
    }

    /**
     * Adds the entries of {@code index} to its partition's index by creating a new piece that holds exactly them;
     * nothing stored is read or replaced, so no concurrent publication can undo this one or be undone by it.
     * Returns the piece (the entries published, stamped {@code now}); an empty index publishes nothing.
     */
    public PartitionIndex publishIndex(PartitionIndex index, Instant now) {
        PartitionIndex piece = new PartitionIndex(index.topic(), index.partition(), now, index.segments());
        if (piece.segments().isEmpty()) {
            return piece;
        }
        String writer = UUID.randomUUID().toString().replace("-", "");
        store.put(layout.indexPieceKey(piece.topic(), piece.partition(), piece.firstOffset(), piece.lastOffset(),
                writer), Json.write(piece), WriteMode.CREATE_NEW);
        return piece;
    }

    /**
     * The partition's index plus every complete segment stored after its last entry that the index does not
     * list yet (a task can die between completing a segment and publishing the index); those segments are
     * published as a new piece. "After its last entry" is after the highest key of the merged index, which holds
     * every entry any writer ever published. Lists only this partition's keys.
     */
    public PartitionIndex recover(String topic, int partition) {
        PartitionIndex stored = readIndex(topic, partition).orElse(PartitionIndex.empty(topic, partition));
        PartitionIndex complete = withUnindexedSegments(stored);
        List<SegmentInfo> found = complete.segments().stream().filter(segment -> !stored.contains(segment.key()))
                .toList();
        if (!found.isEmpty()) {
            publishIndex(new PartitionIndex(topic, partition, null, found), Instant.now());
        }
        return complete;
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
                    footer.blocks().size(), footer.coversFrom());
        }
    }

    /**
     * Merges {@code indexes} into the manifest and writes it, creating it if needed. Stores give no
     * compare-and-swap on every backend, so after writing it reads the manifest back and, if a concurrent writer
     * replaced it without these entries, merges again (a few times, then the next publish completes it). A
     * manifest short of entries loses nothing: readers merge it with the index pieces, which hold them.
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
     * Every partition of the backup: the manifest's entries merged with every partition's index pieces (found by
     * listing only the index folder), plus partitions that hold segments but no index yet (a backup task that died before
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
        Map<String, Map<Integer, List<String>>> pieces = new TreeMap<>();
        store.list(layout.indexPrefix(), null).forEachRemaining(object -> BackupLayout.parseIndexPieceKey(object.key())
                .ifPresent(piece -> pieces.computeIfAbsent(piece.topic(), topic -> new TreeMap<>())
                        .computeIfAbsent(piece.partition(), partition -> new ArrayList<>()).add(object.key())));
        pieces.forEach((topic, partitions) -> partitions.forEach((partition, keys) -> all
                .computeIfAbsent(topic, t -> new TreeMap<>())
                .merge(partition, union(topic, partition, keys), PartitionIndex::merge)));
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
