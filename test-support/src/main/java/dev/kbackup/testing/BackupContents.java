package dev.kbackup.testing;

import dev.kbackup.format.BackupRecord;
import dev.kbackup.format.EncryptionKeys;
import dev.kbackup.format.SegmentInfo;
import dev.kbackup.format.SegmentReader;
import dev.kbackup.layout.StoredSegment;
import dev.kbackup.layout.BackupCatalog;
import dev.kbackup.layout.BackupLayout;
import dev.kbackup.layout.PartitionIndex;
import dev.kbackup.storage.ObjectInfo;
import dev.kbackup.storage.ObjectStore;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Everything a backup holds as a restore sees it: the segments its catalog lists (pieces, folds and checkpoints, plus
 * complete segments stored after each partition's last entry, exactly as a restore plans a partition), read whole
 * and checked against their catalog entries. Also lists every segment object in storage, so that tests see a
 * segment the catalog lost ({@link #unlistedSegments()}), besides duplicates and gaps.
 */
public final class BackupContents {

    private final Map<String, List<BackupRecord>> byPartition;
    private final Map<String, List<SegmentInfo>> segments;
    private final List<String> unlisted;
    private final List<String> mismatched;

    private BackupContents(Map<String, List<BackupRecord>> byPartition, Map<String, List<SegmentInfo>> segments,
                           List<String> unlisted, List<String> mismatched) {
        this.byPartition = byPartition;
        this.segments = segments;
        this.unlisted = unlisted;
        this.mismatched = mismatched;
    }

    /** Reads every segment the backup's catalog lists, checking every block, and lists the stored segments. */
    public static BackupContents read(ObjectStore store, BackupLayout layout) {
        return read(store, layout, EncryptionKeys.NONE);
    }

    /** Like {@link #read(ObjectStore, BackupLayout)}, opening encrypted segments with {@code keys}. */
    public static BackupContents read(ObjectStore store, BackupLayout layout, EncryptionKeys keys) {
        BackupCatalog catalog = new BackupCatalog(store, layout);
        Map<String, List<BackupRecord>> records = new TreeMap<>();
        Map<String, List<SegmentInfo>> listedSegments = new TreeMap<>();
        List<String> mismatched = new ArrayList<>();
        Set<String> listed = new HashSet<>();
        for (Map<Integer, PartitionIndex> partitions : catalog.loadAll().values()) {
            for (PartitionIndex known : partitions.values()) {
                String partition = known.topic() + "-" + known.partition();
                for (SegmentInfo segment : catalog.withUnindexedSegments(known).segments()) {
                    listed.add(segment.key());
                    listedSegments.computeIfAbsent(partition, p -> new ArrayList<>()).add(segment);
                    readSegment(store, segment, keys, records.computeIfAbsent(partition, p -> new ArrayList<>()))
                            .ifPresent(mismatched::add);
                }
            }
        }
        List<String> unlisted = new ArrayList<>();
        Iterator<ObjectInfo> objects = store.list(layout.topicsPrefix(), null);
        while (objects.hasNext()) {
            String key = objects.next().key();
            if (BackupLayout.parseSegmentKey(key).isPresent() && !listed.contains(key)) {
                unlisted.add(key);
            }
        }
        return new BackupContents(records, listedSegments, unlisted, mismatched);
    }

    /** Adds the segment's records to {@code into}; returns why the stored object differs from its entry, if so. */
    private static Optional<String> readSegment(ObjectStore store, SegmentInfo segment, EncryptionKeys keys,
                                                List<BackupRecord> into) {
        try (SegmentReader reader = new StoredSegment(store, segment.key(), segment.sizeBytes()).openWhole(keys)) {
            long count = 0;
            while (reader.nextBlock() != null) {
                List<BackupRecord> block = reader.records();
                into.addAll(block);
                count += block.size();
            }
            if (reader.bytesChecksum() != segment.crc32c() || count != segment.recordCount()) {
                return Optional.of(segment.key() + ": the catalog says " + segment.recordCount()
                        + " records with CRC32C " + segment.crc32c() + ", storage holds " + count + " with "
                        + reader.bytesChecksum());
            }
            return Optional.empty();
        }
    }

    /** Records of {@code topic-partition} in segment order (offset order if no segment overlaps another). */
    public List<BackupRecord> records(String topic, int partition) {
        return byPartition.getOrDefault(topic + "-" + partition, List.of());
    }

    /** Keys of the segments the catalog lists for {@code topic-partition}, in offset order. */
    public List<String> segmentKeys(String topic, int partition) {
        return segments(topic, partition).stream().map(SegmentInfo::key).toList();
    }

    /** The catalog's entries for {@code topic-partition}, in offset order. */
    public List<SegmentInfo> segments(String topic, int partition) {
        return segments.getOrDefault(topic + "-" + partition, List.of());
    }

    /** The catalog's entries of a partition ({@code topic-partition}) as one line each, for failure messages. */
    public String describeSegments(String partition) {
        StringBuilder text = new StringBuilder();
        for (SegmentInfo segment : segments.getOrDefault(partition, List.of())) {
            text.append("\n  ").append(segment.key()).append(": offsets ").append(segment.firstOffset()).append("..")
                    .append(segment.lastOffset()).append(", covers from ").append(segment.coversFrom());
        }
        return text.toString();
    }

    public long recordCount() {
        return byPartition.values().stream().mapToLong(List::size).sum();
    }

    /**
     * Complete segment objects in storage that the catalog does not list and recovery would not find (they sort
     * before a partition's last indexed segment): a restore never reads them. Empty when the catalog is whole.
     */
    public List<String> unlistedSegments() {
        return unlisted;
    }

    /** Listed segments whose stored bytes differ from their catalog entry (replaced after they were indexed). */
    public List<String> mismatchedSegments() {
        return mismatched;
    }

    /** Fails unless the catalog lists every stored segment, each with the bytes it had when it was indexed. */
    public void assertCatalogComplete() {
        assertEquals(List.of(), unlisted, "complete segments the catalog lost (a restore would skip them)");
        assertEquals(List.of(), mismatched, "segments whose stored bytes differ from their catalog entry");
    }

    /** Offsets stored more than once, per partition; empty when the backup is exactly-once. */
    public Map<String, List<Long>> duplicateOffsets() {
        Map<String, List<Long>> duplicates = new TreeMap<>();
        byPartition.forEach((partition, records) -> {
            Set<Long> seen = new HashSet<>();
            for (BackupRecord record : records) {
                if (!seen.add(record.offset())) {
                    duplicates.computeIfAbsent(partition, p -> new ArrayList<>()).add(record.offset());
                }
            }
        });
        return duplicates;
    }
}
