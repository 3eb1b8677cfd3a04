package dev.kbackup.restore;

import dev.kbackup.format.BackupRecord;
import dev.kbackup.format.BlockHeader;
import dev.kbackup.format.BlockIndexEntry;
import dev.kbackup.format.CorruptSegmentException;
import dev.kbackup.format.SegmentFooter;
import dev.kbackup.format.SegmentInfo;
import dev.kbackup.format.TimeWindow;
import dev.kbackup.layout.MissingOffsets;
import dev.kbackup.layout.RetentionMark;
import dev.kbackup.storage.ObjectNotFoundException;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * Restores one backed-up partition: walks its planned segments in offset order, opens each at the first block that
 * can hold a wanted record, skips blocks whose header puts them outside the window, and hands out every record
 * inside the window whose offset is above the last one handed out (so overlapping segments never repeat a record).
 * A segment is opened only when the partition's turn comes ({@link SegmentPrefetcher.Lane#takeTurn()}): until then
 * {@link #drainTo} returns nothing, and between segments the partition holds no reader. Not thread-safe: the task's
 * poll thread owns it.
 */
final class PartitionRestorer {

    /** Told what the restorer skipped. */
    interface Listener {
        void skippedByWindow(long records);

        /**
         * A segment could not be read and the policy is to skip it. {@code firstMissing} is the first offset of it
         * that was not restored.
         */
        void segmentSkipped(PartitionPlan plan, SegmentInfo segment, RuntimeException cause, long firstMissing);

        /** Offsets that no segment of the backup holds will not be restored, and the policy is to skip them. */
        void offsetsMissing(PartitionPlan plan, MissingOffsets missing);
    }

    private final PartitionPlan plan;
    private final SegmentPrefetcher.Lane lane;
    private final TimeWindow window;
    private final CorruptSegmentPolicy policy;
    private final Listener listener;
    private final String backupId;
    private final Function<SegmentInfo, Optional<RetentionMark>> expiredBy;

    private long lastOffset;
    private SegmentPrefetcher.OpenSegment open;
    private List<BackupRecord> block = List.of();
    private int nextInBlock;
    private boolean done;
    private boolean segmentEnded;
    // read by the metrics reporter's thread
    private volatile long remainingRecords;
    private volatile long remainingBytes;

    /** @param resumeAfter the last offset already restored, or -1 to start at the beginning */
    PartitionRestorer(String backupId, PartitionPlan plan, SegmentPrefetcher prefetcher, long resumeAfter,
                      TimeWindow window, CorruptSegmentPolicy policy, Listener listener) {
        this(backupId, plan, prefetcher, resumeAfter, window, policy, listener, segment -> Optional.empty());
    }

    /**
     * @param expiredBy the retention mark that expired a segment, if one did: asked only when a planned segment
     *                  is not found, to tell a segment deleted by retention from a lost one
     */
    PartitionRestorer(String backupId, PartitionPlan plan, SegmentPrefetcher prefetcher, long resumeAfter,
                      TimeWindow window, CorruptSegmentPolicy policy, Listener listener,
                      Function<SegmentInfo, Optional<RetentionMark>> expiredBy) {
        this.expiredBy = expiredBy;
        this.backupId = backupId;
        this.plan = plan;
        this.window = window;
        this.policy = policy;
        this.listener = listener;
        this.lastOffset = resumeAfter;
        List<SegmentInfo> left = plan.segments().stream().filter(s -> s.lastOffset() > resumeAfter).toList();
        this.remainingRecords = left.stream().mapToLong(SegmentInfo::recordCount).sum();
        this.remainingBytes = left.stream().mapToLong(SegmentInfo::sizeBytes).sum();
        this.lane = prefetcher.lane(plan.source().toString(), left, resumeAfter + 1, window);
        plan.missing().stream().filter(range -> range.lastOffset() > resumeAfter).forEach(this::missing);
    }

    /** Offsets the backup should hold but does not: fail before restoring anything, or report them and go on. */
    private void missing(MissingOffsets range) {
        if (policy == CorruptSegmentPolicy.SKIP) {
            listener.offsetsMissing(plan, range);
            return;
        }
        throw new UnreadableSegmentException("Cannot restore " + plan.source() + ": " + range.describe(backupId)
                + ". Nothing was restored yet. Put the missing segment back from a copy of the storage if you have "
                + "one and restart the task, or set " + RestoreConfig.CORRUPT_SEGMENT_POLICY + "=skip to restore "
                + "everything else without offsets " + range.firstOffset() + ".." + range.lastOffset() + ".", null);
    }

    /**
     * Adds segments after the planned ones, in offset order (a following restore found them in the catalog): a
     * restorer that was done reads on. Records at or below the last offset handed out are still skipped.
     */
    void append(List<SegmentInfo> segments) {
        if (segments.isEmpty()) {
            return;
        }
        lane.append(segments);
        remainingRecords += segments.stream().mapToLong(SegmentInfo::recordCount).sum();
        remainingBytes += segments.stream().mapToLong(SegmentInfo::sizeBytes).sum();
        done = false;
    }

    /** Offset of the last record handed out (or the resume point). */
    long lastOffset() {
        return lastOffset;
    }

    boolean isDone() {
        return done;
    }

    /** True while the partition waits for its turn to open its next segment: it has nothing to hand out yet. */
    boolean isWaiting() {
        return !done && open == null && lane.isWaiting();
    }

    /** Records of segments not finished yet (an upper bound of what is left to restore). */
    long remainingRecords() {
        return remainingRecords;
    }

    /** Stored bytes of segments not finished yet. */
    long remainingBytes() {
        return remainingBytes;
    }

    /** True once if a segment was finished since the last call: a good place for a transaction boundary. */
    boolean takeSegmentEnded() {
        boolean ended = segmentEnded;
        segmentEnded = false;
        return ended;
    }

    /**
     * Appends up to {@code maxRecords} records to {@code out}, stopping early once their payload reaches
     * {@code maxBytes} (at least one record is added if any is left). Returns the payload bytes added.
     *
     * @throws UnreadableSegmentException if a segment cannot be read and the policy is {@code fail}
     */
    long drainTo(List<BackupRecord> out, int maxRecords, long maxBytes) {
        long bytes = 0;
        int added = 0;
        while (added < maxRecords && bytes < maxBytes && !done) {
            if (nextInBlock < block.size()) {
                BackupRecord record = block.get(nextInBlock++);
                if (record.offset() <= lastOffset) {
                    continue;
                }
                if (!window.contains(record.timestamp())) {
                    listener.skippedByWindow(1);
                    continue;
                }
                out.add(record);
                lastOffset = record.offset();
                bytes += record.payloadBytes();
                added++;
                continue;
            }
            block = List.of();
            nextInBlock = 0;
            if (!advance()) {
                break;
            }
        }
        return bytes;
    }

    /** Loads the next block worth decoding, moving to the next segment when needed; false if waiting for a turn. */
    private boolean advance() {
        if (open == null) {
            return openNextSegment();
        }
        SegmentInfo segment = open.segment();
        SegmentFooter footer = open.footer();
        int blockIndex = -1;
        try {
            if (open.reader().blockIndex() >= open.lastBlock()) {
                finishSegment();
                return true;
            }
            blockIndex = open.reader().blockIndex() + 1;
            BlockHeader header = open.reader().nextBlock();
            if (header == null) {
                finishSegment();
                return true;
            }
            if (header.lastOffset() <= lastOffset) {
                return true;
            }
            if (!window.overlaps(header.minTimestamp(), header.maxTimestamp())) {
                listener.skippedByWindow(header.recordCount());
                return true;
            }
            block = open.reader().records();
            lane.holding(open.reader().heapBytes());
        } catch (CorruptSegmentException | ObjectNotFoundException e) {
            unreadable(segment, footer, blockIndex, e);
        }
        return true;
    }

    /** Opens the next segment if it is this partition's turn; false if it waits in line. */
    private boolean openNextSegment() {
        SegmentPrefetcher.OpenSegment next = null;
        boolean opened = false;
        while (!opened) {
            if (!lane.takeTurn()) {
                return false;
            }
            try {
                next = lane.next();
                opened = true;
            } catch (CorruptSegmentException | ObjectNotFoundException e) {
                unreadable(lane.current(), null, -1, e);
            }
        }
        if (next == null) {
            done = true;
            return true;
        }
        open = next;
        long outside = 0;
        for (int i = 0; i < next.footer().blocks().size(); i++) {
            BlockIndexEntry entry = next.footer().blocks().get(i);
            if (entry.lastOffset() > lastOffset && (i < next.firstBlock() || i > next.lastBlock())) {
                outside += entry.recordCount();
            }
        }
        if (outside > 0) {
            listener.skippedByWindow(outside);
        }
        if (next.isEmpty()) {
            finishSegment();
        }
        return true;
    }

    private void finishSegment() {
        segmentDone(open.segment());
    }

    /** Nothing more is read from {@code segment}, whether it was read to its end or skipped. */
    private void segmentDone(SegmentInfo segment) {
        closeOpen();
        remainingRecords -= segment.recordCount();
        remainingBytes -= segment.sizeBytes();
        segmentEnded = true;
    }

    /** Closes the open segment's reader and gives the partition's turn to the next one in line. */
    private void closeOpen() {
        if (open != null && open.reader() != null) {
            try {
                open.reader().close();
            } catch (RuntimeException e) {
                // the reader's stream is our own buffer; closing cannot lose data
            }
        }
        open = null;
        lane.finishSegment();
    }

    private void unreadable(SegmentInfo segment, SegmentFooter footer, int blockIndex, RuntimeException cause) {
        closeOpen();
        long firstMissing = Math.max(lastOffset + 1, segment.firstOffset());
        if (policy == CorruptSegmentPolicy.SKIP) {
            listener.segmentSkipped(plan, segment, cause, firstMissing);
            segmentDone(segment);
            return;
        }
        done = true;
        throw new UnreadableSegmentException(describe(segment, footer, blockIndex, cause, firstMissing), cause);
    }

    private String describe(SegmentInfo segment, SegmentFooter footer, int blockIndex, RuntimeException cause,
                            long firstMissing) {
        Optional<RetentionMark> expired = cause instanceof ObjectNotFoundException ? expiredBy.apply(segment)
                : Optional.empty();
        if (expired.isPresent()) {
            return "Cannot restore " + plan.source() + " of backup " + backupId + ": segment " + segment.key()
                    + " (offsets " + segment.firstOffset() + ".." + segment.lastOffset() + ", newest record at "
                    + Instant.ofEpochMilli(segment.maxTimestamp()) + ") expired by retention at "
                    + expired.get().expiredAt() + " (the backup keeps segments whose newest record is at or after "
                    + Instant.ofEpochMilli(expired.get().cutoffTimestamp()) + ") and was deleted after this restore "
                    + "planned it. Records up to offset " + lastOffset + " were restored; offsets " + firstMissing
                    + ".." + segment.lastOffset() + " were not. Restore a window that starts after the cutoff, or "
                    + "set " + RestoreConfig.CORRUPT_SEGMENT_POLICY + "=skip to restore everything else.";
        }
        int block = cause instanceof CorruptSegmentException corrupt && corrupt.block() >= 0 ? corrupt.block()
                : blockIndex;
        String where = block < 0 ? "its header or footer" : "block " + block;
        if (block >= 0 && footer != null && block < footer.blocks().size()) {
            BlockIndexEntry entry = footer.blocks().get(block);
            where += " (offsets " + entry.firstOffset() + ".." + entry.lastOffset() + ")";
        }
        return "Cannot restore " + plan.source() + " of backup " + backupId + ": segment " + segment.key()
                + " (offsets " + segment.firstOffset() + ".." + segment.lastOffset() + ") is unreadable at " + where
                + ": " + cause.getMessage() + ". Records up to offset " + lastOffset + " were restored; offsets "
                + firstMissing + ".." + segment.lastOffset() + " were not. Replace the object from a copy and "
                + "restart the task (it resumes after offset " + lastOffset + "), or set "
                + RestoreConfig.CORRUPT_SEGMENT_POLICY + "=skip to restore everything else without this segment.";
    }
}
