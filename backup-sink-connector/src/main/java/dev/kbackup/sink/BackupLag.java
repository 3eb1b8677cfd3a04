package dev.kbackup.sink;

import org.apache.kafka.common.TopicPartition;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The backup lag of each partition the task owns: offsets Kafka holds that are not yet inside complete segments.
 * Kafka's side is the higher of the last offset delivered to the task and the partition's log end offset, when
 * one is known ({@link LogEndOffsets}, with {@code cluster.bootstrap.servers} set); without it the lag covers only
 * what was delivered, and the consumer group's lag shows the rest. Offsets, not records: compaction and
 * transaction markers leave gaps. Written on the task and admin threads, read by metric reporters.
 */
final class BackupLag {

    private final Map<TopicPartition, Long> highestDelivered = new ConcurrentHashMap<>();
    private final Map<TopicPartition, Long> logEnd = new ConcurrentHashMap<>();

    /** Kafka delivered {@code offset} of {@code partition}, whether or not the writer needed it. */
    void delivered(TopicPartition partition, long offset) {
        highestDelivered.merge(partition, offset, Math::max);
    }

    /** The partition's log ends before {@code endOffset} (the offset its next record will get). */
    void logEnd(TopicPartition partition, long endOffset) {
        logEnd.put(partition, endOffset);
    }

    /** The partition left the task. */
    void forget(TopicPartition partition) {
        highestDelivered.remove(partition);
        logEnd.remove(partition);
    }

    /** Offsets Kafka holds beyond {@code durableOffset} (the last offset in a complete segment, or -1). */
    long lag(TopicPartition partition, long durableOffset) {
        long held = Math.max(highestDelivered.getOrDefault(partition, durableOffset),
                logEnd.getOrDefault(partition, durableOffset + 1) - 1);
        return Math.max(0, held - durableOffset);
    }
}
