package dev.kbackup.metrics;

import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.metrics.Metrics;
import org.apache.kafka.common.metrics.internals.PluginMetricsImpl;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TaskMetricTest {

    private static final TaskMetric LAG = TaskMetric.gauge("backup-lag", "offsets", "offsets not yet stored",
            "topic", "partition");

    @Test
    void namesTheMetricInThePluginGroupWithTheTaskTagsFollowedByTheDeclaredOnes() {
        try (Metrics registry = new Metrics()) {
            Map<String, String> taskTags = new LinkedHashMap<>();
            taskTags.put("connector", "c");
            taskTags.put("task", "0");
            MetricName name = LAG.metricName(new PluginMetricsImpl(registry, taskTags), "orders", "3");
            assertEquals("backup-lag", name.name());
            assertEquals("plugins", name.group());
            assertEquals("offsets not yet stored", name.description());
            assertEquals(List.of("connector", "task", "topic", "partition"), List.copyOf(name.tags().keySet()));
            assertEquals(List.of("c", "0", "orders", "3"), List.copyOf(name.tags().values()));
        }
    }

    @Test
    void refusesTagValuesThatDoNotMatchTheDeclaredTags() {
        try (Metrics registry = new Metrics()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> LAG.metricName(new PluginMetricsImpl(registry, Map.of()), "orders"));
            assertTrue(e.getMessage().contains("backup-lag has tags [topic, partition] but was given 1 values"),
                    e.getMessage());
        }
    }

    @Test
    void refusesNamesThatAreNotLowerCaseWordsJoinedByDashes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TaskMetric.counter("Records_In", "records", "records"));
        assertTrue(e.getMessage().contains("Records_In"), e.getMessage());
    }

    @Test
    void requiresAUnit() {
        assertThrows(IllegalArgumentException.class, () -> TaskMetric.gauge("open-segments", " ", "segments"));
    }

    @Test
    void recognisesItsOwnRegisteredNamesOnly() {
        try (Metrics registry = new Metrics()) {
            PluginMetricsImpl plugin = new PluginMetricsImpl(registry, Map.of("connector", "c", "task", "0"));
            assertTrue(LAG.isNameOf(LAG.metricName(plugin, "orders", "3")));
            assertFalse(LAG.isNameOf(plugin.metricName("backup-lag", "offsets not yet stored",
                    new LinkedHashMap<>())), "the partition tags are missing");
            assertFalse(LAG.isNameOf(TaskMetric.gauge("backup-lag", "offsets", "another meaning", "topic",
                    "partition").metricName(plugin, "orders", "3")), "the description differs");
        }
    }

    @Test
    void prometheusNamesFollowPrometheusConventionsSecondsAndCountersEndingInTotal() {
        assertEquals("kbackup_backup_backup_lag", LAG.prometheusName("backup"));
        assertEquals("gauge", LAG.prometheusType());
        assertEquals(1.0, LAG.prometheusValueFactor());
        TaskMetric records = TaskMetric.counter("records-in-total", "records", "records");
        assertEquals("kbackup_backup_records_in_total", records.prometheusName("backup"));
        assertEquals("counter", records.prometheusType());
        TaskMetric timed = TaskMetric.counter("segment-upload-latency-count", "segments", "timed");
        assertEquals("kbackup_backup_segment_upload_latency_count_total", timed.prometheusName("backup"));
        TaskMetric throttle = TaskMetric.counter("throttle-time-total-ms", "ms", "held back");
        assertEquals("kbackup_restore_throttle_time_seconds_total", throttle.prometheusName("restore"));
        assertEquals(0.001, throttle.prometheusValueFactor());
        TaskMetric p99 = TaskMetric.percentile("segment-upload-latency-p99", "ms", "p99");
        assertEquals("kbackup_backup_segment_upload_latency_p99_seconds", p99.prometheusName("backup"));
        assertEquals("gauge", p99.prometheusType());
    }
}
