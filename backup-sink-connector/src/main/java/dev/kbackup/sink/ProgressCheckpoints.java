package dev.kbackup.sink;

import dev.kbackup.format.SegmentInfo;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongConsumer;

/**
 * Records the task's durable progress in its local side-store every checkpoint interval: the segments completed
 * since the last checkpoint (pending publication) and each progressed partition's durable offset, asked of its
 * writer. A failed checkpoint is retried at the next one; storage stays the authority. Task thread only.
 */
final class ProgressCheckpoints {

    private static final Logger log = LoggerFactory.getLogger(ProgressCheckpoints.class);

    private final StateStore state;
    private final StateStore.JobStatus job;
    private final long intervalMillis;
    private final LongConsumer checkpointNanos;
    private final List<SegmentInfo> completed = new ArrayList<>();
    private final Set<TopicPartition> progressed = new HashSet<>();
    private long next;

    /** @param checkpointNanos told how long each successful checkpoint took */
    ProgressCheckpoints(StateStore state, StateStore.JobStatus job, long intervalMillis, long now,
                        LongConsumer checkpointNanos) {
        this.state = state;
        this.job = job;
        this.intervalMillis = intervalMillis;
        this.checkpointNanos = checkpointNanos;
        this.next = now + intervalMillis;
    }

    /** A segment of {@code partition} is in storage (written by this task, or by another first). */
    void segmentStored(TopicPartition partition, SegmentInfo segment) {
        completed.add(segment);
        progressed.add(partition);
    }

    /** The partition's durable offset changed without a segment, for example on being opened. */
    void progressed(TopicPartition partition) {
        progressed.add(partition);
    }

    /** Milliseconds until the next checkpoint is due (0 or less: due now). */
    long millisUntilNext(long now) {
        return next - now;
    }

    void checkpointIfDue(long now, PartitionWriters writers) {
        if (now >= next) {
            checkpoint(now, writers);
        }
    }

    void checkpoint(long now, PartitionWriters writers) {
        List<StateStore.PartitionProgress> progress = new ArrayList<>();
        Map<TopicPartition, String> lastKeys = new HashMap<>();
        Map<TopicPartition, Long> records = new HashMap<>();
        for (SegmentInfo segment : completed) {
            TopicPartition partition = new TopicPartition(segment.topic(), segment.partition());
            lastKeys.merge(partition, segment.key(), (a, b) -> a.compareTo(b) >= 0 ? a : b);
            records.merge(partition, segment.recordCount(), Long::sum);
        }
        for (TopicPartition partition : progressed) {
            PartitionWriter writer = writers.get(partition);
            if (writer != null) {
                progress.add(new StateStore.PartitionProgress(partition, writer.durableOffset(),
                        lastKeys.get(partition), records.getOrDefault(partition, 0L)));
            }
        }
        long start = System.nanoTime();
        try {
            state.checkpoint(job, progress, completed, now);
            checkpointNanos.accept(System.nanoTime() - start);
            completed.clear();
            progressed.clear();
        } catch (RuntimeException e) {
            log.warn("Checkpoint to the side-store failed; storage still holds every completed segment and the "
                    + "next checkpoint retries: {}", e.toString());
        }
        next = now + intervalMillis;
    }
}
