package dev.kbackup.packaging;

import java.nio.file.Files;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The Prometheus series and labels our JMX exporter rules produce, and the ones a PromQL expression uses. */
final class MonitoringSeries {

    /** The labels the rules put on our series. */
    static final Set<String> LABELS = Set.of("connector", "task", "topic", "partition");
    private static final Pattern OUR_SERIES = Pattern.compile("\\bkbackup_[a-z0-9_]+");
    private static final Pattern GROUPING = Pattern.compile("\\b(?:by|on|without|ignoring)\\s*\\(([^)]*)\\)");

    private MonitoringSeries() {
    }

    /** Every series name the rules produce, derived from the metric declarations. */
    static Set<String> produced() {
        Set<String> names = new TreeSet<>();
        JmxExporterRules.METRICS_BY_CONNECTOR_TYPE.forEach((type, metrics) -> metrics.forEach(
                metric -> names.add(metric.prometheusName(type))));
        return names;
    }

    /** Every kbackup series the alert rules and the dashboards mention, in queries or in prose. */
    static Set<String> usedByAlertsAndDashboards() throws java.io.IOException {
        Set<String> names = new TreeSet<>();
        for (String file : List.of("kbackup-alerts.yaml", "grafana-backup.json", "grafana-restore.json")) {
            names.addAll(seriesIn(Files.readString(RepoPaths.root().resolve("packaging/monitoring").resolve(file))));
        }
        return names;
    }

    /** The kbackup series {@code promql} names. */
    static Set<String> seriesIn(String promql) {
        Set<String> names = new TreeSet<>();
        Matcher matcher = OUR_SERIES.matcher(promql);
        while (matcher.find()) {
            names.add(matcher.group());
        }
        return names;
    }

    /** The labels {@code promql} groups or matches by. */
    static Set<String> groupingLabelsIn(String promql) {
        Set<String> labels = new TreeSet<>();
        Matcher matcher = GROUPING.matcher(promql);
        while (matcher.find()) {
            for (String label : matcher.group(1).split(",")) {
                if (!label.isBlank()) {
                    labels.add(label.trim());
                }
            }
        }
        return labels;
    }
}
