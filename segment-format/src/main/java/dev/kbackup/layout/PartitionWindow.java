package dev.kbackup.layout;

import dev.kbackup.format.SegmentInfo;
import dev.kbackup.format.TimeWindow;

import java.util.List;

/**
 * What one backed-up partition holds for a time window, decided from its index alone: the segments that can hold
 * records inside the window (chosen by each segment's min/max timestamp, in offset order) and the offsets that may
 * be inside the window but that no segment holds ({@code missing}: a lost segment, not a real gap). The restore
 * plans from it and the CLI's {@code plan} shows it, so both read a window the same way.
 */
public record PartitionWindow(String topic, int partition, TimeWindow window, List<SegmentInfo> segments,
                              List<MissingOffsets> missing) {

    public PartitionWindow {
        segments = List.copyOf(segments);
        missing = List.copyOf(missing);
    }

    public static PartitionWindow of(PartitionIndex index, TimeWindow window) {
        List<SegmentInfo> selected = index.segments().stream()
                .filter(segment -> window.overlaps(segment.minTimestamp(), segment.maxTimestamp()))
                .toList();
        // Checked over the whole index: a window may skip a missing range's neighbours but not the range itself.
        List<MissingOffsets> missing = MissingOffsets.between(index.segments()).stream()
                .filter(range -> window.overlaps(range.minTimestamp(), range.maxTimestamp()))
                .toList();
        return new PartitionWindow(index.topic(), index.partition(), window, selected, missing);
    }

    /** Records in the selected segments: an upper bound of what the window holds. */
    public long segmentRecords() {
        return segments.stream().mapToLong(SegmentInfo::recordCount).sum();
    }

    public long bytes() {
        return segments.stream().mapToLong(SegmentInfo::sizeBytes).sum();
    }

    /**
     * Records the window likely holds: all of a segment whose timestamps lie inside it, and of a segment that
     * straddles a bound the share of its timestamp range inside the window (timestamps taken as evenly spread).
     */
    public long estimatedRecords() {
        double estimate = 0;
        for (SegmentInfo segment : segments) {
            long min = segment.minTimestamp();
            long max = segment.maxTimestamp();
            if (window.contains(min) && window.contains(max)) {
                estimate += segment.recordCount();
            } else {
                double from = Math.max((double) min, (double) window.start());
                double to = Math.min((double) max + 1, window.isOpenEnded() ? (double) max + 1 : (double) window.end());
                estimate += segment.recordCount() * Math.max(0, to - from) / ((double) max - min + 1);
            }
        }
        return Math.round(estimate);
    }

    /** First offset of the first selected segment, or -1 if none is selected. */
    public long firstOffset() {
        return segments.isEmpty() ? -1 : segments.get(0).firstOffset();
    }

    /** Last offset of the selected segments, or -1 if none is selected. */
    public long lastOffset() {
        return segments.stream().mapToLong(SegmentInfo::lastOffset).max().orElse(-1);
    }
}
