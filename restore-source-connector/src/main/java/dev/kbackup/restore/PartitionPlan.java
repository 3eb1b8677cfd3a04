package dev.kbackup.restore;

import dev.kbackup.format.SegmentInfo;
import dev.kbackup.format.TimeWindow;
import dev.kbackup.layout.MissingOffsets;
import dev.kbackup.layout.PartitionIndex;
import dev.kbackup.layout.PartitionWindow;
import org.apache.kafka.common.TopicPartition;

import java.util.List;

/**
 * What one backed-up partition contributes to a restore: where it goes, and its {@link PartitionWindow}: which of
 * its segments can hold records inside the window and the offsets inside it that no segment of the backup holds.
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
        PartitionWindow selected = PartitionWindow.of(index, window);
        return new PartitionPlan(source, router.target(source), selected.segments(), selected.missing());
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
