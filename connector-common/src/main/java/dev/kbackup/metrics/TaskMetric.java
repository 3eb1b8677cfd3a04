package dev.kbackup.metrics;

import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.MetricNameTemplate;
import org.apache.kafka.common.metrics.PluginMetrics;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Set;

/**
 * One metric a connector task registers through Connect's plugin metrics: its name, description and tags (a
 * {@link MetricNameTemplate}, as MirrorMaker declares its metrics), what kind of value it is and its unit. The
 * task registers it with {@link #metricName}; the monitoring docs are generated from the same declaration.
 */
public record TaskMetric(MetricNameTemplate template, Kind kind, String unit) {

    /** The group Connect's plugin metrics put every plugin metric in (JMX: {@code kafka.connect:type=plugins}). */
    public static final String GROUP = "plugins";

    /** What a value means over time; it decides how a reader (or a Prometheus exporter) should treat it. */
    public enum Kind {
        /** a value read when the metric is reported */
        GAUGE("gauge"),
        /** a total since the task started; never falls while the task runs */
        COUNTER("counter"),
        /** per second, over the worker's metrics sample window */
        RATE("rate"),
        /** the average of the measurements in the sample window */
        AVERAGE("average"),
        /** the largest measurement in the sample window */
        MAXIMUM("maximum"),
        /** a percentile of the measurements in the sample window */
        PERCENTILE("percentile");

        private final String label;

        Kind(String label) {
            this.label = label;
        }

        /** How the docs name it. */
        public String label() {
            return label;
        }
    }

    public TaskMetric {
        if (!template.name().matches("[a-z0-9]+(-[a-z0-9]+)*")) {
            throw new IllegalArgumentException("Metric names are lower-case words joined by '-': "
                    + template.name());
        }
        if (!GROUP.equals(template.group())) {
            throw new IllegalArgumentException("Metric " + template.name() + " is in group " + template.group()
                    + ", but plugin metrics are always in group " + GROUP);
        }
        if (unit == null || unit.isBlank()) {
            throw new IllegalArgumentException("Metric " + template.name() + " needs a unit");
        }
    }

    public static TaskMetric gauge(String name, String unit, String description, String... tags) {
        return of(name, Kind.GAUGE, unit, description, tags);
    }

    public static TaskMetric counter(String name, String unit, String description, String... tags) {
        return of(name, Kind.COUNTER, unit, description, tags);
    }

    public static TaskMetric rate(String name, String unit, String description, String... tags) {
        return of(name, Kind.RATE, unit, description, tags);
    }

    public static TaskMetric average(String name, String unit, String description, String... tags) {
        return of(name, Kind.AVERAGE, unit, description, tags);
    }

    public static TaskMetric maximum(String name, String unit, String description, String... tags) {
        return of(name, Kind.MAXIMUM, unit, description, tags);
    }

    public static TaskMetric percentile(String name, String unit, String description, String... tags) {
        return of(name, Kind.PERCENTILE, unit, description, tags);
    }

    private static TaskMetric of(String name, Kind kind, String unit, String description, String... tags) {
        return new TaskMetric(new MetricNameTemplate(name, GROUP, description, tags), kind, unit);
    }

    public String name() {
        return template.name();
    }

    public String description() {
        return template.description();
    }

    /** The tags this metric adds to the connector and task tags Connect puts on every plugin metric, in order. */
    public Set<String> tags() {
        return template.tags();
    }

    /**
     * The Prometheus series the JMX exporter rules (packaging's monitoring/kbackup-jmx-exporter.yaml) make of this
     * metric: {@code kbackup_<connectorType>_} and the name's words joined by '_', following Prometheus' naming
     * conventions: milliseconds become seconds ({@code _seconds}), a counter ends in {@code _total}, e.g.
     * {@code throttle-time-total-ms} of the restore is {@code kbackup_restore_throttle_time_seconds_total}.
     *
     * @param connectorType {@code backup} or {@code restore}
     */
    public String prometheusName(String connectorType) {
        List<String> words = new ArrayList<>(List.of(name().split("-")));
        words.removeIf(word -> word.equals("total") || word.equals("ms"));
        if (inMilliseconds()) {
            words.add("seconds");
        }
        if (kind == Kind.COUNTER) {
            words.add("total");
        }
        return "kbackup_" + connectorType + "_" + String.join("_", words);
    }

    /** What the exporter multiplies the JMX value by for {@link #prometheusName}: milliseconds to seconds. */
    public double prometheusValueFactor() {
        return inMilliseconds() ? 0.001 : 1.0;
    }

    /** The Prometheus type of {@link #prometheusName}: counters stay counters, every other kind is a gauge. */
    public String prometheusType() {
        return kind == Kind.COUNTER ? "counter" : "gauge";
    }

    private boolean inMilliseconds() {
        return unit.equals("ms");
    }

    /**
     * True if {@code registered} is an instance of this metric: same name, group and description, and its tags
     * end with this metric's tags in the declared order (Connect's connector and task tags come first).
     */
    public boolean isNameOf(MetricName registered) {
        List<String> tagNames = new ArrayList<>(registered.tags().keySet());
        List<String> own = new ArrayList<>(template.tags());
        return name().equals(registered.name()) && GROUP.equals(registered.group())
                && description().equals(registered.description()) && tagNames.size() >= own.size()
                && tagNames.subList(tagNames.size() - own.size(), tagNames.size()).equals(own);
    }

    /**
     * This metric's name in {@code metrics}, with one value per declared tag, in the declared order.
     *
     * @throws IllegalArgumentException if the number of values differs from the number of tags
     */
    public MetricName metricName(PluginMetrics metrics, String... tagValues) {
        List<String> tagNames = new ArrayList<>(template.tags());
        if (tagValues.length != tagNames.size()) {
            throw new IllegalArgumentException("Metric " + name() + " has tags " + tagNames + " but was given "
                    + tagValues.length + " values");
        }
        LinkedHashMap<String, String> tags = new LinkedHashMap<>();
        for (int i = 0; i < tagValues.length; i++) {
            tags.put(tagNames.get(i), tagValues[i]);
        }
        return metrics.metricName(name(), description(), tags);
    }
}
