package dev.kbackup.restore;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;

import java.time.Instant;
import java.util.List;

/**
 * What one task restored, written when it completes to
 * {@code {prefix}/{backup.id}/restores/{connector}/summary-task-{n}.json} and logged. Counts are records written
 * to Kafka, accumulated over restarts of the task (a record written twice because of a restart without
 * exactly-once counts twice); {@code startedAt}, {@code durationMs} and {@code recordsThisRun} are those of the run
 * that completed. {@code partitionsAlreadyRestored} counts partitions that Connect's source offsets showed restored
 * by an earlier run under this connector name, so that this run wrote nothing for them.
 */
@JsonPropertyOrder({"backupId", "connector", "task", "startedAt", "completedAt", "durationMs", "window", "records",
    "recordsThisRun", "bytes", "recordsSkippedByWindow", "partitionsAlreadyRestored", "skippedSegments",
    "missingOffsets", "partitions"})
record RestoreSummary(String backupId, String connector, int task, Instant startedAt, Instant completedAt,
                      long durationMs, String window, long records, long recordsThisRun, long bytes,
                      long recordsSkippedByWindow, int partitionsAlreadyRestored, List<SkippedSegment> skippedSegments,
                      List<MissingRange> missingOffsets,
                      List<PartitionSummary> partitions) {

    RestoreSummary {
        skippedSegments = List.copyOf(skippedSegments);
        missingOffsets = List.copyOf(missingOffsets);
        partitions = List.copyOf(partitions);
    }

    /**
     * One restored partition; offsets are original offsets, -1 when nothing was restored. {@code resumedAfter} is
     * the offset this run resumed after (-1: it started at the beginning); {@code alreadyRestored} says that an
     * earlier run had restored everything, so this run wrote nothing.
     */
    record PartitionSummary(String topic, int partition, String targetTopic, int targetPartition, long records,
                            long recordsThisRun, long bytes, long firstOffset, long lastOffset, long resumedAfter,
                            boolean alreadyRestored) {
    }

    /** A segment the skip policy passed over: its offsets from {@code firstMissingOffset} on are missing. */
    record SkippedSegment(String key, String topic, int partition, long firstMissingOffset, long lastOffset,
                          String reason) {
    }

    /**
     * Offsets that no segment of the backup holds (a segment is missing, not a real gap), passed over under the
     * skip policy: {@code segmentBefore} ends before them and {@code segmentAfter} continues after them.
     */
    record MissingRange(String topic, int partition, long firstOffset, long lastOffset, String segmentBefore,
                        String segmentAfter) {
    }

    /** One log message with everything a person wants to see. */
    String describe() {
        StringBuilder text = new StringBuilder();
        text.append("Restore of backup ").append(backupId).append(" by ").append(connector).append(" task ")
                .append(task).append(" is complete: ").append(records).append(" records (").append(recordsThisRun)
                .append(" of them in this run), ").append(bytes)
                .append(" bytes in ").append(durationMs).append(" ms, window ").append(window).append(", ")
                .append(recordsSkippedByWindow).append(" records outside the window skipped.");
        if (partitionsAlreadyRestored > 0) {
            text.append(" ").append(partitionsAlreadyRestored == partitions.size() ? "NOTHING was restored by this "
                    + "run: all " : partitionsAlreadyRestored + " of ").append(partitions.size())
                    .append(" partitions had already been restored by an earlier run under this connector name "
                            + "(Connect's source offsets); to restore again, ")
                    .append(RestoreOffsets.howToStartOver(connector)).append('.');
        }
        for (PartitionSummary partition : partitions) {
            text.append("\n  ").append(partition.topic()).append('-').append(partition.partition()).append(" -> ")
                    .append(partition.targetTopic()).append('-').append(partition.targetPartition()).append(": ")
                    .append(partition.records()).append(" records, original offsets ")
                    .append(partition.firstOffset()).append("..").append(partition.lastOffset());
            if (partition.alreadyRestored()) {
                text.append(" (ALREADY RESTORED by an earlier run, up to original offset ")
                        .append(partition.resumedAfter()).append(": nothing written in this run)");
            } else if (partition.resumedAfter() >= 0) {
                text.append(" (resumed after original offset ").append(partition.resumedAfter()).append(')');
            }
        }
        for (SkippedSegment segment : skippedSegments) {
            text.append("\n  SKIPPED segment ").append(segment.key()).append(" (").append(segment.topic())
                    .append('-').append(segment.partition()).append("): offsets ")
                    .append(segment.firstMissingOffset()).append("..").append(segment.lastOffset())
                    .append(" are missing from the target: ").append(segment.reason());
        }
        for (MissingRange range : missingOffsets) {
            text.append("\n  MISSING offsets ").append(range.firstOffset()).append("..").append(range.lastOffset())
                    .append(" of ").append(range.topic()).append('-').append(range.partition())
                    .append(": no segment of the backup holds them (between ").append(range.segmentBefore())
                    .append(" and ").append(range.segmentAfter()).append("); they are missing from the target");
        }
        return text.toString();
    }
}
