package dev.kbackup.sink;

import dev.kbackup.format.BackupRecord;
import dev.kbackup.format.BlockEncoder;
import dev.kbackup.format.Codec;
import dev.kbackup.layout.BackupLayout;
import org.apache.kafka.common.TopicPartition;

import java.util.function.LongConsumer;

/**
 * The backup of one topic-partition as the task thread sees it: the segment being filled, the highest offset
 * accepted, and the highest offset that is durably stored. States: idle (no open segment) and writing; a
 * segment is rolled by size, by age, to relieve memory, or on close.
 */
final class PartitionWriter {

    private final TopicPartition partition;
    private final SegmentPipeline pipeline;
    private final BackupLayout layout;
    private final Codec codec;
    private final int blockBytes;
    private final long segmentMaxBytes;
    private final long segmentMaxAgeMillis;
    private final BlockEncoder encoder;
    private final LongConsumer openBlockBytesChanged;

    private SegmentPipeline.Segment segment;
    private long segmentOpenedAt;
    private long segmentBytes;
    private long lastAccepted;
    private long durable;
    private boolean awaitingFirstAfterSeek = true;

    /**
     * @param durableOffset         the highest offset already in storage, or -1
     * @param openBlockBytesChanged told of every change to the heap bytes of the open block, for the task's budget
     */
    PartitionWriter(TopicPartition partition, long durableOffset, SegmentPipeline pipeline, BackupLayout layout,
                    Codec codec, int blockBytes, long segmentMaxBytes, long segmentMaxAgeMillis,
                    LongConsumer openBlockBytesChanged) {
        this.partition = partition;
        this.pipeline = pipeline;
        this.layout = layout;
        this.codec = codec;
        this.blockBytes = blockBytes;
        this.encoder = new BlockEncoder(blockBytes);
        this.segmentMaxBytes = segmentMaxBytes;
        this.segmentMaxAgeMillis = segmentMaxAgeMillis;
        this.durable = durableOffset;
        this.lastAccepted = durableOffset;
        this.openBlockBytesChanged = openBlockBytesChanged;
    }

    /**
     * Takes a record unless its offset is already held (redelivered or already stored); true if taken. Records
     * must come in offset order, as a partition's consumer delivers them.
     */
    boolean accept(BackupRecord record, long now) {
        if (record.offset() <= lastAccepted) {
            return false;
        }
        long retainedBefore = encoder.retainedBytes();
        if (segment == null) {
            // Offsets between what we waited for and this record are gone from Kafka: a real gap, recorded.
            long coversFrom = lastAccepted < 0 ? record.offset() : lastAccepted + 1;
            segment = pipeline.open(partition, layout.segmentKey(partition.topic(), partition.partition(),
                    record.offset(), codec), coversFrom);
            segmentOpenedAt = now;
            segmentBytes = 0;
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
        if (segment != null && now - segmentOpenedAt >= segmentMaxAgeMillis) {
            roll();
            return true;
        }
        return false;
    }

    /** Hands the open segment, if any, to the pipeline for completion. */
    void roll() {
        if (segment == null) {
            return;
        }
        long retainedBefore = encoder.retainedBytes();
        if (!encoder.isEmpty()) {
            pipeline.append(segment, encoder.seal());
        }
        pipeline.finish(segment);
        segment = null;
        reportOpenBlockChange(retainedBefore);
    }

    /** Drops everything not yet durable; the partition will be read again from {@link #resumeOffset()}. */
    void discard() {
        long retainedBefore = encoder.retainedBytes();
        encoder.clear();
        reportOpenBlockChange(retainedBefore);
        if (segment != null) {
            pipeline.abort(segment);
            segment = null;
        }
        lastAccepted = durable;
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
                    + " offsets up to " + durable + ": the partition's log was truncated or the topic was deleted "
                    + "and re-created since it was backed up. Backing it up into the same backup.id would skip or "
                    + "mix records, so nothing more is written for it. Back the re-created topic up under a new "
                    + "backup.id.");
        }
    }

    /** The consumer is being sought to {@link #resumeOffset()}. */
    void sought() {
        awaitingFirstAfterSeek = true;
    }

    /** Records that offsets up to {@code offset} are stored. */
    void markDurable(long offset) {
        durable = Math.max(durable, offset);
        lastAccepted = Math.max(lastAccepted, durable);
    }

    long durableOffset() {
        return durable;
    }

    /** The next offset this writer wants from Kafka. */
    long resumeOffset() {
        return lastAccepted + 1;
    }

    boolean hasOpenSegment() {
        return segment != null;
    }

    /** Milliseconds until the open segment is due to roll by age, or -1 if none is open. */
    long millisUntilRoll(long now) {
        return segment == null ? -1 : Math.max(0, segmentOpenedAt + segmentMaxAgeMillis - now);
    }

    /** Heap bytes held for this partition: the open block and what the pipeline holds of its segment. */
    long heldBytes() {
        return encoder.retainedBytes() + pipelineBytes();
    }

    /** Heap bytes the pipeline holds for the open segment: queued blocks and the upload's unsent part. */
    long pipelineBytes() {
        return segment == null ? 0 : segment.held.get();
    }

    private void reportOpenBlockChange(long retainedBefore) {
        long delta = encoder.retainedBytes() - retainedBefore;
        if (delta != 0) {
            openBlockBytesChanged.accept(delta);
        }
    }
}
