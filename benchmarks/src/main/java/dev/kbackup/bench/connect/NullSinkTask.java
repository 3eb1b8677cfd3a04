package dev.kbackup.bench.connect;

import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.metrics.Gauge;
import org.apache.kafka.common.metrics.PluginMetrics;
import org.apache.kafka.connect.header.Header;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.sink.SinkTask;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Counts records and their key, value and header bytes (as the backup's {@code bytes-in} counts them) and publishes
 * the counts through Connect's plugin metrics, so the benchmark reads both sinks the same way, over JMX.
 */
public class NullSinkTask extends SinkTask {

    private final AtomicLong records = new AtomicLong();
    private final AtomicLong bytes = new AtomicLong();

    @Override
    public String version() {
        return "bench";
    }

    @Override
    public void start(Map<String, String> props) {
        PluginMetrics metrics = context.pluginMetrics();
        metrics.addMetric(name(metrics, "records-total", "records handed to put()"),
                (Gauge<Double>) (config, now) -> (double) records.get());
        metrics.addMetric(name(metrics, "bytes-total", "key, value and header bytes handed to put()"),
                (Gauge<Double>) (config, now) -> (double) bytes.get());
    }

    @Override
    public void put(Collection<SinkRecord> batch) {
        long size = 0;
        for (SinkRecord record : batch) {
            size += length(record.key()) + length(record.value());
            for (Header header : record.headers()) {
                size += header.key().length() + length(header.value());
            }
        }
        bytes.addAndGet(size);
        records.addAndGet(batch.size());
    }

    @Override
    public void stop() {
    }

    private static long length(Object data) {
        return data instanceof byte[] bytes ? bytes.length : 0;
    }

    private static MetricName name(PluginMetrics metrics, String name, String description) {
        return metrics.metricName(name, description, new LinkedHashMap<>());
    }
}
