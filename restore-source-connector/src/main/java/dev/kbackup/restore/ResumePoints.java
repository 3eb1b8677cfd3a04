package dev.kbackup.restore;

import dev.kbackup.format.TimeWindow;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.errors.ConnectException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * Where each partition of a task resumes, from the source offsets that earlier runs under the same connector name
 * left in Connect. A stored offset counts only for the target partition and window it was written for: resuming
 * after it into another target would leave out every record before it, and after a window change would leave out
 * the records the new window adds. So a mismatch stops the task before it writes anything, naming the partitions
 * and the ways out. An offset stored without its scope (set by hand) is resumed after as it is.
 */
final class ResumePoints {

    private static final Logger log = LoggerFactory.getLogger(ResumePoints.class);
    private static final int MAX_LISTED = 20;

    private final Map<TopicPartition, RestoreOffsets.Stored> stored;

    private ResumePoints(Map<TopicPartition, RestoreOffsets.Stored> stored) {
        this.stored = Map.copyOf(stored);
    }

    /**
     * The resume points of {@code plans}' partitions.
     *
     * @throws ConnectException if an offset was stored for another target or window than the partition has now
     */
    static ResumePoints check(String backupId, String connector, Collection<PartitionPlan> plans, TimeWindow window,
                              Map<TopicPartition, RestoreOffsets.Stored> stored) {
        List<String> conflicts = new ArrayList<>();
        int unscoped = 0;
        for (PartitionPlan plan : plans) {
            RestoreOffsets.Stored earlier = stored.get(plan.source());
            if (earlier == null) {
                continue;
            }
            RestoreOffsets.Scope now = new RestoreOffsets.Scope(plan.target(), window);
            if (!earlier.isFor(now)) {
                conflicts.add(plan.source() + ": restored up to original offset " + earlier.offset() + " with "
                        + earlier.scope() + "; now configured: " + now);
            } else if (earlier.scope() == null) {
                unscoped++;
            }
        }
        if (!conflicts.isEmpty()) {
            throw new ConnectException(conflictMessage(backupId, connector, conflicts));
        }
        if (unscoped > 0) {
            log.info("Restore connector '{}': {} partitions of backup {} resume after source offsets stored without "
                    + "their target and window (set by hand): resuming after them as they are", connector, unscoped,
                    backupId);
        }
        return new ResumePoints(stored);
    }

    /** The last original offset restored of {@code source}, or -1 to start at the beginning. */
    long resumeAfter(TopicPartition source) {
        RestoreOffsets.Stored earlier = stored.get(source);
        return earlier == null ? -1 : earlier.offset();
    }

    /**
     * Why the target of a resumed partition cannot hold what an earlier run restored into it (the topic was deleted
     * and created again, or truncated), or null if it can.
     *
     * @param restoredUpTo     the original offset the partition resumes after
     * @param targetEndOffset  the target partition's end offset now
     * @param lastTargetOffset the target offset an earlier run is known to have written (from its offset map), or -1
     */
    static String targetShortfall(String backupId, String connector, TopicPartition source, TopicPartition target,
                                  long restoredUpTo, long targetEndOffset, long lastTargetOffset) {
        long needed = Math.max(1, lastTargetOffset + 1);
        if (targetEndOffset >= needed) {
            return null;
        }
        String written = lastTargetOffset >= 0 ? "wrote up to offset " + lastTargetOffset + " of it" : "wrote to it";
        return "Restore connector '" + connector + "': Connect's source offsets say " + source + " of backup "
                + backupId + " was restored up to original offset " + restoredUpTo + " into " + target
                + ", and the earlier run " + written + ", but " + target + " now ends at offset " + targetEndOffset
                + ": the target was probably deleted and created again. This connector resumes after offset "
                + restoredUpTo + " and does NOT restore the records up to it again. To restore them again, "
                + RestoreOffsets.howToStartOver(connector) + ".";
    }

    private static String conflictMessage(String backupId, String connector, List<String> conflicts) {
        StringBuilder text = new StringBuilder("Restore connector '").append(connector).append("' cannot resume ")
                .append(conflicts.size()).append(" partitions of backup ").append(backupId)
                .append(": Connect holds source offsets this connector wrote for another target partition or time "
                        + "window (")
                .append(RestoreConfig.TOPIC_MAPPING).append(", ").append(RestoreConfig.PARTITION_MAPPING).append(", ")
                .append(RestoreConfig.TIME_START).append(" or ").append(RestoreConfig.TIME_END)
                .append(" changed), and resuming after them would leave out of the new target every record the new "
                        + "window selects before them. Nothing was written.");
        conflicts.stream().limit(MAX_LISTED).forEach(conflict -> text.append("\n  ").append(conflict));
        if (conflicts.size() > MAX_LISTED) {
            text.append("\n  ... and ").append(conflicts.size() - MAX_LISTED).append(" more");
        }
        text.append("\nTo restore them from the beginning of the window into the configured target, ")
                .append(RestoreOffsets.howToStartOver(connector))
                .append(". To continue the earlier restore instead, set ").append(RestoreConfig.TOPIC_MAPPING)
                .append(", ").append(RestoreConfig.PARTITION_MAPPING).append(", ").append(RestoreConfig.TIME_START)
                .append(" and ").append(RestoreConfig.TIME_END).append(" back to what they were.");
        return text.toString();
    }
}
