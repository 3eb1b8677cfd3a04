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
}
