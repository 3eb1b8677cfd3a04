package dev.kbackup.restore;

import dev.kbackup.metrics.TaskMetric;

import java.util.List;

import static dev.kbackup.metrics.TaskMetric.average;
import static dev.kbackup.metrics.TaskMetric.counter;
import static dev.kbackup.metrics.TaskMetric.gauge;
import static dev.kbackup.metrics.TaskMetric.maximum;
import static dev.kbackup.metrics.TaskMetric.rate;

/**
 * Every metric of a restore source task, declared once: {@link RestoreMetrics} registers these and nothing else,
 * and docs/monitoring.md is generated from {@link #ALL}. A new metric is declared here and listed in ALL.
 */
public final class RestoreMetricNames {

    public static final TaskMetric RECORDS_RESTORED_TOTAL = counter("records-restored-total", "records",
            "records restored and acknowledged by Kafka");
    public static final TaskMetric RECORDS_RESTORED_RATE = rate("records-restored-rate", "records/s",
            "records restored and acknowledged by Kafka, per second");
    public static final TaskMetric BYTES_RESTORED_TOTAL = counter("bytes-restored-total", "bytes",
            "record bytes (key, value, headers) restored");
    public static final TaskMetric BYTES_RESTORED_RATE = rate("bytes-restored-rate", "bytes/s",
            "record bytes (key, value, headers) restored, per second");
    public static final TaskMetric RECORDS_REMAINING = gauge("records-remaining", "records",
            "records in segments not restored yet: the lag to completion (an upper bound when a window excludes "
            + "some)");
    public static final TaskMetric BYTES_REMAINING = gauge("bytes-remaining", "bytes",
            "stored bytes of segments not restored yet");
    public static final TaskMetric RESTORE_COMPLETE = gauge("restore-complete", "0 or 1",
            "1 once everything the task was given has been restored, else 0");
    public static final TaskMetric PARTITIONS_ALREADY_RESTORED = gauge("partitions-already-restored", "partitions",
            "partitions that Connect's source offsets showed restored in full by an earlier run under the same "
            + "connector name, so this run wrote nothing for them (set on completion)");
    public static final TaskMetric FOLLOW_LAG_RECORDS = gauge("follow-lag-records", "offsets",
            "restore.mode=follow (0 otherwise): summed over the task's partitions, the highest offset the backup's catalog "
            + "lists minus the highest original offset written to the target (offsets, so a compacted range counts "
            + "as its width); 0 when the restore has caught up with what the backup published");
    public static final TaskMetric FOLLOW_LAG_MS = gauge("follow-lag-ms", "ms",
            "restore.mode=follow (0 otherwise): over the task's partitions that are behind, the largest difference between "
            + "the timestamp of the newest record the catalog lists and that of the newest record written to the "
            + "target; 0 when caught up (it does not grow while the source is idle)");
    public static final TaskMetric RECORDS_SKIPPED_BY_WINDOW_TOTAL = counter("records-skipped-by-window-total",
            "records", "records read past because their timestamp is outside the restore window");
    public static final TaskMetric CORRUPT_SEGMENTS_SKIPPED_TOTAL = counter("corrupt-segments-skipped-total",
            "segments", "unreadable segments, and ranges of offsets no segment holds, passed over under "
            + "restore.corrupt.segment.policy=skip");
    public static final TaskMetric STORAGE_READ_LATENCY_AVG_MS = average("storage-read-latency-avg-ms", "ms",
            "average time of one storage read");
    public static final TaskMetric STORAGE_READ_LATENCY_MAX_MS = maximum("storage-read-latency-max-ms", "ms",
            "longest storage read");
    public static final TaskMetric STORAGE_WAIT_TIME_TOTAL_MS = counter("storage-wait-time-total-ms", "ms",
            "time the task waited for segment data the read-ahead had not fetched yet");
    public static final TaskMetric THROTTLE_TIME_TOTAL_MS = counter("throttle-time-total-ms", "ms",
            "time the task held records back to keep restore.max.bytes.per.second");

    /** Every metric above, in the order the docs list them. */
    public static final List<TaskMetric> ALL = List.of(
            RECORDS_RESTORED_TOTAL, RECORDS_RESTORED_RATE, BYTES_RESTORED_TOTAL, BYTES_RESTORED_RATE,
            RECORDS_REMAINING, BYTES_REMAINING, RESTORE_COMPLETE, PARTITIONS_ALREADY_RESTORED,
            FOLLOW_LAG_RECORDS, FOLLOW_LAG_MS,
            RECORDS_SKIPPED_BY_WINDOW_TOTAL, CORRUPT_SEGMENTS_SKIPPED_TOTAL,
            STORAGE_READ_LATENCY_AVG_MS, STORAGE_READ_LATENCY_MAX_MS, STORAGE_WAIT_TIME_TOTAL_MS,
            THROTTLE_TIME_TOTAL_MS);

    private RestoreMetricNames() {
    }
}
