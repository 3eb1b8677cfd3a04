package dev.kbackup.layout;

import dev.kbackup.format.SegmentInfo;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Offsets of a partition that no listed segment holds and that the backup did not record as a real gap: between
 * {@code before} (the segment reaching furthest so far) and {@code after}, whose {@code coversFrom} says it
 * continues from a later offset than {@code before} reached. A real gap (compaction, transaction markers,
 * retention) lies between a segment's {@code coversFrom} and its first offset, so it is never reported here.
 */
public record MissingOffsets(long firstOffset, long lastOffset, SegmentInfo before, SegmentInfo after) {

    /**
     * The missing ranges among one partition's {@code segments} (any order; overlapping segments are fine). Offsets
     * before the first segment are not reported: a backup starts wherever its first segment says.
     */
    public static List<MissingOffsets> between(List<SegmentInfo> segments) {
        List<SegmentInfo> ordered = new ArrayList<>(segments);
        ordered.sort(Comparator.comparingLong(SegmentInfo::firstOffset).thenComparingLong(SegmentInfo::lastOffset));
        List<MissingOffsets> missing = new ArrayList<>();
        SegmentInfo furthest = null;
        for (SegmentInfo segment : ordered) {
            if (furthest != null && segment.coversFrom() > furthest.lastOffset() + 1) {
                missing.add(new MissingOffsets(furthest.lastOffset() + 1, segment.coversFrom() - 1, furthest, segment));
            }
            if (furthest == null || segment.lastOffset() > furthest.lastOffset()) {
                furthest = segment;
            }
        }
        return missing;
    }

    /** The records of this range may have timestamps anywhere between those of its two neighbours. */
    public long minTimestamp() {
        return Math.min(before.minTimestamp(), after.minTimestamp());
    }

    public long maxTimestamp() {
        return Math.max(before.maxTimestamp(), after.maxTimestamp());
    }

    /** Says which offsets of which partition are missing, between which two segments, and why it is not a gap. */
    public String describe(String backupId) {
        return "offsets " + firstOffset + ".." + lastOffset + " of " + after.topic() + "-" + after.partition()
                + " are in no segment of backup " + backupId + ": segment " + before.key() + " ends at offset "
                + before.lastOffset() + " and the next one, " + after.key() + ", continues from offset "
                + after.coversFrom() + ". The backup records real gaps (compaction, transaction markers, retention) "
                + "in each segment, so this is a segment missing from the backup's catalog or storage, not a gap "
                + "in Kafka";
    }
}
