package dev.kbackup.sink;

import dev.kbackup.metrics.TaskMetric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.metrics.Gauge;
import org.apache.kafka.common.metrics.PluginMetrics;
import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.common.metrics.stats.Avg;
import org.apache.kafka.common.metrics.stats.CumulativeCount;
import org.apache.kafka.common.metrics.stats.CumulativeSum;
import org.apache.kafka.common.metrics.stats.Max;
import org.apache.kafka.common.metrics.stats.Percentile;
import org.apache.kafka.common.metrics.stats.Percentiles;
import org.apache.kafka.common.metrics.stats.Rate;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

import static dev.kbackup.sink.BackupSinkMetricNames.BACKUP_LAG;
import static dev.kbackup.sink.BackupSinkMetricNames.BUFFERED_BYTES;
import static dev.kbackup.sink.BackupSinkMetricNames.BUFFERED_BYTES_MAX;
import static dev.kbackup.sink.BackupSinkMetricNames.BYTES_IN_RATE;
import static dev.kbackup.sink.BackupSinkMetricNames.BYTES_IN_TOTAL;
import static dev.kbackup.sink.BackupSinkMetricNames.BYTES_WRITTEN_RATE;
import static dev.kbackup.sink.BackupSinkMetricNames.BYTES_WRITTEN_TOTAL;
import static dev.kbackup.sink.BackupSinkMetricNames.CHECKPOINT_LATENCY_AVG;
import static dev.kbackup.sink.BackupSinkMetricNames.CHECKPOINT_LATENCY_COUNT;
import static dev.kbackup.sink.BackupSinkMetricNames.CHECKPOINT_LATENCY_MAX;
import static dev.kbackup.sink.BackupSinkMetricNames.CHECKPOINT_LATENCY_P50;
import static dev.kbackup.sink.BackupSinkMetricNames.CHECKPOINT_LATENCY_P99;
import static dev.kbackup.sink.BackupSinkMetricNames.COMPRESSION_RATIO;
import static dev.kbackup.sink.BackupSinkMetricNames.OPEN_SEGMENTS;
import static dev.kbackup.sink.BackupSinkMetricNames.RECORDS_IN_RATE;
import static dev.kbackup.sink.BackupSinkMetricNames.RECORDS_IN_TOTAL;
import static dev.kbackup.sink.BackupSinkMetricNames.REWINDS_RATE;
import static dev.kbackup.sink.BackupSinkMetricNames.REWINDS_TOTAL;
import static dev.kbackup.sink.BackupSinkMetricNames.SEGMENTS_WRITTEN_RATE;
import static dev.kbackup.sink.BackupSinkMetricNames.SEGMENTS_WRITTEN_TOTAL;
import static dev.kbackup.sink.BackupSinkMetricNames.SEGMENT_UPLOAD_LATENCY_AVG;
import static dev.kbackup.sink.BackupSinkMetricNames.SEGMENT_UPLOAD_LATENCY_COUNT;
import static dev.kbackup.sink.BackupSinkMetricNames.SEGMENT_UPLOAD_LATENCY_MAX;
import static dev.kbackup.sink.BackupSinkMetricNames.SEGMENT_UPLOAD_LATENCY_P50;
import static dev.kbackup.sink.BackupSinkMetricNames.SEGMENT_UPLOAD_LATENCY_P99;
import static dev.kbackup.sink.BackupSinkMetricNames.SNAPSHOTS_TOTAL;
import static dev.kbackup.sink.BackupSinkMetricNames.SNAPSHOT_FAILURES_TOTAL;
import static dev.kbackup.sink.BackupSinkMetricNames.STATE_SYNC_AGE_MS;
import static dev.kbackup.sink.BackupSinkMetricNames.STATE_SYNC_FAILURES_TOTAL;
import static dev.kbackup.sink.BackupSinkMetricNames.STORAGE_CIRCUIT_STATE;

/**
 * The task's metrics, registered through Connect's plugin metrics so they appear on JMX beside the task's own
 * (group "plugins", tagged with connector and task), from their declarations in {@link BackupSinkMetricNames}.
 * Also keeps the totals the task logs.
 */
final class BackupSinkMetrics {

    private final PluginMetrics metrics;
    private final String sensorPrefix;
    private final Sensor recordsIn;
    private final Sensor bytesIn;
    private final Sensor bytesWritten;
    private final Sensor segmentsWritten;
    private final Sensor uploadLatency;
    private final Sensor checkpointLatency;
    private final Sensor rewinds;
    private final AtomicLong uncompressedWritten = new AtomicLong();
    private final AtomicLong storedWritten = new AtomicLong();
    private final AtomicLong recordsTotal = new AtomicLong();
    private final Map<TopicPartition, MetricName> partitionLags = new ConcurrentHashMap<>();

    /**
     * @param metrics      Connect's plugin metrics, or null outside Connect (then nothing is registered)
     * @param sensorPrefix unique per task: sensors live in the worker-wide registry, so tasks sharing a worker
     *                     would otherwise share (and overwrite) each other's sensors
     */
    BackupSinkMetrics(PluginMetrics metrics, String sensorPrefix, Supplier<Long> bufferedBytes, Supplier<Long> bufferedBytesHighWater,
                      Supplier<Integer> openSegments,
                      Supplier<Integer> breakerState) {
        this.metrics = metrics;
        this.sensorPrefix = sensorPrefix;
        recordsIn = sensor("records-in", RECORDS_IN_TOTAL, RECORDS_IN_RATE);
        bytesIn = sensor("bytes-in", BYTES_IN_TOTAL, BYTES_IN_RATE);
        bytesWritten = sensor("bytes-written", BYTES_WRITTEN_TOTAL, BYTES_WRITTEN_RATE);
        segmentsWritten = sensor("segments-written", SEGMENTS_WRITTEN_TOTAL, SEGMENTS_WRITTEN_RATE);
        rewinds = sensor("rewinds", REWINDS_TOTAL, REWINDS_RATE);
        uploadLatency = latencySensor("segment-upload-latency", 120_000, SEGMENT_UPLOAD_LATENCY_AVG,
                SEGMENT_UPLOAD_LATENCY_MAX, SEGMENT_UPLOAD_LATENCY_COUNT, SEGMENT_UPLOAD_LATENCY_P50,
                SEGMENT_UPLOAD_LATENCY_P99);
        checkpointLatency = latencySensor("checkpoint-latency", 1_000, CHECKPOINT_LATENCY_AVG,
                CHECKPOINT_LATENCY_MAX, CHECKPOINT_LATENCY_COUNT, CHECKPOINT_LATENCY_P50, CHECKPOINT_LATENCY_P99);
        gauge(COMPRESSION_RATIO, this::compressionRatio);
        gauge(BUFFERED_BYTES, () -> (double) bufferedBytes.get());
        gauge(BUFFERED_BYTES_MAX, () -> (double) bufferedBytesHighWater.get());
        gauge(OPEN_SEGMENTS, () -> (double) openSegments.get());
        gauge(STORAGE_CIRCUIT_STATE, () -> (double) breakerState.get());
    }

    /** Publication health: failed runs, and time since the last run that succeeded. */
    void stateSync(Supplier<Long> failuresTotal, Supplier<Long> millisSinceSuccess) {
        gauge(STATE_SYNC_FAILURES_TOTAL, () -> (double) failuresTotal.get());
        gauge(STATE_SYNC_AGE_MS, () -> (double) millisSinceSuccess.get());
    }

    /** Snapshots of the source cluster: stored and failed. */
    void snapshots(Supplier<Long> takenTotal, Supplier<Long> failuresTotal) {
        gauge(SNAPSHOTS_TOTAL, () -> (double) takenTotal.get());
        gauge(SNAPSHOT_FAILURES_TOTAL, () -> (double) failuresTotal.get());
    }

    /** Registers the partition's backup lag (tagged topic and partition) until {@link #partitionClosed}. */
    void partitionOpened(TopicPartition partition, Supplier<Long> lag) {
        if (metrics == null) {
            return;
        }
        MetricName name = BACKUP_LAG.metricName(metrics, partition.topic(), Integer.toString(partition.partition()));
        MetricName previous = partitionLags.put(partition, name);
        if (previous != null) {
            metrics.removeMetric(previous);
        }
        metrics.addMetric(name, (Gauge<Double>) (config, now) -> (double) lag.get());
    }

    void partitionClosed(TopicPartition partition) {
        MetricName name = partitionLags.remove(partition);
        if (name != null) {
            metrics.removeMetric(name);
        }
    }

    void recordAccepted(long records, long bytes) {
        recordsTotal.addAndGet(records);
        record(recordsIn, records);
        record(bytesIn, bytes);
    }

    void recordSegment(long storedBytes, long uncompressedBytes, long uploadNanos) {
        storedWritten.addAndGet(storedBytes);
        uncompressedWritten.addAndGet(uncompressedBytes);
        record(bytesWritten, storedBytes);
        record(segmentsWritten, 1);
        record(uploadLatency, uploadNanos / 1_000_000.0);
    }

    void recordCheckpoint(long nanos) {
        record(checkpointLatency, nanos / 1_000_000.0);
    }

    void recordRewind() {
        record(rewinds, 1);
    }

    long recordsTotal() {
        return recordsTotal.get();
    }

    double compressionRatio() {
        return storedWritten.get() == 0 ? 0.0 : (double) uncompressedWritten.get() / storedWritten.get();
    }

    private void record(Sensor sensor, double value) {
        if (sensor != null) {
            sensor.record(value);
        }
    }

    /** A sensor counting {@code total} and its per-second {@code rate}. */
    private Sensor sensor(String sensorName, TaskMetric total, TaskMetric rate) {
        if (metrics == null) {
            return null;
        }
        Sensor sensor = metrics.addSensor(sensorPrefix + sensorName);
        sensor.add(total.metricName(metrics), new CumulativeSum());
        sensor.add(rate.metricName(metrics), new Rate());
        return sensor;
    }

    /** A sensor of durations in milliseconds; percentiles are resolved up to {@code maxMillis}. */
    private Sensor latencySensor(String sensorName, double maxMillis, TaskMetric avg, TaskMetric max,
                                 TaskMetric count, TaskMetric p50, TaskMetric p99) {
        if (metrics == null) {
            return null;
        }
        Sensor sensor = metrics.addSensor(sensorPrefix + sensorName);
        sensor.add(avg.metricName(metrics), new Avg());
        sensor.add(max.metricName(metrics), new Max());
        sensor.add(count.metricName(metrics), new CumulativeCount());
        sensor.add(new Percentiles(8000, maxMillis, Percentiles.BucketSizing.LINEAR,
                new Percentile(p50.metricName(metrics), 50),
                new Percentile(p99.metricName(metrics), 99)));
        return sensor;
    }

    private void gauge(TaskMetric metric, Supplier<Double> value) {
        if (metrics != null) {
            metrics.addMetric(metric.metricName(metrics), (Gauge<Double>) (config, now) -> value.get());
        }
    }
}
