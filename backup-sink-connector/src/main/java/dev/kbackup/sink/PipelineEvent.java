package dev.kbackup.sink;

import dev.kbackup.format.SegmentInfo;
import org.apache.kafka.common.TopicPartition;

/** Something the segment pipeline tells the task thread; drained at the start of each {@code put}. */
record PipelineEvent(Kind kind, TopicPartition partition, SegmentInfo segment, String key, Throwable cause,
                     long uploadNanos) {

    enum Kind {
        /** The segment is complete in storage. */
        COMPLETED,
        /** Another writer completed the same segment name first; {@code segment} is what storage holds. */
        SUPERSEDED,
        /** The segment could not be stored; its records must be read again. */
        FAILED
    }

    static PipelineEvent completed(TopicPartition partition, SegmentInfo segment, long uploadNanos) {
        return new PipelineEvent(Kind.COMPLETED, partition, segment, segment.key(), null, uploadNanos);
    }

    static PipelineEvent superseded(TopicPartition partition, String key, SegmentInfo existing) {
        return new PipelineEvent(Kind.SUPERSEDED, partition, existing, key, null, 0);
    }

    static PipelineEvent failed(TopicPartition partition, String key, Throwable cause) {
        return new PipelineEvent(Kind.FAILED, partition, null, key, cause, 0);
    }
}
