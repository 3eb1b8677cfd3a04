package dev.kbackup.sink;

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

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * The task's metrics, registered through Connect's plugin metrics so they appear on JMX beside the task's own
 * (group "plugins", tagged with connector and task). Also keeps the totals the task logs.
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
        recordsIn = sensor("records-in", "records accepted for backup", true);
        bytesIn = sensor("bytes-in", "key, value and header bytes accepted for backup", true);
        bytesWritten = sensor("bytes-written", "segment bytes stored (compressed)", true);
        segmentsWritten = sensor("segments-written", "segments completed in storage", true);
        rewinds = sensor("rewinds", "times partitions were read again from Kafka after a storage failure", true);
        uploadLatency = latencySensor("segment-upload-latency",
                "time to finish a segment: footer, last part and completion", 120_000);
        checkpointLatency = latencySensor("checkpoint-latency",
                "time to write a checkpoint to the local side-store", 1_000);
        gauge("compression-ratio", "uncompressed record bytes per stored byte, over all completed segments",
                this::compressionRatio);
        gauge("buffered-bytes", "heap bytes held for data not yet uploaded", () -> (double) bufferedBytes.get());
        gauge("buffered-bytes-max", "the most heap bytes held for data not yet uploaded since the task started",
                () -> (double) bufferedBytesHighWater.get());
        gauge("open-segments", "segments being written", () -> (double) openSegments.get());
        gauge("storage-circuit-state", "0 closed (calling storage), 1 open (not calling), 2 half-open (probing)",
                () -> (double) breakerState.get());
    }

    /** Publication health: failed runs, and time since the last run that succeeded. */
    void stateSync(Supplier<Long> failuresTotal, Supplier<Long> millisSinceSuccess) {
        gauge("state-sync-failures-total", "publications of indexes, manifest and side-store copy that failed",
                () -> (double) failuresTotal.get());
        gauge("state-sync-age-ms", "milliseconds since indexes, manifest and side-store copy were last published",
                () -> (double) millisSinceSuccess.get());
    }

    /** Registers the partition's backup lag (tagged topic and partition) until {@link #partitionClosed}. */
    void partitionOpened(TopicPartition partition, Supplier<Long> lag) {
        if (metrics == null) {
            return;
        }
        LinkedHashMap<String, String> tags = new LinkedHashMap<>();
        tags.put("topic", partition.topic());
        tags.put("partition", Integer.toString(partition.partition()));
        MetricName name = metrics.metricName("backup-lag",
                "offsets Kafka holds that are not yet inside complete segments", tags);
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

    private Sensor sensor(String name, String description, boolean withRate) {
        if (metrics == null) {
            return null;
        }
        Sensor sensor = metrics.addSensor(sensorPrefix + name);
        sensor.add(name(name + "-total", "total " + description), new CumulativeSum());
        if (withRate) {
            sensor.add(name(name + "-rate", description + " per second"), new Rate());
        }
        return sensor;
    }

    private Sensor latencySensor(String name, String description, double maxMillis) {
        if (metrics == null) {
            return null;
        }
        Sensor sensor = metrics.addSensor(sensorPrefix + name);
        sensor.add(name(name + "-avg", "average " + description + ", ms"), new Avg());
        sensor.add(name(name + "-max", "maximum " + description + ", ms"), new Max());
        sensor.add(name(name + "-count", "number of measurements of " + description), new CumulativeCount());
        sensor.add(new Percentiles(8000, maxMillis, Percentiles.BucketSizing.LINEAR,
                new Percentile(name(name + "-p50", "median " + description + ", ms"), 50),
                new Percentile(name(name + "-p99", "99th percentile of " + description + ", ms"), 99)));
        return sensor;
    }

    private void gauge(String name, String description, Supplier<Double> value) {
        if (metrics != null) {
            metrics.addMetric(name(name, description), (Gauge<Double>) (config, now) -> value.get());
        }
    }

    private MetricName name(String name, String description) {
        return metrics.metricName(name, description, new LinkedHashMap<>());
    }
}
