package dev.kbackup.restore;

import dev.kbackup.metrics.TaskMetric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.metrics.Metrics;
import org.apache.kafka.common.metrics.internals.PluginMetricsImpl;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The task registers exactly the metrics {@link RestoreMetricNames} declares, which the docs list. */
class RestoreMetricsTest {

    @Test
    void registersEveryDeclaredMetricAndNoOther() {
        try (Metrics registry = new Metrics()) {
            RestoreMetrics metrics = new RestoreMetrics(new PluginMetricsImpl(registry,
                    Map.of("connector", "orders-restore", "task", "0")), "test:");
            metrics.gauges(() -> 0, () -> 0, () -> 0, () -> 0);
            metrics.followGauges(() -> 0, () -> 0);

            List<MetricName> registered = registry.metrics().keySet().stream()
                    .filter(name -> name.group().equals(TaskMetric.GROUP)).toList();
            for (MetricName name : registered) {
                assertTrue(RestoreMetricNames.ALL.stream().anyMatch(declared -> declared.isNameOf(name)),
                        "registered as declared in RestoreMetricNames: " + name);
            }
            assertEquals(RestoreMetricNames.ALL.stream().map(TaskMetric::name).sorted().toList(),
                    registered.stream().map(MetricName::name).sorted().toList(), "every declared metric, once");
        }
    }
}
