package dev.kbackup.sink;

import dev.kbackup.metrics.TaskMetric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.metrics.Metrics;
import org.apache.kafka.common.metrics.internals.PluginMetricsImpl;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The task registers exactly the metrics {@link BackupSinkMetricNames} declares, which the docs list. */
class BackupSinkMetricsTest {

    @Test
    void registersEveryDeclaredMetricAndNoOther() {
        try (Metrics registry = new Metrics()) {
            BackupSinkMetrics metrics = new BackupSinkMetrics(new PluginMetricsImpl(registry,
                    Map.of("connector", "orders-backup", "task", "0")), "test:", () -> 0L, () -> 0L, () -> 0, () -> 0);
            metrics.stateSync(() -> 0L, () -> 0L);
            metrics.snapshots(() -> 0L, () -> 0L);
            metrics.partitionOpened(new TopicPartition("orders", 3), () -> 0L);

            List<MetricName> registered = registry.metrics().keySet().stream()
                    .filter(name -> name.group().equals(TaskMetric.GROUP)).toList();
            for (MetricName name : registered) {
                assertTrue(BackupSinkMetricNames.ALL.stream().anyMatch(declared -> declared.isNameOf(name)),
                        "registered as declared in BackupSinkMetricNames: " + name);
            }
            assertEquals(BackupSinkMetricNames.ALL.stream().map(TaskMetric::name).sorted().toList(),
                    registered.stream().map(MetricName::name).sorted().toList(), "every declared metric, once");
            MetricName lag = registered.stream().filter(n -> n.name().equals("backup-lag")).findFirst().orElseThrow();
            assertEquals(Map.of("connector", "orders-backup", "task", "0", "topic", "orders", "partition", "3"),
                    lag.tags());
        }
    }
}
