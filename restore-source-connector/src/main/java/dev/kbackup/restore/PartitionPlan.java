package dev.kbackup.restore;

import dev.kbackup.format.SegmentInfo;
import dev.kbackup.format.TimeWindow;
import dev.kbackup.layout.MissingOffsets;
import dev.kbackup.layout.PartitionIndex;
import org.apache.kafka.common.TopicPartition;

import java.util.List;

/**
 * What one backed-up partition contributes to a restore: where it goes, which of its segments can hold records
 * inside the window (chosen by each segment's min/max timestamp, in offset order), and the offsets that may be
 * inside the window but that no segment of the backup holds ({@code missing}: a lost segment, not a real gap).
 */
record PartitionPlan(TopicPartition source, TopicPartition target, List<SegmentInfo> segments,
                     List<MissingOffsets> missing) {

    PartitionPlan {
        segments = List.copyOf(segments);
        missing = List.copyOf(missing);
    }

    PartitionPlan(TopicPartition source, TopicPartition target, List<SegmentInfo> segments) {
        this(source, target, segments, List.of());
    }

    static PartitionPlan of(PartitionIndex index, TargetRouter router, TimeWindow window) {
        TopicPartition source = new TopicPartition(index.topic(), index.partition());
        List<SegmentInfo> selected = index.segments().stream()
                .filter(segment -> window.overlaps(segment.minTimestamp(), segment.maxTimestamp()))
                .toList();
        // Checked over the whole index: a window may skip a missing range's neighbours but not the range itself.
        List<MissingOffsets> missing = MissingOffsets.between(index.segments()).stream()
                .filter(range -> window.overlaps(range.minTimestamp(), range.maxTimestamp()))
                .toList();
        return new PartitionPlan(source, router.target(source), selected, missing);
    }

    long records() {
        return segments.stream().mapToLong(SegmentInfo::recordCount).sum();
    }

    long bytes() {
        return segments.stream().mapToLong(SegmentInfo::sizeBytes).sum();
    }

    boolean isEmpty() {
        return segments.isEmpty();
    }
}
