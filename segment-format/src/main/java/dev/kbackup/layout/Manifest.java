package dev.kbackup.layout;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The entry point of a backup: what it is (written once, as {@code manifest.json}; its presence says that the
 * backup id names a backup) and, as {@link BackupCatalog#readManifest} returns it, a summary per topic and
 * partition read from the keys of the partitions' catalog folders. Its size is O(topics x partitions) whatever
 * the backup's age; the entries themselves live in each partition's catalog objects ({@link CatalogObject}).
 */
@JsonPropertyOrder({"formatVersion", "backupId", "createdAt", "updatedAt", "sourceCluster", "topics"})
public record Manifest(int formatVersion, String backupId, Instant createdAt, Instant updatedAt,
                       SourceCluster sourceCluster, Map<String, Map<Integer, PartitionSummary>> topics) {

    /**
     * Version 3: per-partition catalogs of immutable pieces, folds and checkpoints, summarised by their keys.
     * Version 2 (index pieces only, a manifest listing every segment) was written by kbackup 0.1.0 snapshots
     * before the checkpointed catalog.
     */
    public static final int FORMAT_VERSION = 3;

    public Manifest {
        TreeMap<String, Map<Integer, PartitionSummary>> copy = new TreeMap<>();
        if (topics != null) {
            topics.forEach((topic, partitions) -> copy.put(topic, new TreeMap<>(partitions)));
        }
        topics = copy;
        sourceCluster = sourceCluster == null ? SourceCluster.UNKNOWN : sourceCluster;
    }

    public static Manifest create(String backupId, Instant now, SourceCluster source) {
        return new Manifest(FORMAT_VERSION, backupId, now, now, source, Map.of());
    }

    /** This manifest with {@code summaries} as its partitions. */
    Manifest withTopics(Map<String, Map<Integer, PartitionSummary>> summaries) {
        return new Manifest(formatVersion, backupId, createdAt, updatedAt, sourceCluster, summaries);
    }

    public Optional<PartitionSummary> partition(String topic, int partition) {
        return Optional.ofNullable(topics.getOrDefault(topic, Map.of()).get(partition));
    }

    public long recordCount() {
        return topics.values().stream().flatMap(partitions -> partitions.values().stream())
                .mapToLong(PartitionSummary::recordCount).sum();
    }
}
