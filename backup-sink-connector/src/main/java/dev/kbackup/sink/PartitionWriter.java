package dev.kbackup.sink;

import dev.kbackup.format.BackupRecord;
import dev.kbackup.format.BlockEncoder;
import dev.kbackup.format.Codec;
import dev.kbackup.layout.BackupLayout;
import org.apache.kafka.common.TopicPartition;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The backup of one topic-partition: the segment being filled, the highest offset accepted, and the one owner of
 * the highest offset durably stored. A segment is rolled by size, by age, to relieve memory, or on close.
 *
 * <p>States: {@link State#IDLE} (no open segment), {@link State#WRITING} (a segment is open) and
 * {@link State#AWAITING_REWIND} (what was not durable was dropped; the task seeks the consumer back, then
 * {@link #sought} makes it idle again). Everything runs on the task thread except {@link #markDurable} and
 * {@link #durableOffset}, which the pipeline thread and metric reporters call.
 */
final class PartitionWriter {

    enum State { IDLE, WRITING, AWAITING_REWIND }

    private final TopicPartition partition;
    private final SegmentPipeline pipeline;
    private final BackupLayout layout;
    private final Codec codec;
    private final int blockBytes;
    private final long segmentMaxBytes;
    private final long segmentMaxAgeMillis;
    private final BlockEncoder encoder;
    private final MemoryBudget budget;
    /** Set from the pipeline thread as segments complete; only ever grows. */
    private final AtomicLong durable;

    private State state = State.IDLE;
    /** The open segment while {@link State#WRITING}, else null. */
    private SegmentPipeline.Segment segment;
    private long segmentOpenedAt;
    private long segmentBytes;
    private long lastAccepted;
    /** The first record Kafka delivers after a seek is checked against the sought offset. */
    private boolean awaitingFirstAfterSeek = true;

    /**
     * @param durableOffset the highest offset already in storage, or -1
     * @param budget        told of every change to the heap bytes of the open block
     */
    PartitionWriter(TopicPartition partition, long durableOffset, SegmentPipeline pipeline, BackupLayout layout,
                    Codec codec, int blockBytes, long segmentMaxBytes, long segmentMaxAgeMillis,
                    MemoryBudget budget) {
        this.partition = partition;
        this.pipeline = pipeline;
        this.layout = layout;
        this.codec = codec;
        this.blockBytes = blockBytes;
        this.encoder = new BlockEncoder(blockBytes);
        this.segmentMaxBytes = segmentMaxBytes;
        this.segmentMaxAgeMillis = segmentMaxAgeMillis;
        this.durable = new AtomicLong(durableOffset);
        this.lastAccepted = durableOffset;
        this.budget = budget;
    }

    /**
     * Takes a record unless its offset is already held (redelivered or already stored); true if taken. Records
     * must come in offset order, as a partition's consumer delivers them. If taking it throws (an {@link Error}
     * such as {@code OutOfMemoryError} included), the open block may be half-written: it is dropped with the open
     * segment, so that a later roll cannot store it, before the failure goes on.
     *
     * @throws IllegalStateException if the writer awaits a rewind: its consumer must be sought back first
     */
    boolean accept(BackupRecord record, long now) {
        if (state == State.AWAITING_REWIND) {
            throw new IllegalStateException("The writer of " + partition + " dropped what was not durable and "
                    + "waits for its consumer to be sought back to offset " + resumeOffset() + "; offset "
                    + record.offset() + " came before that seek");
        }
        try {
            return append(record, now);
        } catch (RuntimeException | Error e) {
            discard();
            throw e;
        }
    }

    private boolean append(BackupRecord record, long now) {
        long lastHeld = lastHeld();
        if (record.offset() <= lastHeld) {
            return false;
        }
        long retainedBefore = encoder.retainedBytes();
        if (state == State.IDLE) {
            // Offsets between what we waited for and this record are gone from Kafka: a real gap, recorded.
            long coversFrom = lastHeld < 0 ? record.offset() : lastHeld + 1;
            segment = pipeline.open(partition, layout.segmentKey(partition.topic(), partition.partition(),
                    record.offset(), codec), coversFrom);
            segmentOpenedAt = now;
            segmentBytes = 0;
            state = State.WRITING;
        }
        if (encoder.startsFullBlock()) {
            byte[] spare = pipeline.takeSpareBuffer();
            if (spare != null) {
                encoder.recycle(spare);
            }
        }
        int before = encoder.sizeInBytes();
        encoder.append(record);
        segmentBytes += encoder.sizeInBytes() - before;
        lastAccepted = record.offset();
        if (encoder.sizeInBytes() >= blockBytes) {
            pipeline.append(segment, encoder.seal());
        }
        reportOpenBlockChange(retainedBefore);
        if (segmentBytes >= segmentMaxBytes) {
            roll();
        }
        return true;
    }

    /** Closes the open segment if it is older than the maximum interval; true if it did. */
    boolean rollIfOlderThanMax(long now) {
        if (state == State.WRITING && now - segmentOpenedAt >= segmentMaxAgeMillis) {
            roll();
            return true;
        }
        return false;
    }

    /**
     * Hands the open block to the pipeline without closing the segment, if it holds at least {@code minBytes}:
     * compressed into the segment's upload, it holds less memory (a sixth for json) and the segment goes on.
     * Returns the heap bytes the open block held, or 0 if it was not sealed.
     */
    long sealOpenBlock(int minBytes) {
        if (state != State.WRITING || encoder.sizeInBytes() < minBytes) {
            return 0;
        }
        long retainedBefore = encoder.retainedBytes();
        pipeline.append(segment, encoder.seal());
        reportOpenBlockChange(retainedBefore);
        return retainedBefore;
    }

    /** Heap bytes of the open block alone. */
    long openBlockBytes() {
        return encoder.retainedBytes();
    }

    /** Hands the open segment, if any, to the pipeline for completion. */
    void roll() {
        if (state != State.WRITING) {
            return;
        }
        long retainedBefore = encoder.retainedBytes();
        if (!encoder.isEmpty()) {
            pipeline.append(segment, encoder.seal());
        }
        pipeline.finish(segment);
        segment = null;
        state = State.IDLE;
        reportOpenBlockChange(retainedBefore);
    }

    /**
     * Drops everything not yet durable and waits for the rewind; the partition will be read again from
     * {@link #resumeOffset()}.
     */
    void discard() {
        long retainedBefore = encoder.retainedBytes();
        encoder.clear();
        reportOpenBlockChange(retainedBefore);
        if (segment != null) {
            pipeline.abort(segment);
            segment = null;
        }
        lastAccepted = durable.get();
        state = State.AWAITING_REWIND;
    }

    /**
     * Checks the first record Kafka delivers after the consumer was sought to {@link #resumeOffset()}: it can only
     * be below that offset if the sought offset no longer existed and the consumer started over, which means the
     * partition's log was truncated or the topic was deleted and re-created.
     *
     * @throws IllegalStateException naming the partition and the offsets
     */
    void checkFirstAfterSeek(long offset) {
        if (!awaitingFirstAfterSeek) {
            return;
        }
        awaitingFirstAfterSeek = false;
        if (offset < resumeOffset()) {
            throw new IllegalStateException("Kafka delivered offset " + offset + " of " + partition
                    + " after the consumer was sought to offset " + resumeOffset() + ", and the backup already holds"
                    + " offsets up to " + durable.get() + ": the partition's log was truncated or the topic was "
                    + "deleted and re-created since it was backed up. Backing it up into the same backup.id would "
                    + "skip or mix records, so nothing more is written for it. Back the re-created topic up under a "
                    + "new backup.id.");
        }
    }

    /** The consumer is being sought to {@link #resumeOffset()}: a writer awaiting the rewind is idle again. */
    void sought() {
        awaitingFirstAfterSeek = true;
        if (state == State.AWAITING_REWIND) {
            state = State.IDLE;
        }
    }

    /** Records that offsets up to {@code offset} are stored; safe from any thread. */
    void markDurable(long offset) {
        durable.accumulateAndGet(offset, Math::max);
    }

    /** The last offset inside a complete segment, or -1; safe from any thread. */
    long durableOffset() {
        return durable.get();
    }

    /** The next offset this writer wants from Kafka. */
    long resumeOffset() {
        return lastHeld() + 1;
    }

    State state() {
        return state;
    }

    /** Milliseconds until the open segment is due to roll by age, or -1 if none is open. */
    long millisUntilRoll(long now) {
        return state != State.WRITING ? -1 : Math.max(0, segmentOpenedAt + segmentMaxAgeMillis - now);
    }

    /** Heap bytes held for this partition: the open block and what the pipeline holds of its segment. */
    long heldBytes() {
        return encoder.retainedBytes() + (segment == null ? 0 : segment.held.get());
    }

    /** The highest offset accepted or stored: another writer may have stored beyond what this one accepted. */
    private long lastHeld() {
        return Math.max(lastAccepted, durable.get());
    }

    private void reportOpenBlockChange(long retainedBefore) {
        long delta = encoder.retainedBytes() - retainedBefore;
        if (delta != 0) {
            budget.openBlocksChanged(delta);
        }
    }
}
