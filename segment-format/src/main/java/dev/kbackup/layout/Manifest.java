package dev.kbackup.layout;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The roll-up of a backup: what it is and, for every topic and partition, its segments. Its presence says that
 * the backup id names a backup. The partition index pieces are the authority for segments; the manifest is a union
 * of them that every sink task refreshes by replacing it whole, so it can lag behind or (when two tasks replace it
 * at once) miss entries for a while, but never lists a segment that is not complete. Readers always merge it with
 * the index pieces, so nothing it misses is lost.
 */
@JsonPropertyOrder({"formatVersion", "backupId", "createdAt", "updatedAt", "sourceCluster", "topics"})
public record Manifest(int formatVersion, String backupId, Instant createdAt, Instant updatedAt,
                       SourceCluster sourceCluster, Map<String, Map<Integer, PartitionIndex>> topics) {

    /** Version 2: partition indexes are folders of immutable pieces. */
    public static final int FORMAT_VERSION = 2;

    public Manifest {
        TreeMap<String, Map<Integer, PartitionIndex>> copy = new TreeMap<>();
        if (topics != null) {
            topics.forEach((topic, partitions) -> copy.put(topic, new TreeMap<>(partitions)));
        }
        topics = copy;
        sourceCluster = sourceCluster == null ? SourceCluster.UNKNOWN : sourceCluster;
    }

    public static Manifest create(String backupId, Instant now, SourceCluster source) {
        return new Manifest(FORMAT_VERSION, backupId, now, now, source, Map.of());
    }

    public Optional<PartitionIndex> partition(String topic, int partition) {
        return Optional.ofNullable(topics.getOrDefault(topic, Map.of()).get(partition));
    }

    /**
     * This manifest with {@code index} merged into its partition entry. The source cluster is filled in when this
     * manifest does not know it yet.
     */
    public Manifest merge(PartitionIndex index, SourceCluster source, Instant now) {
        Map<String, Map<Integer, PartitionIndex>> merged = new TreeMap<>(topics);
        Map<Integer, PartitionIndex> partitions = new TreeMap<>(merged.getOrDefault(index.topic(), Map.of()));
        partitions.merge(index.partition(), index, PartitionIndex::merge);
        merged.put(index.topic(), partitions);
        SourceCluster cluster = sourceCluster.clusterId() == null && source != null ? source : sourceCluster;
        return new Manifest(formatVersion, backupId, createdAt, now, cluster, merged);
    }

    /** True if every segment of {@code index} is listed here. */
    public boolean covers(PartitionIndex index) {
        return partition(index.topic(), index.partition())
                .map(mine -> mine.containsAll(index))
                .orElse(index.segments().isEmpty());
    }

    public long recordCount() {
        return topics.values().stream().flatMap(partitions -> partitions.values().stream())
                .mapToLong(PartitionIndex::recordCount).sum();
    }
}
