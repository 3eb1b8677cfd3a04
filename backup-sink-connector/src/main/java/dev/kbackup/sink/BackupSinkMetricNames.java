package dev.kbackup.sink;

import dev.kbackup.metrics.TaskMetric;

import java.util.List;

import static dev.kbackup.metrics.TaskMetric.average;
import static dev.kbackup.metrics.TaskMetric.counter;
import static dev.kbackup.metrics.TaskMetric.gauge;
import static dev.kbackup.metrics.TaskMetric.maximum;
import static dev.kbackup.metrics.TaskMetric.percentile;
import static dev.kbackup.metrics.TaskMetric.rate;

/**
 * Every metric of a backup sink task, declared once: {@link BackupSinkMetrics} registers these and nothing else,
 * and docs/monitoring.md is generated from {@link #ALL}. A new metric is declared here and listed in ALL.
 */
public final class BackupSinkMetricNames {

    public static final TaskMetric RECORDS_IN_TOTAL = counter("records-in-total", "records",
            "records accepted for backup");
    public static final TaskMetric RECORDS_IN_RATE = rate("records-in-rate", "records/s",
            "records accepted for backup, per second");
    public static final TaskMetric BYTES_IN_TOTAL = counter("bytes-in-total", "bytes",
            "key, value and header bytes accepted for backup");
    public static final TaskMetric BYTES_IN_RATE = rate("bytes-in-rate", "bytes/s",
            "key, value and header bytes accepted for backup, per second");
    public static final TaskMetric BYTES_WRITTEN_TOTAL = counter("bytes-written-total", "bytes",
            "segment bytes stored (compressed)");
    public static final TaskMetric BYTES_WRITTEN_RATE = rate("bytes-written-rate", "bytes/s",
            "segment bytes stored (compressed), per second");
    public static final TaskMetric SEGMENTS_WRITTEN_TOTAL = counter("segments-written-total", "segments",
            "segments completed in storage");
    public static final TaskMetric SEGMENTS_WRITTEN_RATE = rate("segments-written-rate", "segments/s",
            "segments completed in storage, per second");
    public static final TaskMetric COMPRESSION_RATIO = gauge("compression-ratio", "ratio",
            "uncompressed record bytes per stored byte, over all segments the task completed");

    public static final TaskMetric SEGMENT_UPLOAD_LATENCY_AVG = average("segment-upload-latency-avg", "ms",
            "average time to finish a segment: footer, last part and completion");
    public static final TaskMetric SEGMENT_UPLOAD_LATENCY_MAX = maximum("segment-upload-latency-max", "ms",
            "longest time to finish a segment");
    public static final TaskMetric SEGMENT_UPLOAD_LATENCY_P50 = percentile("segment-upload-latency-p50", "ms",
            "median time to finish a segment");
    public static final TaskMetric SEGMENT_UPLOAD_LATENCY_P99 = percentile("segment-upload-latency-p99", "ms",
            "99th percentile of the time to finish a segment");
    public static final TaskMetric SEGMENT_UPLOAD_LATENCY_COUNT = counter("segment-upload-latency-count",
            "segments", "segments whose finishing was timed");
    public static final TaskMetric CHECKPOINT_LATENCY_AVG = average("checkpoint-latency-avg", "ms",
            "average time to write a checkpoint to the local SQLite side-store");
    public static final TaskMetric CHECKPOINT_LATENCY_MAX = maximum("checkpoint-latency-max", "ms",
            "longest time to write a checkpoint");
    public static final TaskMetric CHECKPOINT_LATENCY_P50 = percentile("checkpoint-latency-p50", "ms",
            "median time to write a checkpoint");
    public static final TaskMetric CHECKPOINT_LATENCY_P99 = percentile("checkpoint-latency-p99", "ms",
            "99th percentile of the time to write a checkpoint");
    public static final TaskMetric CHECKPOINT_LATENCY_COUNT = counter("checkpoint-latency-count", "checkpoints",
            "checkpoints written");

    public static final TaskMetric BUFFERED_BYTES = gauge("buffered-bytes", "bytes",
            "heap bytes held for data not yet uploaded (bounded by buffer.memory.bytes)");
    public static final TaskMetric BUFFERED_BYTES_MAX = gauge("buffered-bytes-max", "bytes",
            "the most heap bytes held for data not yet uploaded since the task started: how much of "
            + "buffer.memory.bytes the task really needs");
    public static final TaskMetric OPEN_SEGMENTS = gauge("open-segments", "segments", "segments being written");
    public static final TaskMetric STORAGE_CIRCUIT_STATE = gauge("storage-circuit-state", "state",
            "0 closed (calling storage), 1 open (not calling storage), 2 half-open (probing)");
    public static final TaskMetric REWINDS_TOTAL = counter("rewinds-total", "rewinds",
            "times partitions were read again from Kafka after a storage failure");
    public static final TaskMetric REWINDS_RATE = rate("rewinds-rate", "rewinds/s",
            "times partitions were read again from Kafka after a storage failure, per second");

    public static final TaskMetric STATE_SYNC_FAILURES_TOTAL = counter("state-sync-failures-total", "runs",
            "publications of partition indexes, manifest and side-store copy that failed (each is logged; the "
            + "task fails after " + CatalogPublisher.FAILURES_BEFORE_TASK_FAILS + " in a row that are not a storage "
            + "outage)");
    public static final TaskMetric STATE_SYNC_AGE_MS = gauge("state-sync-age-ms", "ms",
            "time since partition indexes, manifest and side-store copy were last published (since the task "
            + "started while none was); stays around state.sync.interval.ms or below while publication works");
    public static final TaskMetric BACKUP_LAG = gauge("backup-lag", "offsets",
            "offsets Kafka holds that are not yet inside complete segments: up to the log end offset, read from "
            + "cluster.bootstrap.servers every checkpoint.interval.ms when that is set, else up to the last offset "
            + "delivered to the task (the consumer group's lag shows the rest); 0 once the partition is caught up",
            "topic", "partition");

    public static final TaskMetric SNAPSHOTS_TOTAL = counter("snapshots-total", "snapshots",
            "snapshots of the source cluster's group offsets and topic configs stored (task 0 only, with "
            + "cluster.bootstrap.servers set and snapshot.interval.ms above 0)");
    public static final TaskMetric SNAPSHOT_FAILURES_TOTAL = counter("snapshot-failures-total", "snapshots",
            "snapshots of the source cluster that failed (each is logged; the data backup goes on)");

    /** Every metric above, in the order the docs list them. */
    public static final List<TaskMetric> ALL = List.of(
            RECORDS_IN_TOTAL, RECORDS_IN_RATE, BYTES_IN_TOTAL, BYTES_IN_RATE,
            BYTES_WRITTEN_TOTAL, BYTES_WRITTEN_RATE, SEGMENTS_WRITTEN_TOTAL, SEGMENTS_WRITTEN_RATE, COMPRESSION_RATIO,
            SEGMENT_UPLOAD_LATENCY_AVG, SEGMENT_UPLOAD_LATENCY_MAX, SEGMENT_UPLOAD_LATENCY_P50,
            SEGMENT_UPLOAD_LATENCY_P99, SEGMENT_UPLOAD_LATENCY_COUNT,
            CHECKPOINT_LATENCY_AVG, CHECKPOINT_LATENCY_MAX, CHECKPOINT_LATENCY_P50, CHECKPOINT_LATENCY_P99,
            CHECKPOINT_LATENCY_COUNT,
            BUFFERED_BYTES, BUFFERED_BYTES_MAX, OPEN_SEGMENTS, STORAGE_CIRCUIT_STATE, REWINDS_TOTAL, REWINDS_RATE,
            STATE_SYNC_FAILURES_TOTAL, STATE_SYNC_AGE_MS, BACKUP_LAG, SNAPSHOTS_TOTAL, SNAPSHOT_FAILURES_TOTAL);

    private BackupSinkMetricNames() {
    }
}
