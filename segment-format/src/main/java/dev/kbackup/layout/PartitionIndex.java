package dev.kbackup.layout;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import dev.kbackup.format.SegmentInfo;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The complete segments of one topic-partition, ordered by first offset. Entries are facts about immutable
 * objects, so merging two indexes is a union and never loses an entry either side had. Also the content of one
 * index piece: the entries a single publication added (see {@link BackupCatalog}).
 */
@JsonPropertyOrder({"topic", "partition", "recordCount", "firstOffset", "lastOffset", "minTimestamp", "maxTimestamp",
    "sizeBytes", "updatedAt", "segments"})
public record PartitionIndex(String topic, int partition, Instant updatedAt, List<SegmentInfo> segments) {

    public PartitionIndex {
        segments = sorted(segments == null ? List.of() : segments);
    }

    public static PartitionIndex empty(String topic, int partition) {
        return new PartitionIndex(topic, partition, null, List.of());
    }

    /** This index plus the segments of {@code other} that it does not already list. */
    public PartitionIndex merge(PartitionIndex other) {
        if (!topic.equals(other.topic) || partition != other.partition) {
            throw new IllegalArgumentException("Cannot merge the index of " + other.topic + "-" + other.partition
                    + " into that of " + topic + "-" + partition);
        }
        List<SegmentInfo> union = new ArrayList<>(segments);
        union.addAll(other.segments);
        Instant newest = updatedAt == null ? other.updatedAt
                : other.updatedAt == null || updatedAt.isAfter(other.updatedAt) ? updatedAt : other.updatedAt;
        return new PartitionIndex(topic, partition, newest, union);
    }

    public PartitionIndex with(SegmentInfo segment, Instant now) {
        List<SegmentInfo> more = new ArrayList<>(segments);
        more.add(segment);
        return new PartitionIndex(topic, partition, now, more);
    }

    public boolean contains(String key) {
        return segments.stream().anyMatch(segment -> segment.key().equals(key));
    }

    /** Whether every segment of {@code other} is listed here; one pass over each, for indexes of any length. */
    public boolean containsAll(PartitionIndex other) {
        Set<String> keys = segments.stream().map(SegmentInfo::key).collect(Collectors.toSet());
        return other.segments().stream().allMatch(segment -> keys.contains(segment.key()));
    }

    @JsonProperty
    public long recordCount() {
        return segments.stream().mapToLong(SegmentInfo::recordCount).sum();
    }

    /** First offset held, or -1 if the partition has no segment. */
    @JsonProperty
    public long firstOffset() {
        return segments.isEmpty() ? -1 : segments.get(0).firstOffset();
    }

    /** Highest offset held, or -1 if the partition has no segment. */
    @JsonProperty
    public long lastOffset() {
        return segments.stream().mapToLong(SegmentInfo::lastOffset).max().orElse(-1);
    }

    /** Smallest record timestamp held, or {@link Long#MAX_VALUE} if none. */
    @JsonProperty
    public long minTimestamp() {
        return segments.stream().mapToLong(SegmentInfo::minTimestamp).min().orElse(Long.MAX_VALUE);
    }

    /** Largest record timestamp held, or {@link Long#MIN_VALUE} if none. */
    @JsonProperty
    public long maxTimestamp() {
        return segments.stream().mapToLong(SegmentInfo::maxTimestamp).max().orElse(Long.MIN_VALUE);
    }

    @JsonProperty
    public long sizeBytes() {
        return segments.stream().mapToLong(SegmentInfo::sizeBytes).sum();
    }

    private static List<SegmentInfo> sorted(List<SegmentInfo> segments) {
        Map<String, SegmentInfo> byKey = new LinkedHashMap<>();
        for (SegmentInfo segment : segments) {
            byKey.putIfAbsent(segment.key(), segment);
        }
        List<SegmentInfo> result = new ArrayList<>(byKey.values());
        result.sort(Comparator.comparingLong(SegmentInfo::firstOffset).thenComparing(SegmentInfo::key));
        return List.copyOf(result);
    }
}
