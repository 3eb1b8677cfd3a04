package dev.kbackup.sink;

import org.apache.kafka.common.TopicPartition;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The backup lag of each partition the task owns: offsets Kafka has delivered to the task that are not yet inside
 * complete segments. What Kafka holds but has not delivered yet is the consumer's lag, which Connect's consumer
 * metrics and the group's committed offsets already show; the two together are what the backup still owes.
 * Written on the task thread, read by metric reporters.
 */
final class BackupLag {

    private final Map<TopicPartition, Long> highestDelivered = new ConcurrentHashMap<>();

    /** Kafka delivered {@code offset} of {@code partition}, whether or not the writer needed it. */
    void delivered(TopicPartition partition, long offset) {
        highestDelivered.merge(partition, offset, Math::max);
    }

    /** The partition left the task. */
    void forget(TopicPartition partition) {
        highestDelivered.remove(partition);
    }

    /** Offsets delivered beyond {@code durableOffset} (the last offset in a complete segment, or -1). */
    long lag(TopicPartition partition, long durableOffset) {
        Long delivered = highestDelivered.get(partition);
        return delivered == null ? 0 : Math.max(0, delivered - durableOffset);
    }
}
