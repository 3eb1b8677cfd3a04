package dev.kbackup.restore;

import dev.kbackup.format.SegmentInfo;
import dev.kbackup.format.TimeWindow;
import dev.kbackup.layout.BackupCatalog;
import dev.kbackup.layout.MissingOffsets;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Follows one backed-up partition's catalog for a restore in follow mode: each {@link #poll} reads only the catalog
 * objects reaching past the last segment planned ({@link BackupCatalog#readAfter}) and returns the new segments to
 * restore, in offset order. It stops at a range of offsets no segment holds yet (a gap the backup did not record as
 * real, see {@link MissingOffsets}): the segment may still be published, so it waits for it instead of skipping.
 * Also tracks how far the backup reaches and how far the restore got, for the lag metrics. Polled by the task's
 * thread; the lag is read by the metrics reporter's and the producer's threads.
 */
final class PartitionFollower {

    private static final Logger log = LoggerFactory.getLogger(PartitionFollower.class);
    private static final Comparator<SegmentInfo> OFFSET_ORDER = Comparator.comparingLong(SegmentInfo::firstOffset)
            .thenComparingLong(SegmentInfo::lastOffset);

    private final String backupId;
    private final BackupCatalog catalog;
    private final TopicPartition source;
    private final TimeWindow window;
    /** The segment planned (or passed over by the window) that reaches furthest; null if none yet. */
    private SegmentInfo furthest;
    private MissingOffsets waitingFor;
    private volatile long backupLastOffset = -1;
    private volatile long backupNewestTimestamp;
    private volatile long restoredOffset;
    private volatile long restoredTimestamp;

    /** @param restoredUpTo the last offset already restored (resume point), or -1 */
    PartitionFollower(String backupId, BackupCatalog catalog, PartitionPlan plan, TimeWindow window,
                      long restoredUpTo) {
        this.backupId = backupId;
        this.catalog = catalog;
        this.source = plan.source();
        this.window = window;
        this.furthest = plan.segments().stream().max(Comparator.comparingLong(SegmentInfo::lastOffset)).orElse(null);
        if (furthest != null) {
            reached(furthest);
        }
        this.restoredOffset = Math.max(restoredUpTo, -1);
        // until a record is restored, the restore is as far as just before the oldest planned record
        this.restoredTimestamp = plan.segments().stream().mapToLong(SegmentInfo::minTimestamp).min()
                .orElse(Long.MAX_VALUE);
    }

    TopicPartition source() {
        return source;
    }

    /** The last offset planned: the follower asks the catalog for what comes after it. */
    long plannedUpTo() {
        return furthest == null ? -1 : furthest.lastOffset();
    }

    /**
     * The segments the catalog lists after the last one planned, continuing it without a missing range, that can
     * hold records inside the window; they count as planned from now on.
     */
    List<SegmentInfo> poll() {
        List<SegmentInfo> listed = new ArrayList<>(catalog.readAfter(source.topic(), source.partition(),
                plannedUpTo()).segments());
        listed.sort(OFFSET_ORDER);
        List<SegmentInfo> next = new ArrayList<>();
        for (SegmentInfo segment : listed) {
            reached(segment);
            if (furthest != null && segment.lastOffset() <= furthest.lastOffset()) {
                continue; // a duplicate entry (a fold and its pieces) or a segment inside one planned
            }
            if (furthest != null && segment.coversFrom() > furthest.lastOffset() + 1) {
                waitFor(MissingOffsets.between(List.of(furthest, segment)).get(0));
                break;
            }
            furthest = segment;
            if (window.overlaps(segment.minTimestamp(), segment.maxTimestamp())) {
                next.add(segment);
            }
        }
        if (waitingFor != null && furthest.lastOffset() >= waitingFor.lastOffset()) {
            log.info("Following {} of backup {}: offsets {}..{} arrived, restoring on", source, backupId,
                    waitingFor.firstOffset(), waitingFor.lastOffset());
            waitingFor = null;
        }
        return next;
    }

    /** Logs once per range that the restore waits for offsets no published segment holds yet. */
    private void waitFor(MissingOffsets missing) {
        if (waitingFor != null && waitingFor.firstOffset() == missing.firstOffset()) {
            return;
        }
        waitingFor = missing;
        log.warn("Following {} of backup {}: waiting for {}. The restore of this partition goes on once a segment "
                        + "holding them is published; until then follow-lag-records does not drop", source, backupId,
                missing.describe(backupId));
    }

    private void reached(SegmentInfo segment) {
        if (segment.lastOffset() > backupLastOffset) {
            backupLastOffset = segment.lastOffset();
            backupNewestTimestamp = segment.maxTimestamp();
        }
    }

    /** Connect wrote (or a transformation dropped) the record at original {@code offset}. */
    void restored(long offset, long timestamp) {
        if (offset > restoredOffset) {
            restoredOffset = offset;
        }
        if (timestamp > restoredTimestamp || restoredTimestamp == Long.MAX_VALUE) {
            restoredTimestamp = timestamp;
        }
    }

    /** Offsets the catalog lists that are not restored yet (gaps in the partition's offsets count too). */
    long lagRecords() {
        return Math.max(0, backupLastOffset - restoredOffset);
    }

    /** How much newer the newest backed-up record is than the newest restored one; 0 when caught up. */
    long lagMs() {
        if (lagRecords() == 0) {
            return 0;
        }
        return restoredTimestamp == Long.MAX_VALUE ? 0 : Math.max(0, backupNewestTimestamp - restoredTimestamp);
    }
}
