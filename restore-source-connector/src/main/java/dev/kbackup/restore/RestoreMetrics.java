package dev.kbackup.restore;

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

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * The task's metrics, registered through Connect's plugin metrics (KIP-877) so that they appear next to the
 * worker's own, tagged with the connector and task (JMX: {@code kafka.connect:type=plugins,connector=...,task=...}).
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
        records.add(new Meter(name("records-restored-rate", "Records restored per second (acknowledged by Kafka)"),
                name("records-restored-total", "Records restored (acknowledged by Kafka)")));
        bytes = sensor("restore-bytes");
        bytes.add(new Meter(name("bytes-restored-rate", "Record bytes (key, value, headers) restored per second"),
                name("bytes-restored-total", "Record bytes (key, value, headers) restored")));
        skippedByWindow = sensor("restore-skipped-by-window");
        skippedByWindow.add(name("records-skipped-by-window-total",
                "Records read past because their timestamp is outside the restore window"), new CumulativeSum());
        corruptSkipped = sensor("restore-corrupt-segments-skipped");
        corruptSkipped.add(name("corrupt-segments-skipped-total",
                "Unreadable segments, and ranges of offsets no segment holds, passed over under "
                + "restore.corrupt.segment.policy=skip"), new CumulativeSum());
        storageReads = sensor("restore-storage-reads");
        storageReads.add(name("storage-read-latency-avg-ms", "Average time of one storage read"), new Avg());
        storageReads.add(name("storage-read-latency-max-ms", "Longest storage read"), new Max());
        storageWait = sensor("restore-storage-wait");
        storageWait.add(name("storage-wait-time-total-ms",
                "Time the task waited for segment data that read-ahead had not fetched yet"), new CumulativeSum());
        throttle = sensor("restore-throttle");
        throttle.add(name("throttle-time-total-ms",
                "Time the task held back records to keep restore.max.bytes.per.second"), new CumulativeSum());
    }

    /** Registers the gauges of what is left, whether the task is done and what earlier runs had done already. */
    void gauges(LongSupplier recordsRemaining, LongSupplier bytesRemaining, LongSupplier complete,
                LongSupplier alreadyRestored) {
        gauge("records-remaining", "Records in segments not restored yet (an upper bound: the window may exclude "
                + "some): the lag to completion", recordsRemaining);
        gauge("bytes-remaining", "Stored bytes of segments not restored yet", bytesRemaining);
        gauge("restore-complete", "1 once everything selected has been restored, else 0", complete);
        gauge("partitions-already-restored", "Partitions that Connect's source offsets showed restored in full by "
                + "an earlier run under this connector name, so this run wrote nothing for them (set on completion)",
                alreadyRestored);
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

    private void gauge(String name, String description, LongSupplier value) {
        metrics.addMetric(name(name, description), (Gauge<Long>) (config, now) -> value.getAsLong());
    }

    private Sensor sensor(String name) {
        // sensors are looked up by name in the worker's registry: a name shared by two tasks would merge them
        return metrics.addSensor(sensorPrefix + name);
    }

    private MetricName name(String name, String description) {
        return metrics.metricName(name, description, new LinkedHashMap<>());
    }
}
