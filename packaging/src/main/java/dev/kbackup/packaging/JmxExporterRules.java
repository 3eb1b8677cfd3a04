package dev.kbackup.packaging;

import dev.kbackup.metrics.TaskMetric;
import dev.kbackup.restore.RestoreMetricNames;
import dev.kbackup.sink.BackupSinkMetricNames;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes the Prometheus JMX exporter rules (packaging/monitoring/kbackup-jmx-exporter.yaml) from the connectors'
 * metric declarations: one rule per metric, matching its attribute on the task's MBean
 * {@code kafka.connect:type=plugins,connector=..,task=..[,topic=..,partition=..]} and naming the series
 * {@link TaskMetric#prometheusName}. A test keeps the committed file equal to what this generates.
 */
public final class JmxExporterRules {

    /** The connector types, the word each puts in its series' names, and their metrics. */
    public static final Map<String, List<TaskMetric>> METRICS_BY_CONNECTOR_TYPE = connectorTypes();
    public static final String BACKUP = "backup";
    public static final String RESTORE = "restore";
    static final String COMMITTED_PATH = "packaging/monitoring/kbackup-jmx-exporter.yaml";

    private JmxExporterRules() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: JmxExporterRules OUTPUT_FILE");
            System.exit(2);
        }
        Path output = Path.of(args[0]);
        if (output.getParent() != null) {
            Files.createDirectories(output.getParent());
        }
        Files.writeString(output, generate(), StandardCharsets.UTF_8);
    }

    /** The whole rules file. */
    public static String generate() {
        StringBuilder out = new StringBuilder()
                .append("# Prometheus JMX exporter rules for the kbackup connectors' task metrics.\n")
                .append("# Generated from the metric declarations: do not edit, run `")
                .append(MetricReference.REGENERATE_COMMAND).append("`.\n")
                .append("# Use as-is as a Strimzi metricsConfig or with -javaagent:jmx_prometheus_javaagent.jar=PORT:")
                .append("THIS_FILE;\n")
                .append("# to keep Connect's own metrics too, put these rules before your other rules (see ")
                .append("docs/monitoring.md).\n")
                .append("lowercaseOutputName: false\n")
                .append("lowercaseOutputLabelNames: false\n")
                .append("rules:\n");
        METRICS_BY_CONNECTOR_TYPE.forEach((type, metrics) -> metrics.forEach(metric -> rule(out, type, metric)));
        return out.toString();
    }

    private static void rule(StringBuilder out, String connectorType, TaskMetric metric) {
        StringBuilder pattern = new StringBuilder("kafka.connect<type=plugins, connector=([^,]+), task=([^,>]+)");
        for (String tag : metric.tags()) {
            pattern.append(", ").append(tag).append("=([^,>]+)");
        }
        pattern.append("><>").append(metric.name()).append(": ");
        out.append("  - pattern: ").append(quoted(pattern.toString())).append('\n')
                .append("    name: ").append(metric.prometheusName(connectorType)).append('\n')
                .append("    type: ").append(metric.prometheusType().toUpperCase(java.util.Locale.ROOT)).append('\n')
                .append("    help: ").append(quoted(metric.description() + " (" + unit(metric) + ")")).append('\n');
        if (metric.prometheusValueFactor() != 1.0) {
            out.append("    valueFactor: ").append(metric.prometheusValueFactor()).append('\n');
        }
        out.append("    labels:\n")
                .append("      connector: \"$1\"\n")
                .append("      task: \"$2\"\n");
        int group = 3;
        for (String tag : metric.tags()) {
            out.append("      ").append(tag).append(": \"$").append(group++).append("\"\n");
        }
    }

    private static String unit(TaskMetric metric) {
        return metric.prometheusValueFactor() == 0.001 ? "seconds" : metric.unit();
    }

    /** A YAML single-quoted scalar: nothing is escaped in it but the quote itself. */
    private static String quoted(String text) {
        return "'" + text.replace("'", "''") + "'";
    }

    private static Map<String, List<TaskMetric>> connectorTypes() {
        Map<String, List<TaskMetric>> types = new LinkedHashMap<>();
        types.put(BACKUP, BackupSinkMetricNames.ALL);
        types.put(RESTORE, RestoreMetricNames.ALL);
        return java.util.Collections.unmodifiableMap(types);
    }
}
