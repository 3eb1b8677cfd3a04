package dev.kbackup.restore;

import dev.kbackup.format.SegmentInfo;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * The follow mode of one task: every poll interval asks each partition's {@link PartitionFollower} for segments the
 * backup published since, and appends them to the partition's restorer. A storage failure is logged and retried at
 * the next interval: a following restore outlives short outages of the store. Also sums the lag metrics.
 */
final class BackupFollower {

    private static final Logger log = LoggerFactory.getLogger(BackupFollower.class);

    /** One followed partition and the restorer its new segments go to. */
    record Followed(PartitionFollower follower, PartitionRestorer restorer) {
    }

    private final String backupId;
    private final long intervalMs;
    private final LongSupplier clockMs;
    private final List<Followed> partitions = new ArrayList<>();
    private final Map<TopicPartition, PartitionFollower> bySource = new HashMap<>();
    private long nextPollMs;

    BackupFollower(String backupId, long intervalMs, LongSupplier clockMs) {
        this.backupId = backupId;
        this.intervalMs = intervalMs;
        this.clockMs = clockMs;
        this.nextPollMs = clockMs.getAsLong() + intervalMs;
    }

    void add(PartitionFollower follower, PartitionRestorer restorer) {
        partitions.add(new Followed(follower, restorer));
        bySource.put(follower.source(), follower);
    }

    /** Milliseconds until the next look at the catalog (0: due). */
    long untilNextPollMs() {
        return Math.max(0, nextPollMs - clockMs.getAsLong());
    }

    /** Looks at the catalog if the interval has passed; returns the segments appended. */
    int pollIfDue() {
        long now = clockMs.getAsLong();
        if (now < nextPollMs) {
            return 0;
        }
        nextPollMs = now + intervalMs;
        int appended = 0;
        for (Followed partition : partitions) {
            try {
                List<SegmentInfo> found = partition.follower().poll();
                partition.restorer().append(found);
                appended += found.size();
                if (!found.isEmpty()) {
                    log.debug("Following {} of backup {}: {} new segments up to offset {}",
                            partition.follower().source(), backupId, found.size(),
                            found.get(found.size() - 1).lastOffset());
                }
            } catch (RuntimeException e) {
                log.warn("Following backup {}: could not read the catalog of {} (retrying in {} ms): {}", backupId,
                        partition.follower().source(), intervalMs, e.toString());
            }
        }
        return appended;
    }

    /** Connect wrote (or dropped) the record at original {@code offset} of {@code source}. */
    void restored(TopicPartition source, long offset, long timestamp) {
        PartitionFollower follower = source == null ? null : bySource.get(source);
        if (follower != null) {
            follower.restored(offset, timestamp);
        }
    }

    /** Offsets the catalog lists and the restore has not written yet, over the task's partitions. */
    long lagRecords() {
        return partitions.stream().mapToLong(p -> p.follower().lagRecords()).sum();
    }

    /** The largest record-time lag of the task's partitions. */
    long lagMs() {
        return partitions.stream().mapToLong(p -> p.follower().lagMs()).max().orElse(0);
    }
}
