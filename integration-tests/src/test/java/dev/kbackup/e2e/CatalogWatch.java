package dev.kbackup.e2e;

import dev.kbackup.format.SegmentInfo;
import dev.kbackup.layout.BackupCatalog;
import dev.kbackup.layout.BackupLayout;
import dev.kbackup.layout.CatalogObject;
import dev.kbackup.layout.Json;
import dev.kbackup.layout.PartitionIndex;
import dev.kbackup.storage.ObjectInfo;
import dev.kbackup.storage.ObjectStore;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Watches one backup in storage while workers misbehave: which segments are stored, which the catalog lists, which
 * index pieces exist, and that no segment object ever changes once it was seen ({@link #checkNoSegmentChanged}).
 */
final class CatalogWatch {

    private final ObjectStore store;
    private final BackupLayout layout;
    private final String topic;
    private final BackupCatalog catalog;
    private final Map<String, ObjectInfo> firstSeen = new HashMap<>();
    private final Map<String, List<String>> pieceEntries = new HashMap<>();

    CatalogWatch(ObjectStore store, BackupLayout layout, String topic) {
        this.store = store;
        this.layout = layout;
        this.topic = topic;
        this.catalog = new BackupCatalog(store, layout);
    }

    /** Stored segment keys per partition, sorted; every call also checks that no seen segment changed. */
    Map<Integer, TreeSet<String>> storedSegments() {
        Map<Integer, TreeSet<String>> stored = new TreeMap<>();
        store.list(layout.topicsPrefix() + topic + "/", null).forEachRemaining(object ->
                BackupLayout.parseSegmentKey(object.key()).ifPresent(key -> {
                    checkUnchanged(object);
                    stored.computeIfAbsent(key.partition(), p -> new TreeSet<>()).add(object.key());
                }));
        return stored;
    }

    /** Lists the segments once more and fails if any object seen before now has other bytes. */
    void checkNoSegmentChanged() {
        storedSegments();
    }

    /** Segment keys per partition that the manifest and the index pieces list (without recovery). */
    Map<Integer, Set<String>> indexedSegments() {
        Map<Integer, Set<String>> indexed = new TreeMap<>();
        catalog.loadAll().getOrDefault(topic, Map.of()).forEach((partition, index) -> indexed.put(partition,
                new HashSet<>(index.segments().stream().map(SegmentInfo::key).toList())));
        return indexed;
    }

    /** How many partitions hold complete segments that no index piece or manifest lists yet. */
    long partitionsWithUnpublishedSegments() {
        Map<Integer, Set<String>> indexed = indexedSegments();
        return storedSegments().entrySet().stream().filter(entry -> !indexed.getOrDefault(entry.getKey(), Set.of())
                .containsAll(entry.getValue())).count();
    }

    /** Whether every partition in {@code after} has an indexed segment sorting after the key given for it. */
    boolean indexedBeyond(Map<Integer, String> after) {
        Map<Integer, Set<String>> indexed = indexedSegments();
        return after.entrySet().stream().allMatch(entry -> indexed.getOrDefault(entry.getKey(), Set.of()).stream()
                .anyMatch(key -> key.compareTo(entry.getValue()) > 0));
    }

    /** The highest stored segment key of each partition. */
    Map<Integer, String> lastStoredSegments() {
        Map<Integer, String> last = new TreeMap<>();
        storedSegments().forEach((partition, keys) -> last.put(partition, keys.last()));
        return last;
    }

    /** Keys of every catalog piece of the topic; their entries are read now, as folds delete pieces later. */
    Set<String> pieces() {
        Set<String> keys = new TreeSet<>();
        store.list(layout.indexPrefix() + topic + "/", null).forEachRemaining(object ->
                CatalogObject.parse(object.key()).filter(piece -> piece.level() == CatalogObject.Level.PIECE)
                        .ifPresent(piece -> {
                            keys.add(object.key());
                            entries(object.key());
                        }));
        return keys;
    }

    /**
     * Pieces not in {@code earlier} that list a segment some piece of {@code earlier} already listed: a writer
     * published entries that another had published before it (a zombie's stale pending set).
     */
    List<String> republishedSince(Set<String> earlier) {
        Set<String> listedBefore = new HashSet<>();
        earlier.forEach(key -> listedBefore.addAll(entries(key)));
        return pieces().stream().filter(key -> !earlier.contains(key))
                .filter(key -> entries(key).stream().anyMatch(listedBefore::contains)).toList();
    }

    private List<String> entries(String pieceKey) {
        return pieceEntries.computeIfAbsent(pieceKey, key -> store.readIfExists(key)
                .map(bytes -> Json.read(bytes, PartitionIndex.class, key))
                .map(index -> index.segments().stream().map(SegmentInfo::key).toList()).orElse(List.of()));
    }

    private void checkUnchanged(ObjectInfo object) {
        ObjectInfo seen = firstSeen.putIfAbsent(object.key(), object);
        if (seen != null && (seen.size() != object.size() || !seen.version().equals(object.version()))) {
            throw new AssertionError("Segment " + object.key() + " was replaced after it was complete: first seen "
                    + seen + ", now " + object);
        }
    }
}
