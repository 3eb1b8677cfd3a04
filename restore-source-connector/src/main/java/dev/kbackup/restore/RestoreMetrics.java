package dev.kbackup.restore;

import dev.kbackup.metrics.TaskMetric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.metrics.Gauge;
import org.apache.kafka.common.metrics.Metrics;
import org.apache.kafka.common.metrics.PluginMetrics;
import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.common.metrics.internals.PluginMetricsImpl;
import org.apache.kafka.common.metrics.stats.Avg;
import org.apache.kafka.common.metrics.stats.CumulativeSum;
import org.apache.kafka.common.metrics.stats.Max;
import org.apache.kafka.common.metrics.stats.Meter;

import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

import static dev.kbackup.restore.RestoreMetricNames.BYTES_REMAINING;
import static dev.kbackup.restore.RestoreMetricNames.BYTES_RESTORED_RATE;
import static dev.kbackup.restore.RestoreMetricNames.BYTES_RESTORED_TOTAL;
import static dev.kbackup.restore.RestoreMetricNames.CORRUPT_SEGMENTS_SKIPPED_TOTAL;
import static dev.kbackup.restore.RestoreMetricNames.FOLLOW_LAG_MS;
import static dev.kbackup.restore.RestoreMetricNames.FOLLOW_LAG_RECORDS;
import static dev.kbackup.restore.RestoreMetricNames.PARTITIONS_ALREADY_RESTORED;
import static dev.kbackup.restore.RestoreMetricNames.RECORDS_REMAINING;
import static dev.kbackup.restore.RestoreMetricNames.RECORDS_RESTORED_RATE;
import static dev.kbackup.restore.RestoreMetricNames.RECORDS_RESTORED_TOTAL;
import static dev.kbackup.restore.RestoreMetricNames.RECORDS_SKIPPED_BY_WINDOW_TOTAL;
import static dev.kbackup.restore.RestoreMetricNames.RESTORE_COMPLETE;
import static dev.kbackup.restore.RestoreMetricNames.STORAGE_READ_LATENCY_AVG_MS;
import static dev.kbackup.restore.RestoreMetricNames.STORAGE_READ_LATENCY_MAX_MS;
import static dev.kbackup.restore.RestoreMetricNames.STORAGE_WAIT_TIME_TOTAL_MS;
import static dev.kbackup.restore.RestoreMetricNames.THROTTLE_TIME_TOTAL_MS;

/**
 * The task's metrics, registered through Connect's plugin metrics (KIP-877) so that they appear next to the
 * worker's own, tagged with the connector and task (JMX: {@code kafka.connect:type=plugins,connector=...,task=...}),
 * from their declarations in {@link RestoreMetricNames}.
 * On a runtime without plugin metrics they are kept in a private registry that nothing reports.
 */
final class RestoreMetrics implements SegmentPrefetcher.Listener, AutoCloseable {

    private final PluginMetrics metrics;
    private final String sensorPrefix;
    private final Metrics fallback;
    private final Sensor records;
    private final Sensor bytes;
    private final Sensor skippedByWindow;
    private final Sensor corruptSkipped;
    private final Sensor storageReads;
    private final Sensor storageWait;
    private final Sensor throttle;

    /** @param sensorPrefix makes sensor names unique in the worker, e.g. "kbackup-restore:{connector}:{task}:" */
    RestoreMetrics(PluginMetrics pluginMetrics, String sensorPrefix) {
        this.sensorPrefix = sensorPrefix;
        this.fallback = pluginMetrics == null ? new Metrics() : null;
        this.metrics = pluginMetrics != null ? pluginMetrics : new PluginMetricsImpl(fallback, Map.of());
        records = sensor("restore-records");
        records.add(new Meter(name(RECORDS_RESTORED_RATE), name(RECORDS_RESTORED_TOTAL)));
        bytes = sensor("restore-bytes");
        bytes.add(new Meter(name(BYTES_RESTORED_RATE), name(BYTES_RESTORED_TOTAL)));
        skippedByWindow = sensor("restore-skipped-by-window");
        skippedByWindow.add(name(RECORDS_SKIPPED_BY_WINDOW_TOTAL), new CumulativeSum());
        corruptSkipped = sensor("restore-corrupt-segments-skipped");
        corruptSkipped.add(name(CORRUPT_SEGMENTS_SKIPPED_TOTAL), new CumulativeSum());
        storageReads = sensor("restore-storage-reads");
        storageReads.add(name(STORAGE_READ_LATENCY_AVG_MS), new Avg());
        storageReads.add(name(STORAGE_READ_LATENCY_MAX_MS), new Max());
        storageWait = sensor("restore-storage-wait");
        storageWait.add(name(STORAGE_WAIT_TIME_TOTAL_MS), new CumulativeSum());
        throttle = sensor("restore-throttle");
        throttle.add(name(THROTTLE_TIME_TOTAL_MS), new CumulativeSum());
    }

    /** Registers the gauges of what is left, whether the task is done and what earlier runs had done already. */
    void gauges(LongSupplier recordsRemaining, LongSupplier bytesRemaining, LongSupplier complete,
                LongSupplier alreadyRestored) {
        gauge(RECORDS_REMAINING, recordsRemaining);
        gauge(BYTES_REMAINING, bytesRemaining);
        gauge(RESTORE_COMPLETE, complete);
        gauge(PARTITIONS_ALREADY_RESTORED, alreadyRestored);
    }

    /** Registers the lag gauges of a restore in follow mode. */
    void followGauges(LongSupplier lagRecords, LongSupplier lagMs) {
        gauge(FOLLOW_LAG_RECORDS, lagRecords);
        gauge(FOLLOW_LAG_MS, lagMs);
    }

    void restored(long recordCount, long byteCount) {
        records.record(recordCount);
        bytes.record(byteCount);
    }

    void skippedByWindow(long recordCount) {
        skippedByWindow.record(recordCount);
    }

    void corruptSegmentSkipped() {
        corruptSkipped.record(1);
    }

    void throttled(long nanos) {
        throttle.record(TimeUnit.NANOSECONDS.toMillis(nanos));
    }

    @Override
    public void storageRead(long nanos, long byteCount) {
        storageReads.record(nanos / 1_000_000.0);
    }

    @Override
    public void waitedForStorage(long nanos) {
        storageWait.record(nanos / 1_000_000.0);
    }

    @Override
    public void close() {
        if (fallback != null) {
            fallback.close();
        }
    }

    private void gauge(TaskMetric metric, LongSupplier value) {
        metrics.addMetric(name(metric), (Gauge<Long>) (config, now) -> value.getAsLong());
    }

    private Sensor sensor(String name) {
        // sensors are looked up by name in the worker's registry: a name shared by two tasks would merge them
        return metrics.addSensor(sensorPrefix + name);
    }

    private MetricName name(TaskMetric metric) {
        return metric.metricName(metrics);
    }
}
