package dev.kbackup.sink;

import org.apache.kafka.common.TopicPartition;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Which owned partitions a background job of the publisher (retention, compaction) looks at in one run: those not
 * looked at within the recheck interval, at most {@code perRun} of them, starting after the last one looked at in
 * an earlier run. Each look lists a partition, so with many partitions the looks take turns over several runs
 * instead of listing every partition at once; what a job costs in requests per run is bounded whatever the
 * partition count. Used on the publisher's thread only.
 */
final class PartitionTurns {

    private final int perRun;
    private final Map<TopicPartition, Instant> lookedAt = new HashMap<>();
    /** Partitions take turns in the order of their names; the next run starts after this one. */
    private String last = "";

    PartitionTurns(int perRun) {
        this.perRun = perRun;
    }

    /** The partitions due for a look, in turn order, at most {@code perRun}. */
    List<TopicPartition> due(Collection<TopicPartition> owned, Instant now, Duration recheck) {
        lookedAt.keySet().retainAll(owned);
        List<TopicPartition> inOrder = new ArrayList<>(owned);
        inOrder.sort(Comparator.comparing(TopicPartition::toString));
        int start = 0;
        while (start < inOrder.size() && inOrder.get(start).toString().compareTo(last) <= 0) {
            start++;
        }
        List<TopicPartition> due = new ArrayList<>();
        for (int i = 0; i < inOrder.size() && due.size() < perRun; i++) {
            TopicPartition partition = inOrder.get((start + i) % inOrder.size());
            Instant looked = lookedAt.get(partition);
            if (looked == null || !now.isBefore(looked.plus(recheck))) {
                due.add(partition);
            }
        }
        return due;
    }

    /** {@code partition} was looked at: not due again before the recheck interval; later runs start after it. */
    void looked(TopicPartition partition, Instant now) {
        lookedAt.put(partition, now);
        last = partition.toString();
    }

    /** {@code partition} was looked at and has more to do (or failed): due again at the next run, after the others. */
    void lookAgain(TopicPartition partition) {
        lookedAt.remove(partition);
        last = partition.toString();
    }
}
