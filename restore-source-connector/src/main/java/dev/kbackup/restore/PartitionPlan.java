package dev.kbackup.restore;

import dev.kbackup.format.SegmentInfo;
import dev.kbackup.format.TimeWindow;
import dev.kbackup.layout.PartitionIndex;
import org.apache.kafka.common.TopicPartition;

import java.util.List;

/**
 * What one backed-up partition contributes to a restore: where it goes and which of its segments can hold records
 * inside the window (chosen by each segment's min/max timestamp, in offset order).
 */
record PartitionPlan(TopicPartition source, TopicPartition target, List<SegmentInfo> segments) {

    PartitionPlan {
        segments = List.copyOf(segments);
    }

    static PartitionPlan of(PartitionIndex index, TargetRouter router, TimeWindow window) {
        TopicPartition source = new TopicPartition(index.topic(), index.partition());
        List<SegmentInfo> selected = index.segments().stream()
                .filter(segment -> window.overlaps(segment.minTimestamp(), segment.maxTimestamp()))
                .toList();
        return new PartitionPlan(source, router.target(source), selected);
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
